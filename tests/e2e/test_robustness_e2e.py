"""Security by default, bad input, and durability across kill -9, against the real server."""

from __future__ import annotations

import smtplib
import socket
import tomllib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.e2e.server import ServerProcess
from tests.e2e.test_channels_e2e import chat_session
from tests.e2e.test_routing_e2e import DEFAULT_RULES, Inbox

PUBLIC = {"/api/v1/auth/token"}  # logging in is how one gets a token


def test_every_api_operation_refuses_anonymous_callers(server: ServerProcess) -> None:
    spec = server.get("/openapi.json").json()
    checked = 0
    for path, ops in spec["paths"].items():
        if path in PUBLIC:
            continue
        url = server.base + path.replace("{", "").replace("}", "")
        for method in ops:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            body = b"" if "sms" in path else b"widget_key=nope"
            if path == "/api/v1/webchat/sessions":
                headers, body = {"Content-Type": "application/json"}, b'{"widget_key": "nope"}'
            r = httpx.request(
                method.upper(), url, headers=headers, content=body if method != "get" else None
            )
            assert r.status_code in (401, 403), f"{method.upper()} {path} answered {r.status_code}"
            checked += 1
    assert checked >= 20


def test_roles_limit_what_an_agent_and_a_partner_may_do(server: ServerProcess) -> None:
    with server.client("anna") as agent:
        r = agent.post("/agents", json={"username": "eve", "display_name": "Eve", "role": "admin"})
        assert r.status_code == 403
        assert agent.get("/outbox").status_code == 403
    with server.client("partner") as partner:
        assert partner.get("/customers").status_code == 403
        cases = partner.get("/cases").json()
        sms_case = next(c for c in cases if c["origin"] == "sms")
        detail = partner.get(f"/customers/{sms_case['customer_id']}").json()
        assert all("*" in i["address"] for i in detail["identities"])
        assert "value" not in detail
    with server.client("admin") as admin:
        r = admin.post(
            "/agents",
            json={"username": "newbie", "display_name": "New Agent", "password": "long-enough-1"},
        )
        assert r.status_code == 201


def test_malformed_and_oversized_requests_get_clear_errors(server: ServerProcess) -> None:
    with server.client("anna") as api:
        r = api.post(
            "/customers", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422 and "JSON" in r.json()["detail"]
        r = api.post("/customers", json={"display_name": "X", "colour": "red"})
        assert r.status_code == 422 and "colour" in r.json()["detail"]
        r = api.post(
            "/customers", json={"identities": [{"kind": "phone", "address": "not a number"}]}
        )
        assert r.status_code == 422 and "phone" in r.json()["detail"]
        r = api.post(
            "/customers",
            content=b'{"display_name": "' + b"x" * 2_000_000 + b'"}',
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 413 and "larger than" in r.json()["detail"]
        r = api.get("/cases", params={"status": "everything"})
        assert r.status_code == 422
        assert api.get("/cases/cas_missing").status_code == 404
    with server.client("admin") as admin:
        body = {"username": "octopus", "display_name": "Octopus", "capacity": {"email": 1000}}
        r = admin.post("/agents", json=body)
        assert r.status_code == 422 and "capacity" in r.json()["detail"]
        assert "octopus" not in {a["username"] for a in admin.get("/agents").json()}
    r = httpx.post(
        f"{server.base}/api/v1/channels/sms/twilio",
        content=b"\xff\xfe",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 415


def _nested(depth: int) -> bytes:
    head = b"From: bomb@example.com\r\nTo: support@omnicenter.local\r\nSubject: nest\r\nMIME-Version: 1.0\r\n"
    body = b""
    for i in range(depth):
        body += f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
    body += b"Content-Type: text/plain\r\n\r\nhi\r\n"
    for i in reversed(range(depth)):
        body += f"--b{i}--\r\n".encode()
    return head + body


def test_smtp_rejects_mime_bombs_with_a_reason_and_keeps_serving(server: ServerProcess) -> None:
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as bomb:
            smtp.sendmail("bomb@example.com", ["support@omnicenter.local"], _nested(60))
        assert 500 <= bomb.value.smtp_code < 600
        assert b"nest" in bomb.value.smtp_error.lower()
        with pytest.raises(smtplib.SMTPDataError) as nofrom:
            smtp.sendmail(
                "x@example.com", ["support@omnicenter.local"], b"Subject: no from\r\n\r\nbody\r\n"
            )
        assert 500 <= nofrom.value.smtp_code < 600
    with socket.create_connection(("127.0.0.1", server.smtp_port)) as raw:
        raw.recv(1024)
        raw.sendall(b"\x00\xff garbage \r\nDATA\r\n\x16\x03\x01\r\n")
        assert raw.recv(1024)[:1] in (b"5", b"4")
    msg = EmailMessage()
    msg["From"] = "still@example.com"
    msg["To"] = "support@omnicenter.local"
    msg["Subject"] = "after the bomb"
    msg.set_content("fine")
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
        assert smtp.send_message(msg) == {}


@pytest.fixture
def fresh_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = ServerProcess(tmp_path)
    proc.start()
    yield proc
    proc.stop()


def test_accepted_messages_survive_kill_9(fresh_server: ServerProcess) -> None:
    msg = EmailMessage()
    msg["From"] = "durable@example.com"
    msg["To"] = "support@omnicenter.local"
    msg["Subject"] = "Must not be lost"
    msg["Message-ID"] = "<durable-1@example.com>"
    msg.set_content("Accepted means stored.")
    smtp = smtplib.SMTP("127.0.0.1", fresh_server.smtp_port)
    assert smtp.send_message(msg) == {}
    r = httpx.post(
        f"{fresh_server.base}/api/v1/channels/forms/demo-form-key",
        data={"email": "form@example.com", "message": "Stored before 201"},
    )
    assert r.status_code == 201
    fresh_server.kill9()  # right after the 250 and the 201, no shutdown
    smtp.close()
    fresh_server.start(demo=False)
    with fresh_server.client("anna") as api:
        subjects = {c["subject"] for c in api.get("/cases").json()}
    assert {"Must not be lost", "Stored before 201"} <= subjects
    # The sender retries after not hearing QUIT: same Message-ID, no duplicate.
    with smtplib.SMTP("127.0.0.1", fresh_server.smtp_port) as again:
        assert again.send_message(msg) == {}
    with fresh_server.client("anna") as api:
        assert sum(c["subject"] == "Must not be lost" for c in api.get("/cases").json()) == 1


async def test_a_callback_promise_survives_kill_9_and_is_kept(fresh_server: ServerProcess) -> None:
    server = fresh_server
    rules = tomllib.loads(DEFAULT_RULES.read_text())
    rules["queues"]["general"]["callback"] = {"offer_when_ewt_over": 600, "grace": 3600}
    with server.client("admin") as api:
        assert api.put("/routing/config", json=rules).status_code == 200
        ola = {"username": "ola", "display_name": "Ola", "password": "long-enough-1"}
        ola |= {"channels": ["voice"], "capacity": {"voice": 1}}  # a phone: callbacks
        assert api.post("/agents", json=ola).status_code == 201
    session = chat_session(server)
    visitor = {"Authorization": f"Bearer {session['visitor_token']}"}
    said = httpx.post(
        f"{server.base}/api/v1/webchat/messages",
        json={"text": "Nobody here? Call me", "client_id": "c1"},
        headers=visitor,
    )
    assert said.status_code == 201, said.text
    r = httpx.post(
        f"{server.base}/api/v1/webchat/callback", json={"phone": "+48601000333"}, headers=visitor
    )
    assert r.status_code == 200, r.text
    promise_id, due_at = r.json()["promise_id"], r.json()["due_at"]
    assert promise_id and due_at
    server.kill9()  # the promise is only on the timeline now; routing's memory is gone
    server.start(demo=False)
    with server.client("sara") as api:
        explained = api.get(f"/routing/tasks/{promise_id}/explain")
        assert explained.status_code == 200 and "callback" in explained.json()["explanation"]
    token = httpx.post(
        f"{server.base}/api/v1/auth/token",
        json={"username": "ola", "password": "long-enough-1"},
    ).json()["token"]
    async with connect(server.ws_url(f"/events/ws?token={token}")) as ws:
        inbox = Inbox(ws)
        with httpx.Client(
            base_url=f"{server.base}/api/v1", headers={"Authorization": f"Bearer {token}"}
        ) as api:
            assert api.put("/agents/me/presence", json={"presence": "available"}).status_code == 200
            offer = await inbox.wait(
                lambda e: e["type"] == "task_offered" and e["task_id"] == promise_id
            )
            assert offer["channel"] == "callback"
            assert api.post(f"/offers/{promise_id}/accept").status_code == 200
        kept = await inbox.wait(
            lambda e: e["type"] == "timeline_event" and e["meta"].get("fact") == "promise_kept"
        )
        inbox.task.cancel()
    assert kept["meta"]["promise_id"] == promise_id
    assert kept["meta"]["due_at"] == due_at  # the time the customer was given
    with server.client("sara") as api:
        facts = [
            e["meta"].get("fact")
            for e in api.get(f"/cases/{said.json()['case_id']}/timeline").json()
            if e["kind"] == "routing"
        ]
        # counted by the KPIs in the transaction that recorded them
        # a promise counts on the day it is due (the server's time zone is UTC): the day
        # after, when it was made in the last hour of a day
        due_day = datetime.fromisoformat(due_at).astimezone(UTC).date().isoformat()
        rows = api.get("/kpis", params={"by": "queue", "day": due_day}).json()
        general = next(r for r in rows if r["queue"] == "general")
    assert facts.count("promise_made") == 1 and facts.count("promise_kept") == 1
    assert (general["promises_made"], general["promises_kept"]) == (1, 1)
