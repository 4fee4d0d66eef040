"""Engagement services on a real database: decisions on the timeline, sends through the
outbox once, quiet hours held and released, replies joining the proactive case, opt-out by
keyword, and the per-rule report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from omnicenter.domain import Channel, InboundEvent
from omnicenter.engagement import BusinessEvent, CustomerRef, RuleSet, parse_rules
from omnicenter.services.engagement import EventOutcome, record_business_event, release_due
from omnicenter.services.engagement_optout import opt_out_on_keyword
from omnicenter.services.engagement_report import rule_report
from omnicenter.services.inbound import IngestResult, ingest
from omnicenter.store import Database
from omnicenter.store import tables as t
from tests.integration.work import unit_of_work

T0 = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw, 20:00 in Tokyo
RULES = parse_rules("""\
version: 1
settings:
  quiet_hours: {start: "21:00", end: "08:00"}
  caps: {per_day: 2, per_week: 5}
rules:
  - id: delayed
    on: order_delayed
    purpose: service
    channels: [sms, email]
    values: {code: SORRY10}
    conversion: {event: order_placed, within: 7d}
    message:
      pl: {default: "Zamowienie {event.order} sie spozni. Kod {values.code}"}
  - id: offer
    on: payment_made
    when: event.amount > 100
    purpose: marketing
    channels: [sms]
    message:
      pl: {default: "Ubezpieczenie na podroz?"}
""")


def _event(
    eid: str,
    kind: str = "order_delayed",
    at: datetime = T0,
    tz: str | None = None,
    **fields: object,
) -> BusinessEvent:
    ref = CustomerRef(phone="+48 601 234 567", name="Ewa", timezone=tz)
    return BusinessEvent(eid, kind, at, ref, {"order": "10001", **fields})


def _record(
    db: Database, event: BusinessEvent, now: datetime = T0, rules: RuleSet = RULES
) -> EventOutcome:
    with db.transaction() as conn:
        return record_business_event(unit_of_work(conn), rules, event, now=now)


def _release(db: Database, now: datetime) -> list[str]:
    with db.transaction() as conn:
        return release_due(unit_of_work(conn), RULES, now=now)


def _sms_in(db: Database, body: str, key: str, at: datetime) -> IngestResult:
    ev = InboundEvent(Channel.SMS, "+48601234567", body, at, key)
    with db.transaction() as conn:
        return ingest(unit_of_work(conn, at), ev)


def _notes(db: Database, customer_id: str) -> list[str]:
    with db.reader() as conn:
        rows = conn.execute(
            select(t.events.c.body).where(
                t.events.c.customer_id == customer_id, t.events.c.kind == "note"
            )
        )
        return [r.body for r in rows]


def _outbox_count(db: Database) -> int:
    with db.reader() as conn:
        return int(conn.execute(select(func.count()).select_from(t.outbox)).scalar_one())


def test_an_event_sends_once_on_the_chosen_channel_and_the_reply_comes_home(db: Database) -> None:
    out = _record(db, _event("shop-1"))
    [d] = out.decisions
    assert (d.status, d.channel) == ("sent", "sms") and d.outbox_id and d.case_id
    with db.reader() as conn:
        row = conn.execute(select(t.outbox).where(t.outbox.c.id == d.outbox_id)).one()
    assert row.to_address == "+48601234567" and "SORRY10" in row.body
    again = _record(db, _event("shop-1"))
    assert again.duplicate and again.decisions[0].id == d.id and _outbox_count(db) == 1
    assert any("Engagement delayed: sent by sms" in n for n in _notes(db, out.customer_id))
    reply = _sms_in(db, "Dziekuje, a kiedy dojdzie?", "sms-1", T0 + timedelta(hours=1))
    assert reply.case_id == d.case_id and reply.customer_id == out.customer_id


def test_marketing_without_opt_in_is_skipped_with_the_reason_on_the_timeline(db: Database) -> None:
    out = _record(db, _event("pay-1", "payment_made", amount=300))
    [d] = out.decisions
    assert d.status == "skipped" and "no marketing opt-in on sms" in d.reason
    assert any("no marketing opt-in" in n for n in _notes(db, out.customer_id))
    assert _record(db, _event("pay-2", "payment_made", amount=50)).decisions == ()  # condition
    assert _outbox_count(db) == 0


def test_quiet_hours_in_the_customers_zone_hold_until_the_window_opens(db: Database) -> None:
    out = _record(
        db,
        _event("late-1", tz="Asia/Tokyo", at=T0 + timedelta(hours=2)),
        now=T0 + timedelta(hours=2),
    )
    [d] = out.decisions
    opens = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 08:00 in Tokyo
    assert d.status == "held" and d.release_at == opens and d.outbox_id is None
    assert _release(db, opens - timedelta(minutes=1)) == []
    sent = _release(db, opens)
    assert len(sent) == 1 and _release(db, opens + timedelta(minutes=5)) == []
    assert _outbox_count(db) == 1


def test_opt_out_by_keyword_stops_later_messages_and_is_counted(db: Database) -> None:
    out = _record(db, _event("o-1"))
    stop = _sms_in(db, "STOP", "sms-stop", T0 + timedelta(minutes=5))  # the ingest opts out
    with db.transaction() as conn:
        assert not opt_out_on_keyword(unit_of_work(conn, T0), stop.customer_id, Channel.SMS, "hi")
    later = _record(db, _event("o-2"), now=T0 + timedelta(hours=1))
    assert later.decisions[0].status == "skipped"
    assert "withdrew service consent on sms" in later.decisions[0].reason
    _record(
        db, _event("buy-1", "order_placed", at=T0 + timedelta(days=1)), now=T0 + timedelta(days=1)
    )
    with db.reader() as conn:
        stats = {s.rule_id: s for s in rule_report(conn, RULES)}
    s = stats["delayed"]
    assert (s.sent, s.replied, s.opted_out, s.converted) == (1, 1, 1, 1)
    assert s.cost_per_conversion == 0.08 and out.customer_id == stop.customer_id
