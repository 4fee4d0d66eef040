"""Order data only to its owner, against the real server with the bot on: the owner hears
their order by SMS and by email; a stranger is not told and the one-time code goes to the
order's own address, not to them; a chat visitor who proves the order with that code is told."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.doubles import TWILIO_SID, FakeTwilio, SmtpSink, relay_env
from tests.e2e.server import ServerProcess, eventually
from tests.e2e.test_channels_e2e import chat_session, signed_sms

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OWNER_PHONE, OWNER_EMAIL = "+48600100200", "anna@example.com"  # on order 10001


@pytest.fixture(scope="module")
def shop(
    tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink, twilio: FakeTwilio
) -> Iterator[ServerProcess]:
    env = {
        **relay_env(smtp_sink, twilio),
        "OMNICENTER_BOT_ENABLED": "true",
        "OMNICENTER_BOT_FLOW": str(EXAMPLES / "flows" / "shop.yaml"),
        "OMNICENTER_BOT_CATALOG": str(EXAMPLES / "catalog"),
    }
    proc = ServerProcess(tmp_path_factory.mktemp("privacy"), env_extra=env)
    proc.start()
    yield proc
    proc.stop()


def _bot_facts(agent: httpx.Client, interaction_id: str) -> list[str]:
    events = agent.get(f"/interactions/{interaction_id}").json()["events"]
    return [
        f["key"]
        for e in events
        if e["author_type"] == "bot" and e["kind"] == "message_out"
        for f in (e["meta"] or {}).get("facts", [])
    ]


def _sms(shop: ServerProcess, sender: str, body: str, n: int) -> None:
    params = {"MessageSid": f"SMpriv{sender[-4:]}{n}", "AccountSid": TWILIO_SID, "From": sender,
              "To": "+48221234567", "Body": body}  # fmt: skip
    assert signed_sms(shop, params).status_code == 200


def _interaction_of_sms(agent: httpx.Client, sender: str) -> str:
    customer = agent.get("/customers", params={"q": sender}).json()[0]["id"]
    case = agent.get("/cases", params={"customer_id": customer}).json()[0]
    return str(agent.get(f"/cases/{case['id']}").json()["interactions"][0]["id"])


def _codes_to(sink: SmtpSink, address: str) -> list[str]:
    codes = []
    for m in sink.messages:
        if address in m["to"]:
            text = email.message_from_bytes(m["data"]).get_payload(decode=True) or b""
            codes += re.findall(r"(?<!\d)\d{6}(?!\d)", text.decode(errors="replace"))
    return codes


def test_the_owner_hears_the_order_a_stranger_does_not(
    shop: ServerProcess, smtp_sink: SmtpSink
) -> None:
    for n, text in enumerate(["status zamówienia", "10001"]):
        _sms(shop, OWNER_PHONE, text, n)
        _sms(shop, "+48609000111", text, n)
    with shop.client("sara") as agent:
        owner = _interaction_of_sms(agent, OWNER_PHONE)
        stranger = _interaction_of_sms(agent, "+48609000111")
        assert eventually(lambda: "order:10001" in _bot_facts(agent, owner))
        assert eventually(lambda: _codes_to(smtp_sink, OWNER_EMAIL))  # to the order's email
        assert not [f for f in _bot_facts(agent, stranger) if f.startswith("order:")]
        told = agent.get(f"/interactions/{stranger}").json()["events"]
        notes = [e["body"] for e in told if e["body"].startswith("one-time code sent to")]
        assert notes and OWNER_EMAIL not in notes[0] and "***" in notes[0]  # masked
        assert not any(re.search(r"(?<!\d)\d{6}(?!\d)", e["body"] or "") for e in told)


def test_a_chat_visitor_proves_the_order_with_the_code(
    shop: ServerProcess, smtp_sink: SmtpSink
) -> None:
    session = chat_session(shop, name="Anna?")
    auth = {"Authorization": f"Bearer {session['visitor_token']}"}
    before = set(_codes_to(smtp_sink, OWNER_EMAIL))

    def say(text: str, n: int) -> None:
        r = httpx.post(
            f"{shop.base}/api/v1/webchat/messages",
            json={"text": text, "client_id": f"p{n}"},
            headers=auth,
        )
        assert r.status_code == 201, r.text

    say("status zamówienia", 1)
    say("10001", 2)
    code = eventually(lambda: [c for c in _codes_to(smtp_sink, OWNER_EMAIL) if c not in before])
    assert code, "no code went to the order's email"
    chat = httpx.get(f"{shop.base}/api/v1/webchat/transcript", headers=auth).json()
    assert not any("620123456789012345678901" in m["body"] for m in chat)  # no tracking yet
    say(code[-1], 3)

    def told() -> bool:
        transcript = httpx.get(f"{shop.base}/api/v1/webchat/transcript", headers=auth).json()
        return any("620123456789" in m["body"] for m in transcript)

    assert eventually(told)
