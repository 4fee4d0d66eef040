"""The messaging channels end to end: the real server, signed webhooks of recorded
payloads, and replies that reach a local fake of the Graph and Bot APIs over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicenter.channels.meta import sign_body
from tests.conftest import free_port
from tests.e2e.server import ServerProcess
from tests.unit.channels.fixtures import fixtures_of
from tests.unit.channels.meta.fake_apis import GRAPH_VERSION, FakeApis

APP_SECRET = "e2e-meta-secret"
VERIFY_TOKEN = "e2e-verify-token"
TELEGRAM_SECRET = "e2e-telegram-secret"
PHONE_ID = "106540352242922"


class FakeApiServer:
    """`FakeApis` served over HTTP on 127.0.0.1."""

    def __init__(self, fake: FakeApis) -> None:
        self.fake = fake

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path.split("?", 1)[0]
                status, content, ctype = fake.handle(self.command, path, headers, body)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        fake.base = f"http://127.0.0.1:{self.port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def apis() -> Iterator[FakeApis]:
    fake = FakeApis(open_windows={"48601234567", "6234567890123456"})
    server = FakeApiServer(fake)
    yield fake
    server.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, apis: FakeApis) -> Iterator[ServerProcess]:
    data: Path = tmp_path_factory.mktemp("messaging")
    env = {
        "OMNICENTER_META_APP_SECRET": APP_SECRET,
        "OMNICENTER_META_VERIFY_TOKEN": VERIFY_TOKEN,
        "OMNICENTER_WHATSAPP_ACCESS_TOKEN": apis.token,
        "OMNICENTER_WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "OMNICENTER_MESSENGER_PAGE_ACCESS_TOKEN": apis.token,
        "OMNICENTER_TELEGRAM_BOT_TOKEN": apis.telegram_token,
        "OMNICENTER_TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "OMNICENTER_GRAPH_API_BASE": f"{apis.base}/{GRAPH_VERSION}",
        "OMNICENTER_TELEGRAM_API_BASE": apis.base,
    }
    proc = ServerProcess(data, env_extra=env)
    proc.start()
    yield proc
    proc.stop()


def _meta_post(
    server: ServerProcess, app: str, body: bytes, secret: str = APP_SECRET
) -> httpx.Response:
    return httpx.post(
        f"{server.base}/api/v1/channels/{app}/webhook",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign_body(secret, body),
        },
    )


def _timeline(server: ServerProcess, q: str) -> list[dict[str, Any]]:
    with server.client("tomek") as api:
        [customer] = api.get("/customers", params={"q": q}).json()
        events = api.get(f"/customers/{customer['id']}/timeline").json()
    return [e for e in events if e["kind"] != "routing"]


def test_meta_handshake(server: ServerProcess) -> None:
    url = f"{server.base}/api/v1/channels/whatsapp/webhook"
    ok = httpx.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = httpx.get(
        url, params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403


def test_whatsapp_message_is_verified_stored_once_and_answered(
    server: ServerProcess, apis: FakeApis
) -> None:
    body = (fixtures_of("whatsapp") / "text_message.json").read_bytes()
    assert _meta_post(server, "whatsapp", body, secret="wrong-secret").status_code == 403
    tampered = body.replace(b"100234", b"100235")
    forged = httpx.post(
        f"{server.base}/api/v1/channels/whatsapp/webhook",
        content=tampered,
        headers={"X-Hub-Signature-256": sign_body(APP_SECRET, body)},
    )
    assert forged.status_code == 403
    first = _meta_post(server, "whatsapp", body)
    assert first.status_code == 200 and first.json()["stored"] == 1
    again = _meta_post(server, "whatsapp", body)
    assert again.json() == {"stored": 0, "duplicates": 1, "statuses": 0}
    # The demo customer with this phone number: a WhatsApp sender is their phone identity,
    # so the message joins the customer's history from the other channels.
    everything = _timeline(server, "+48601234567")
    timeline = [e for e in everything if e["channel"] == "whatsapp"]
    assert [e["body"] for e in timeline] == [
        "Dzień dobry! Gdzie jest moja paczka? Zamówienie 100234 😕"
    ]
    assert len(everything) > len(timeline)
    with server.client("tomek") as api:
        r = api.post(
            f"/interactions/{timeline[0]['interaction_id']}/messages",
            json={"body": "Paczka jest w paczkomacie."},
        )
        assert r.status_code == 201, r.text
    sent = [s for s in apis.wait(1) if s.api == "whatsapp"]
    assert sent[-1].body["to"] == "48601234567"
    assert sent[-1].body["text"]["body"] == "Paczka jest w paczkomacie."


def test_whatsapp_image_survives_one_failed_download(server: ServerProcess, apis: FakeApis) -> None:
    apis.media_failures = 1
    body = (fixtures_of("whatsapp") / "image_message.json").read_bytes()
    r = _meta_post(server, "whatsapp", body)
    assert r.status_code == 200 and r.json()["stored"] == 1
    timeline = [e for e in _timeline(server, "+48601234567") if e["channel"] == "whatsapp"]
    image = next(e for e in timeline if e["body"] == "The box arrived damaged")
    assert "image-1003383421387256.jpg" in json.dumps(image)


def test_messenger_message_and_reply(server: ServerProcess, apis: FakeApis) -> None:
    body = (fixtures_of("messenger") / "text_message.json").read_bytes()
    assert _meta_post(server, "messenger", body).status_code == 200
    timeline = _timeline(server, "6234567890123456")
    assert timeline[0]["channel"] == "messenger"
    before = len(apis.sent)
    with server.client("tomek") as api:
        r = api.post(
            f"/interactions/{timeline[0]['interaction_id']}/messages", json={"body": "Tak, jest."}
        )
        assert r.status_code == 201, r.text
    sent = apis.wait(before + 1)[-1]
    assert sent.api == "send_api" and sent.body["recipient"] == {"id": "6234567890123456"}


def test_instagram_without_a_token_keeps_the_reply(server: ServerProcess) -> None:
    body = (fixtures_of("instagram") / "text_message.json").read_bytes()
    assert _meta_post(server, "instagram", body).status_code == 200
    assert _timeline(server, "1234567890123456")[0]["channel"] == "instagram"


def test_telegram_checks_its_secret_and_answers(server: ServerProcess, apis: FakeApis) -> None:
    url = f"{server.base}/api/v1/channels/telegram/webhook"
    body = (fixtures_of("telegram") / "text_update.json").read_bytes()
    assert httpx.post(url, content=body).status_code == 403
    bad = httpx.post(url, content=body, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
    assert bad.status_code == 403
    ok = httpx.post(url, content=body, headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert ok.status_code == 200 and ok.json()["stored"] == 1
    timeline = _timeline(server, "987654321")
    assert timeline[0]["channel"] == "telegram"
    before = len(apis.sent)
    with server.client("tomek") as api:
        r = api.post(
            f"/interactions/{timeline[0]['interaction_id']}/messages",
            json={"body": "Etykieta zwrotna w drodze."},
        )
        assert r.status_code == 201, r.text
    sent = apis.wait(before + 1)[-1]
    assert sent.api == "telegram" and sent.body["chat_id"] == "987654321"


def test_whatsapp_status_callbacks_land_next_to_the_message(server: ServerProcess) -> None:
    with server.client("sara") as api:
        sent = [
            row
            for row in api.get("/outbox", params={"channel": "whatsapp"}).json()
            if row["provider_ref"]
        ]
        assert sent, "the reply of the test before went out through the fake Graph API"
        ref = sent[0]["provider_ref"]
    status = json.loads((fixtures_of("whatsapp") / "status_delivered.json").read_bytes())
    status["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = ref
    body = json.dumps(status).encode()
    for _ in range(2):  # a provider repeating itself is heard once
        answered = _meta_post(server, "whatsapp", body)
        assert answered.status_code == 200 and answered.json()["statuses"] == 1
    heard = [e for e in _timeline(server, "+48601234567") if (e["meta"] or {}).get("delivery")]
    assert [(e["body"], e["meta"]["outbox_id"]) for e in heard] == [
        ("message delivered", sent[0]["id"])
    ]
