"""Proactive engagement: business events in, one decision per triggered rule, sends out.

`record_business_event` stores the event (once per the sender's id), asks the core
(`omnicenter.engagement.decide`) for each rule the event triggers, and writes the
decision: sent, held or skipped, with the reason, on the customer's timeline. A send is a
new case waiting for the customer, an interaction on the chosen channel and an outbox row
(`write_outbound`), all in one transaction, so the dispatcher sends it after commit, a
reply threads into that case like any other, and the (rule, event) pair, unique in the
store, makes sure a restart or a rule change never sends it twice. `release_due` looks
again at held messages whose time has come.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from omnicenter.domain import CaseStatus, Channel, EventKind, Interaction
from omnicenter.domain.ids import new_id
from omnicenter.domain.model import AuthorType
from omnicenter.engagement import BusinessEvent, Decision, Outcome, Rule, RuleSet, decide
from omnicenter.knowledge import KnowledgeQuery
from omnicenter.services.case_changes import change_case
from omnicenter.services.engagement_situation import EventRow, condition_names, situation_for
from omnicenter.services.identity import Claim, resolve_customer
from omnicenter.services.replies import ReplyError, SenderSettings, fit_text, write_outbound
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = [
    "DecisionRecord",
    "EngagementError",
    "EventOutcome",
    "record_business_event",
    "release_due",
]

RELEASE_BATCH = 100
_SENDER = SenderSettings()


class EngagementError(ValueError):
    """An event that cannot be taken (the message says why); nothing was written."""


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    id: str
    rule_id: str
    status: str
    reason: str
    channel: str | None
    outbox_id: str | None
    release_at: datetime | None
    case_id: str | None


@dataclass(frozen=True, slots=True)
class EventOutcome:
    event_id: str
    customer_id: str
    duplicate: bool
    decisions: tuple[DecisionRecord, ...]

    @property
    def outbox_ids(self) -> list[str]:
        return [d.outbox_id for d in self.decisions if d.outbox_id and d.status == "sent"]


def _record(row: Any) -> DecisionRecord:
    return DecisionRecord(
        row.id, row.rule_id, row.status, row.reason, row.channel, row.outbox_id,
        row.release_at, row.case_id,
    )  # fmt: skip


def _customer_for(uow: UnitOfWork, event: BusinessEvent, region: str) -> str:
    ref = event.customer
    if ref.customer_id:
        if customers_repo.get_customer(uow.conn, ref.customer_id) is None:
            raise EngagementError(f"unknown customer {ref.customer_id}")
        return customers_repo.root_of(uow.conn, ref.customer_id)
    claims = [Claim(k, v) for k, v in (("email", ref.email), ("phone", ref.phone)) if v]
    if not claims:
        raise EngagementError("an event needs customer.id, customer.email or customer.phone")
    try:
        return resolve_customer(uow, claims, ref.name, region)
    except ValueError as exc:
        raise EngagementError(str(exc)) from exc


def _keep_profile(uow: UnitOfWork, customer_id: str, event: BusinessEvent) -> None:
    ref = event.customer
    if not (ref.timezone or ref.lang):
        return
    p = t.engagement_profiles.c
    values: dict[str, object] = {"updated_at": uow.now}
    if ref.timezone:
        values["timezone"] = ref.timezone
    if ref.lang:
        values["lang"] = ref.lang
    found = uow.conn.execute(select(p.customer_id).where(p.customer_id == customer_id)).first()
    if found is None:
        uow.conn.execute(
            insert(t.engagement_profiles).values(
                customer_id=customer_id, suppressed=False, **values
            )
        )
    else:
        uow.conn.execute(
            update(t.engagement_profiles).where(p.customer_id == customer_id).values(**values)
        )


def record_business_event(
    uow: UnitOfWork,
    rules: RuleSet,
    event: BusinessEvent,
    *,
    knowledge: KnowledgeQuery | None = None,
    sender: SenderSettings = _SENDER,
    region: str = "PL",
    now: datetime | None = None,
) -> EventOutcome:
    """Take one business event; the same event id again changes nothing."""
    if now is not None:
        uow.now = now  # everything in this unit of work is stamped with the caller's clock
    conn = uow.conn
    e = t.engagement_events.c
    seen = conn.execute(select(e.customer_id).where(e.id == event.id)).first()
    if seen is not None:
        d = t.engagement_decisions.c
        rows = conn.execute(select(t.engagement_decisions).where(d.event_id == event.id))
        return EventOutcome(event.id, seen.customer_id, True, tuple(_record(r) for r in rows))
    customer_id = _customer_for(uow, event, region)
    conn.execute(
        insert(t.engagement_events).values(
            id=event.id, type=event.type, customer_id=customer_id, fields=dict(event.fields),
            occurred_at=event.occurred_at, received_at=uow.now,
        )
    )  # fmt: skip
    _keep_profile(uow, customer_id, event)
    row = EventRow(event.id, event.type, customer_id, dict(event.fields), event.occurred_at)
    names = condition_names(conn, row)
    records = []
    for rule in rules.for_event(event.type):
        if rule.condition is not None and not rule.condition.holds(names):
            continue
        records.append(_decide_and_write(uow, rules, rule, row, None, knowledge, sender))
    return EventOutcome(event.id, customer_id, False, tuple(records))


def release_due(
    uow: UnitOfWork,
    rules: RuleSet,
    *,
    knowledge: KnowledgeQuery | None = None,
    sender: SenderSettings = _SENDER,
    now: datetime | None = None,
) -> list[str]:
    """Decide again on held messages whose time has come; returns the new outbox ids."""
    if now is not None:
        uow.now = now
    conn = uow.conn
    d = t.engagement_decisions.c
    due = conn.execute(
        select(t.engagement_decisions)
        .where(d.status == "held", d.release_at <= uow.now)
        .order_by(d.release_at)
        .limit(RELEASE_BATCH)
        .with_for_update(skip_locked=True)  # PostgreSQL: one node releases each message
    ).all()
    out = []
    for held in due:
        rule = rules.rule(held.rule_id)
        ev = conn.execute(
            select(t.engagement_events).where(t.engagement_events.c.id == held.event_id)
        ).one()
        if rule is None:
            _finish_held(uow, held.id, held.customer_id, held.rule_id, "the rule was removed")
            continue
        event = EventRow(ev.id, ev.type, ev.customer_id, dict(ev.fields), ev.occurred_at)
        rec = _decide_and_write(uow, rules, rule, event, held.id, knowledge, sender)
        if rec.status == "sent" and rec.outbox_id:
            out.append(rec.outbox_id)
    return out


def _finish_held(
    uow: UnitOfWork, decision_id: str, customer_id: str, rule_id: str, why: str
) -> None:
    uow.conn.execute(
        update(t.engagement_decisions)
        .where(t.engagement_decisions.c.id == decision_id)
        .values(status="skipped", reason=why, release_at=None, updated_at=uow.now)
    )
    _note(uow, customer_id, None, rule_id, Decision(Outcome.SKIP, why), decision_id)


def _decide_and_write(
    uow: UnitOfWork,
    rules: RuleSet,
    rule: Rule,
    event: EventRow,
    decision_id: str | None,
    knowledge: KnowledgeQuery | None,
    sender: SenderSettings,
) -> DecisionRecord:
    situation = situation_for(
        uow.conn, rule, rules.settings, event, manifests=uow.channels, knowledge=knowledge,
        now=uow.now,
    )  # fmt: skip
    decision = decide(situation, uow.now)
    ids: dict[str, Any] = {"outbox_id": None, "interaction_id": None, "case_id": None}
    if decision.outcome is Outcome.SEND:
        assert decision.channel is not None and decision.body is not None
        try:
            fit_text(uow, decision.channel, decision.body)
        except ReplyError as exc:
            decision = Decision(Outcome.SKIP, str(exc), decision.channel, decision.address)
    if decision.outcome is Outcome.SEND:
        ids = _send(uow, situation.customer_id, rule, event, decision, sender)
    values: dict[str, Any] = {
        "status": decision.outcome.value,
        "reason": decision.reason[:1000],
        "channel": decision.channel.value if decision.channel else None,
        "address": decision.address,
        "holdout": decision.holdout,
        "explanation": list(decision.explanation),
        "release_at": decision.release_at,
        "updated_at": uow.now,
        "sent_at": uow.now if decision.outcome is Outcome.SEND else None,
        "rule_version": rules.version,
        **ids,
    }
    if decision_id is None:
        decision_id = new_id("eng")
        uow.conn.execute(
            insert(t.engagement_decisions).values(
                id=decision_id, rule_id=rule.id, event_id=event.id,
                customer_id=situation.customer_id, purpose=rule.purpose.value,
                due_at=situation.due_at, expires_at=situation.expires_at, created_at=uow.now,
                **values,
            )
        )  # fmt: skip
    else:
        uow.conn.execute(
            update(t.engagement_decisions)
            .where(t.engagement_decisions.c.id == decision_id)
            .values(**values)
        )
    _note(uow, situation.customer_id, ids["case_id"], rule.id, decision, decision_id)
    return DecisionRecord(
        decision_id, rule.id, decision.outcome.value, decision.reason,
        decision.channel.value if decision.channel else None, ids["outbox_id"],
        decision.release_at, ids["case_id"],
    )  # fmt: skip


def _send(
    uow: UnitOfWork,
    customer_id: str,
    rule: Rule,
    event: EventRow,
    decision: Decision,
    sender: SenderSettings,
) -> dict[str, Any]:
    """The proactive contact: a case waiting for the customer's answer, an interaction on
    the chosen channel, and the message through the outbox."""
    assert decision.channel is not None and decision.address is not None
    assert decision.body is not None
    conn = uow.conn
    fields = {"engagement_rule": rule.id, "engagement_event": event.id}
    case_id = cases_repo.create_case(
        conn, uow.now, customer_id, decision.subject or rule.name, decision.channel, fields=fields
    )
    case = cases_repo.get_case(conn, case_id)
    assert case is not None
    change_case(uow, case, status=CaseStatus.PENDING)
    subject = decision.subject if decision.channel is Channel.EMAIL else None
    interaction_id = cases_repo.create_interaction(
        conn, uow.now, case_id, customer_id, decision.channel, decision.address, subject, None
    )
    interaction = cases_repo.get_interaction(conn, interaction_id)
    assert isinstance(interaction, Interaction)
    _, outbox_id = write_outbound(
        uow, interaction, decision.body, author_type=AuthorType.SYSTEM, author_id=None,
        sender=sender, subject=subject,
        extra_meta={"engagement": {"rule": rule.id, "name": rule.name, "event": event.id}},
    )  # fmt: skip
    return {"outbox_id": outbox_id, "interaction_id": interaction_id, "case_id": case_id}


def _note(
    uow: UnitOfWork,
    customer_id: str,
    case_id: str | None,
    rule_id: str,
    decision: Decision,
    decision_id: str,
) -> None:
    """Every decision is on the customer's timeline, with the reason and the channel."""
    channel = f" by {decision.channel.value}" if decision.channel else ""
    body = f"Engagement {rule_id}: {decision.outcome.value}{channel} ({decision.reason})"
    if decision.release_at is not None:
        body += f"; looked at again at {decision.release_at.isoformat()}"
    meta: Mapping[str, Any] = {
        "engagement": {
            "decision": decision_id,
            "rule": rule_id,
            "status": decision.outcome.value,
            "reason": decision.reason,
            "channel": decision.channel.value if decision.channel else None,
            "explanation": list(decision.explanation),
            "holdout": decision.holdout,
        }
    }
    add_timeline_event(
        uow, customer_id=customer_id, case_id=case_id, interaction_id=None, kind=EventKind.NOTE,
        channel=None, author_type=AuthorType.SYSTEM, author_id=None, body=body, meta=dict(meta),
    )  # fmt: skip
