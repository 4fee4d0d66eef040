"""What the engagement core needs to decide, read from the store: the customer's
addresses, consents, time zone, language, last active channel, proactive sends (for the
caps) and history, and the facts the rule's templates quote."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, desc, func, select

from omnicenter.domain import Channel, ChannelManifest
from omnicenter.engagement import (
    ChannelFacts,
    MissingValue,
    Rule,
    RuleSettings,
    Situation,
    condition_scope,
    customer_zone,
    lookup_facts,
)
from omnicenter.knowledge import KnowledgeQuery
from omnicenter.metrics.cost import CostSettings
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = ["EventRow", "condition_names", "situation_for"]

_ADDRESS_KINDS = {"phone": Channel.SMS, "email": Channel.EMAIL, "messenger": Channel.MESSENGER}
_COSTS = CostSettings()


@dataclass(frozen=True, slots=True)
class EventRow:
    id: str
    type: str
    customer_id: str
    fields: Mapping[str, Any]
    occurred_at: datetime


def _customer(conn: Connection, root: str) -> dict[str, object]:
    row = conn.execute(select(t.customers).where(t.customers.c.id == root)).one()
    return {
        "id": row.id,
        "name": row.display_name,
        "segment": row.segment,
        "value": row.value,
    }


def _history(conn: Connection, family: list[str]) -> dict[str, object]:
    e = t.engagement_events.c
    counts: dict[str, object] = {
        r.type: r.n
        for r in conn.execute(
            select(e.type, func.count().label("n"))
            .where(e.customer_id.in_(family))
            .group_by(e.type)
        )
    }
    cases = conn.execute(
        select(func.count()).select_from(t.cases).where(t.cases.c.customer_id.in_(family))
    ).scalar_one()
    return {**counts, "cases": cases}


def condition_names(conn: Connection, event: EventRow) -> dict[str, object]:
    """The scope a rule's condition reads."""
    root = customers_repo.root_of(conn, event.customer_id)
    family = customers_repo.customer_family(conn, root)
    customer = {**_customer(conn, root), "tier": event.fields.get("tier")}
    return condition_scope(
        {**event.fields, "type": event.type, "id": event.id}, customer, _history(conn, family)
    )


def _sent_times(conn: Connection, root: str, since: datetime) -> list[Any]:
    d = t.engagement_decisions.c
    return list(
        conn.execute(
            select(d.channel, d.rule_id, d.sent_at).where(
                d.customer_id == root, d.status == "sent", d.sent_at > since
            )
        )
    )


def situation_for(
    conn: Connection,
    rule: Rule,
    settings: RuleSettings,
    event: EventRow,
    *,
    manifests: Mapping[Channel, ChannelManifest],
    knowledge: KnowledgeQuery | None,
    now: datetime,
) -> Situation:
    root = customers_repo.root_of(conn, event.customer_id)
    family = customers_repo.customer_family(conn, root)
    customer = _customer(conn, root)
    reachable: dict[Channel, str] = {}
    for ident in customers_repo.identities_of(conn, family):
        channel = _ADDRESS_KINDS.get(ident.kind)
        if channel is not None:
            reachable[channel] = ident.address  # the newest address of a kind wins
    prof = conn.execute(
        select(t.engagement_profiles).where(t.engagement_profiles.c.customer_id == root)
    ).first()
    zone = customer_zone(
        prof.timezone if prof else None, reachable.get(Channel.SMS), settings.default_timezone
    )
    lang = str(event.fields.get("lang") or (prof.lang if prof else None) or settings.default_lang)
    c = t.customer_consents.c
    consents = {
        (r.channel, r.purpose): bool(r.granted)
        for r in conn.execute(select(c.channel, c.purpose, c.granted).where(c.customer_id == root))
    }
    ev = t.events.c
    last = conn.execute(
        select(ev.channel)
        .where(ev.customer_id.in_(family), ev.kind == "message_in")
        .order_by(desc(ev.created_at))
        .limit(1)
    ).first()
    sent: dict[Channel, list[datetime]] = {}
    rule_sent: list[datetime] = []
    lookback = max(timedelta(days=7), rule.once_within or timedelta(0))
    for r in _sent_times(conn, root, now - lookback):
        sent.setdefault(Channel(r.channel), []).append(r.sent_at)
        if r.rule_id == rule.id:
            rule_sent.append(r.sent_at)
    scope: dict[str, object] = {
        "event": {**event.fields, "type": event.type, "id": event.id},
        "customer": {**customer, "tier": event.fields.get("tier")},
        "values": dict(rule.values),
    }
    missing = None
    try:
        scope.update(lookup_facts(rule.facts, scope, knowledge, lang, now))
    except MissingValue as exc:
        missing = str(exc.args[0])
    facts = ChannelFacts(
        reachable=reachable,
        security={ch: m.security for ch, m in manifests.items() if m.text_replies},
        costs={
            ch: _COSTS.rates[ch.value].per_contact for ch in Channel if ch.value in _COSTS.rates
        },
        last_active=Channel(last.channel) if last and last.channel else None,
        low_value=str(customer["segment"]) in _COSTS.low_value,
    )
    return Situation(
        rule=rule,
        settings=settings,
        customer_id=root,
        zone=zone,
        lang=lang,
        consents=consents,
        suppressed=bool(prof.suppressed) if prof else False,
        channels=facts,
        sent_at={ch: tuple(v) for ch, v in sent.items()},
        rule_sent_at=tuple(rule_sent),
        scope=scope,
        due_at=event.occurred_at + rule.delay,
        expires_at=event.occurred_at + rule.delay + rule.expires_after,
        missing=missing,
    )
