"""Proactive engagement end to end, against the real server: a business event becomes an
SMS through the provider, once; the customer's answer joins the proactive case; a
marketing event without opt-in sends nothing and says why; STOP is recorded per rule."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from omnicenter.channels.sms import compute_signature
from tests.doubles import TWILIO_SID, TWILIO_TOKEN, FakeTwilio, SmtpSink, relay_env
from tests.e2e.server import ServerProcess

RULES = """\
version: 1
settings:
  quiet_hours: off
rules:
  - id: delayed
    on: order_delayed
    purpose: service
    channels: [sms]
    values: {code: SORRY10}
    message:
      pl: {sms: "Zamowienie {event.order} sie spozni. Kod {values.code}"}
  - id: offer
    on: payment_made
    purpose: marketing
    channels: [sms]
    message:
      pl: {sms: "Ubezpieczenie na podroz?"}
"""
PHONE = "+48501777888"


@pytest.fixture(scope="module")
def engaged(
    tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink, twilio: FakeTwilio
) -> Iterator[ServerProcess]:
    data: Path = tmp_path_factory.mktemp("engagement")
    rules = data / "rules.yaml"
    rules.write_text(RULES)
    env = {**relay_env(smtp_sink, twilio), "OMNICENTER_ENGAGEMENT_RULES": str(rules)}
    proc = ServerProcess(data, env_extra=env)
    proc.start()
    yield proc
    proc.stop()


def _sms_in(server: ServerProcess, sid: str, body: str) -> None:
    url = f"{server.base}/api/v1/channels/sms/twilio"
    params = {"MessageSid": sid, "AccountSid": TWILIO_SID, "From": PHONE,
              "To": "+48800000000", "Body": body, "NumMedia": "0"}  # fmt: skip
    sig = compute_signature(TWILIO_TOKEN, url, list(params.items()))
    r = httpx.post(
        url,
        content=urllib.parse.urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )
    assert r.status_code == 200


def _event(eid: str, kind: str) -> dict[str, object]:
    return {
        "id": eid, "type": kind, "occurred_at": datetime.now(UTC).isoformat(),
        "customer": {"phone": PHONE, "name": "Piotr"}, "fields": {"order": "10001"},
    }  # fmt: skip


def test_event_to_sms_once_and_the_reply_joins_the_case(
    engaged: ServerProcess, twilio: FakeTwilio
) -> None:
    before = len(twilio.sent)
    with engaged.client("admin") as api:
        r = api.post("/engagement/events", json=_event("shop-77", "order_delayed"))
        assert r.status_code == 200, r.text
        [d] = r.json()["decisions"]
        assert (d["status"], d["channel"]) == ("sent", "sms")
        sent = twilio.wait(before + 1)
        assert sent[-1]["To"] == PHONE and "SORRY10" in sent[-1]["Body"]
        again = api.post("/engagement/events", json=_event("shop-77", "order_delayed")).json()
        assert again["duplicate"] and again["decisions"][0]["id"] == d["id"]

        skipped = api.post("/engagement/events", json=_event("pay-77", "payment_made")).json()
        assert skipped["decisions"][0]["status"] == "skipped"
        assert "no marketing opt-in" in skipped["decisions"][0]["reason"]

        _sms_in(engaged, "SM" + "e" * 32, "A kiedy dojdzie?")
        timeline = api.get(f"/customers/{r.json()['customer_id']}/timeline").json()
        reply = next(e for e in timeline if e["kind"] == "message_in")
        assert reply["case_id"] == d["case_id"]
        assert any("no marketing opt-in" in e["body"] for e in timeline if e["kind"] == "note")
        report = {s["rule_id"]: s for s in api.get("/engagement/report").json()}
        assert report["delayed"]["sent"] == 1 and report["delayed"]["replied"] == 1
    assert len(twilio.wait(before + 2, timeout=0.5)) == before + 1  # the duplicate sent nothing
