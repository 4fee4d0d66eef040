"""The foundation end to end, against the real server: every channel into one timeline."""

from __future__ import annotations

import asyncio
import json
import smtplib
import urllib.parse
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from omnicenter.channels.sms import compute_signature
from tests.doubles import TWILIO_SID, TWILIO_TOKEN, FakeTwilio, SmtpSink
from tests.e2e.server import ServerProcess


async def next_event(ws: Any, pred: Any, timeout: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            data = json.loads(await ws.recv())
            if pred(data):
                return data


def conversation(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline without routing facts (queued, assigned): what was said and written."""
    return [e for e in events if e["kind"] != "routing"]


def chat_session(server: ServerProcess, **extra: str) -> dict[str, Any]:
    r = httpx.post(
        f"{server.base}/api/v1/webchat/sessions", json={"widget_key": "demo-widget-key", **extra}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def signed_sms(
    server: ServerProcess, params: dict[str, str], token: str = TWILIO_TOKEN
) -> httpx.Response:
    url = f"{server.base}/api/v1/channels/sms/twilio"
    sig = compute_signature(token, url, list(params.items()))
    return httpx.post(
        url,
        content=urllib.parse.urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )


async def test_chat_message_reaches_the_agent_live_and_the_reply_reaches_the_visitor(
    server: ServerProcess,
) -> None:
    page = server.get("/widget")
    assert page.status_code == 200 and "/static/widget.js" in page.text
    token = server.token("anna")
    session = chat_session(server, name="Marta Chat")
    async with (
        connect(server.ws_url(f"/events/ws?token={token}")) as agent_ws,
        connect(server.ws_url(f"/webchat/ws?token={session['visitor_token']}")) as visitor_ws,
    ):
        hello = json.loads(await agent_ws.recv())
        assert hello["type"] == "hello"
        await visitor_ws.send(
            json.dumps({"type": "message", "text": "Is the red bike in stock?", "client_id": "c1"})
        )
        ack = await next_event(visitor_ws, lambda d: d["type"] == "ack")
        assert ack["client_id"] == "c1" and not ack["duplicate"]
        seen = await next_event(
            agent_ws, lambda d: d["type"] == "timeline_event" and d["event_id"] == ack["event_id"]
        )
        assert seen["body"] == "Is the red bike in stock?" and seen["channel"] == "webchat"
        # Resending the same client message (a flaky connection) creates nothing new.
        await visitor_ws.send(
            json.dumps({"type": "message", "text": "Is the red bike in stock?", "client_id": "c1"})
        )
        dup = await next_event(visitor_ws, lambda d: d["type"] == "ack")
        assert dup["duplicate"] and dup["event_id"] == ack["event_id"]
        with server.client("anna") as api:
            r = api.post(
                f"/interactions/{ack['interaction_id']}/messages", json={"body": "Yes, 3 left."}
            )
            assert r.status_code == 201, r.text
        answer = await next_event(visitor_ws, lambda d: d["type"] == "message")
        assert answer["body"] == "Yes, 3 left." and answer["author_type"] == "agent"
    r = httpx.get(
        f"{server.base}/api/v1/webchat/transcript",
        headers={"Authorization": f"Bearer {session['visitor_token']}"},
    )
    assert [m["body"] for m in r.json()] == ["Is the red bike in stock?", "Yes, 3 left."]


def test_email_joins_the_chat_customers_timeline_and_the_reply_is_threaded(
    server: ServerProcess, smtp_sink: SmtpSink
) -> None:
    session = chat_session(server, name="Zofia Mail", email="zofia@example.com")
    r = httpx.post(
        f"{server.base}/api/v1/webchat/messages",
        json={"text": "I'll send the photo by email", "client_id": "z1"},
        headers={"Authorization": f"Bearer {session['visitor_token']}"},
    )
    assert r.status_code == 201, r.text
    msg = EmailMessage()
    msg["From"] = "=?utf-8?q?Zofia_Zi=C3=B3=C5=82kowska?= <Zofia@Example.com>"
    msg["To"] = "support@omnicenter.local"
    msg["Subject"] = "=?iso-8859-2?q?Zdj=EAcie_uszkodzenia?="
    msg["Message-ID"] = "<photo-1@example.com>"
    msg.set_content("Zdjęcie w załączniku.", charset="iso-8859-2")
    msg.add_alternative("<p>Zdjęcie w <b>załączniku</b>.</p>", subtype="html")
    msg.add_attachment(
        b"\x89PNG fake image bytes", maintype="image", subtype="png", filename="szkoda.png"
    )
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
        refused = smtp.send_message(msg)
    assert refused == {}
    with server.client("anna") as api:
        customers = api.get("/customers", params={"q": "zofia@example.com"}).json()
        assert len(customers) == 1
        cid = customers[0]["id"]
        timeline = conversation(api.get(f"/customers/{cid}/timeline").json())
        assert [(e["channel"], e["body"]) for e in timeline] == [
            ("webchat", "I'll send the photo by email"),
            ("email", "Zdjęcie w załączniku."),
        ]
        mail_event = timeline[1]
        assert mail_event["meta"]["subject"] == "Zdjęcie uszkodzenia"
        assert mail_event["attachments"][0]["filename"] == "szkoda.png"
        r = api.post(
            f"/interactions/{mail_event['interaction_id']}/messages",
            json={"body": "Dziękujemy, zwrot przyjęty."},
        )
        assert r.status_code == 201, r.text
    sent = smtp_sink.wait(1)
    assert sent, "no email reached the relay"
    raw = sent[-1]["data"].decode() if isinstance(sent[-1]["data"], bytes) else sent[-1]["data"]
    assert "In-Reply-To: <photo-1@example.com>" in raw
    assert sent[-1]["to"] == ["zofia@example.com"]


def test_sms_webhook_checks_signatures_and_ignores_redelivery(
    server: ServerProcess, twilio: FakeTwilio
) -> None:
    params = {
        "MessageSid": "SM" + "a" * 32,
        "AccountSid": TWILIO_SID,
        "From": "+48501002003",
        "To": "+48800000000",
        "Body": "Status zamówienia 100234?",
        "NumMedia": "0",
    }
    forged = signed_sms(server, params, token="wrong-token")
    assert forged.status_code == 403
    assert "X-Twilio-Signature" in forged.json()["detail"]
    first = signed_sms(server, params)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/xml")
    again = signed_sms(server, params)
    assert again.status_code == 200
    with server.client("tomek") as api:
        cid = api.get("/customers", params={"q": "+48501002003"}).json()[0]["id"]
        timeline = conversation(api.get(f"/customers/{cid}/timeline").json())
        assert [e["body"] for e in timeline] == ["Status zamówienia 100234?"]
        r = api.post(
            f"/interactions/{timeline[0]['interaction_id']}/messages",
            json={"body": "Wysłane dziś."},
        )
        assert r.status_code == 201
    sent = twilio.wait(1)
    assert sent[-1]["To"] == "+48501002003" and sent[-1]["Body"] == "Wysłane dziś."
    assert "forged" not in server.log() and "bad signature" in server.log()


def test_web_form_creates_a_case_with_its_fields(server: ServerProcess) -> None:
    fields = {
        "name": "Piotr Form",
        "email": "piotr@example.com",
        "order": "100999",
        "subject": "Wrong size",
        "message": "I got XL instead of L.",
    }
    r = httpx.post(f"{server.base}/api/v1/channels/forms/demo-form-key", data=fields)
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    dup = httpx.post(f"{server.base}/api/v1/channels/forms/demo-form-key", data=fields)
    assert dup.json() == {"case_id": case_id, "duplicate": True}
    with server.client("anna") as api:
        case = api.get(f"/cases/{case_id}").json()
        assert case["subject"] == "Wrong size" and case["fields"]["order"] == "100999"
        assert case["origin"] == "form"
    bad = httpx.post(
        f"{server.base}/api/v1/channels/forms/demo-form-key", data={"message": "no way to answer"}
    )
    assert bad.status_code == 400 and "email" in bad.json()["detail"]
    assert (
        httpx.post(f"{server.base}/api/v1/channels/forms/wrong-key", data=fields).status_code == 403
    )


def test_agent_answers_a_chat_on_another_channel(
    server: ServerProcess, smtp_sink: SmtpSink
) -> None:
    session = chat_session(server, name="Olga Switch", email="olga@example.com")
    r = httpx.post(
        f"{server.base}/api/v1/webchat/messages",
        json={"text": "Please email me the return label", "client_id": "o1"},
        headers={"Authorization": f"Bearer {session['visitor_token']}"},
    )
    case_id = r.json()["case_id"]
    before = len(smtp_sink.messages)
    with server.client("anna") as api:
        r = api.post(
            f"/cases/{case_id}/messages",
            json={"channel": "email", "body": "Label attached.", "subject": "Your return label"},
        )
        assert r.status_code == 201, r.text
        timeline = conversation(api.get(f"/cases/{case_id}/timeline").json())
        assert [(e["channel"], e["kind"]) for e in timeline][-2:] == [
            ("webchat", "message_in"),
            ("email", "message_out"),
        ]
        no_phone = api.post(f"/cases/{case_id}/messages", json={"channel": "sms", "body": "x"})
        assert no_phone.status_code == 422 and "phone" in no_phone.json()["detail"]
    sent = smtp_sink.wait(before + 1)
    assert sent[-1]["to"] == ["olga@example.com"]


async def test_agent_event_queue_resumes_after_reconnect(server: ServerProcess) -> None:
    token = server.token("sara")
    async with connect(server.ws_url(f"/events/ws?token={token}")) as ws:
        hello = json.loads(await ws.recv())
        queue_id = hello["queue_id"]
        chat = chat_session(server)
        httpx.post(
            f"{server.base}/api/v1/webchat/messages",
            json={"text": "first", "client_id": "r1"},
            headers={"Authorization": f"Bearer {chat['visitor_token']}"},
        )
        first = await next_event(ws, lambda d: d.get("body") == "first")
        await ws.send(json.dumps({"ack": first["id"]}))
    # Offline: two more messages arrive.
    for text in ("second", "third"):
        httpx.post(
            f"{server.base}/api/v1/webchat/messages",
            json={"text": text, "client_id": text},
            headers={"Authorization": f"Bearer {chat['visitor_token']}"},
        )
    async with connect(
        server.ws_url(f"/events/ws?token={token}&queue_id={queue_id}&last_event_id={first['id']}")
    ) as ws:
        assert json.loads(await ws.recv())["type"] == "hello"
        got = [await next_event(ws, lambda d: d.get("type") == "timeline_event") for _ in range(2)]
        assert [g["body"] for g in got] == ["second", "third"]
        assert got[0]["id"] == first["id"] + 1
    async with connect(
        server.ws_url(f"/events/ws?token={token}&queue_id=q_unknown&last_event_id=3")
    ) as ws:
        assert json.loads(await ws.recv())["type"] == "reload"


@pytest.mark.parametrize("path", ["/events/ws", "/webchat/ws"])
async def test_websockets_refuse_unauthenticated_clients(server: ServerProcess, path: str) -> None:
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    with pytest.raises((ConnectionClosed, InvalidStatus)):
        async with connect(server.ws_url(f"{path}?token=oc_forged")) as ws:
            await ws.recv()


def test_an_interaction_lists_its_own_messages(server: ServerProcess) -> None:
    session = chat_session(server)
    headers = {"Authorization": f"Bearer {session['visitor_token']}"}
    first = httpx.post(
        f"{server.base}/api/v1/webchat/messages",
        json={"text": "one", "client_id": "i1"},
        headers=headers,
    ).json()
    httpx.post(
        f"{server.base}/api/v1/webchat/messages",
        json={"text": "two", "client_id": "i2"},
        headers=headers,
    )
    with server.client("anna") as api:
        detail = api.get(f"/interactions/{first['interaction_id']}").json()
        assert detail["channel"] == "webchat"
        assert [e["body"] for e in conversation(detail["events"])] == ["one", "two"]
        assert api.get("/interactions/int_missing").status_code == 404
