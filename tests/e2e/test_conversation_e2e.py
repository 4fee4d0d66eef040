"""One conversation across channels, against the real server: a customer who goes on by SMS
after a chat is on the same case and in one place in the queue; agents answer from the
single source of truth and the answer audit sees them; a contact can be split off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.doubles import TWILIO_SID, FakeTwilio, SmtpSink, relay_env
from tests.e2e.server import ServerProcess, eventually
from tests.e2e.test_channels_e2e import chat_session, signed_sms

PHONE = "+48601777888"


@pytest.fixture(scope="module")
def shop(
    tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink, twilio: FakeTwilio
) -> Iterator[ServerProcess]:
    """The demo with the bot's knowledge loaded but the bot itself off (agents answer)."""
    data: Path = tmp_path_factory.mktemp("conversation")
    catalog = Path(__file__).resolve().parents[2] / "examples" / "catalog"
    env = {**relay_env(smtp_sink, twilio), "OMNICENTER_BOT_CATALOG": str(catalog)}
    proc = ServerProcess(data, env_extra=env)
    proc.start()
    yield proc
    proc.stop()


def _interaction_events(agent: httpx.Client, interaction_id: str) -> list[dict[str, Any]]:
    r = agent.get(f"/interactions/{interaction_id}")
    assert r.status_code == 200, r.text
    return list(r.json()["events"])


def test_a_customer_going_on_by_sms_keeps_the_case_and_their_place(shop: ServerProcess) -> None:
    session = chat_session(shop, name="Iga", phone=PHONE)
    said = httpx.post(
        f"{shop.base}/api/v1/webchat/messages",
        json={"text": "Gdzie jest moja paczka?", "client_id": "c1"},
        headers={"Authorization": f"Bearer {session['visitor_token']}"},
    )
    assert said.status_code == 201, said.text
    chat = said.json()
    params = {
        "MessageSid": "SMconv1",
        "AccountSid": TWILIO_SID,
        "From": PHONE,
        "To": "+48221234567",
        "Body": "Piszę też SMS-em, czekam na odpowiedź",
    }
    assert signed_sms(shop, params).status_code == 200
    with shop.client("sara") as agent:
        case = agent.get(f"/cases/{chat['case_id']}").json()
        by_channel = {i["channel"]: i["id"] for i in case["interactions"]}
        assert set(by_channel) == {"webchat", "sms"}  # one case, the text joined it
        events = _interaction_events(agent, by_channel["sms"])
        text = next(e for e in events if e["kind"] == "message_in")
        assert text["meta"]["joined"]["case_id"] == chat["case_id"]
        assert text["meta"]["joined"]["reason"].startswith("open case, active")
        # routing holds one place for her: the text rides on the chat's task
        attached = eventually(
            lambda: [
                e for e in _interaction_events(agent, by_channel["sms"])
                if e["kind"] == "routing" and e["meta"].get("fact") == "task_attached"
            ]
        )  # fmt: skip
        assert attached and attached[0]["meta"]["channel"] == "sms"
        assert attached[0]["meta"]["task_channel"] == "webchat"

        # the agent splits the text off: a case of its own, said on both timelines
        split = agent.post(f"/interactions/{by_channel['sms']}/split")
        assert split.status_code == 200, split.text
        moved = split.json()
        assert moved["from_case_id"] == chat["case_id"] and moved["case_id"] != chat["case_id"]
        again = agent.get(f"/cases/{chat['case_id']}").json()
        assert {i["channel"] for i in again["interactions"]} == {"webchat"}
        back = agent.post(
            f"/interactions/{by_channel['sms']}/move", json={"case_id": chat["case_id"]}
        )
        assert back.status_code == 200 and back.json()["case_id"] == chat["case_id"]


def test_agents_answer_from_the_single_source_and_the_audit_sees_them(
    shop: ServerProcess,
) -> None:
    with shop.client("anna") as agent, shop.client("sara") as supervisor:
        price = agent.get("/knowledge/price", params={"sku": "TSH-RED-M"})
        if price.status_code == 404:
            pytest.fail(f"no knowledge in the demo: {price.text}")
        answer = price.json()
        assert answer["found"] and answer["fact"]["key"].startswith("price:TSH-RED-M")
        assert answer["summary"] and answer["fact"]["sources"]
        assert agent.get("/knowledge/orders/10001").json()["found"]  # agents see orders
        assert not agent.get("/knowledge/stock", params={"sku": "NOPE-1"}).json()["found"]

        form = httpx.post(
            f"{shop.base}/api/v1/channels/forms/demo-form-key",
            json={"email": "ola@example.com", "phone": "+48601999000", "message": "cena?"},
        )
        assert form.status_code == 201, form.text
        case_id = form.json()["case_id"]
        told = answer["fact"]
        for channel, value in (
            ("email", told["value"]),
            ("sms", {**told["value"], "final_minor": 1}),
        ):
            sent = agent.post(
                f"/cases/{case_id}/messages",
                json={
                    "channel": channel,
                    "body": answer["summary"],
                    "facts": [{**told, "value": value}],
                },
            )
            assert sent.status_code == 201, sent.text
        found = supervisor.get("/knowledge/audit", params={"hours": 1}).json()
        mine = [i for i in found if i["key"] == told["key"]]
        assert mine and {t["channel"] for t in mine[0]["told"]} == {"email", "sms"}
        assert agent.get("/knowledge/audit").status_code == 403  # supervisors only
