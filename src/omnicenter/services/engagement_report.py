"""Per rule: sent, delivered, replied, opted out, converted (a business event within the
rule's window after the send), uplift against the holdout group, cost per conversion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from omnicenter.engagement import RuleSet
from omnicenter.metrics.cost import CostSettings
from omnicenter.store import tables as t

__all__ = ["RuleStats", "rule_report"]


@dataclass(frozen=True, slots=True)
class RuleStats:
    rule_id: str
    sent: int
    delivered: int
    replied: int
    opted_out: int
    held: int
    skipped: int
    holdout: int
    converted: int
    holdout_converted: int
    cost: float

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.sent if self.sent else None

    @property
    def holdout_rate(self) -> float | None:
        return self.holdout_converted / self.holdout if self.holdout else None

    @property
    def uplift(self) -> float | None:
        """Conversion rate of those sent minus that of the holdout group."""
        a, b = self.conversion_rate, self.holdout_rate
        return None if a is None or b is None else a - b

    @property
    def cost_per_conversion(self) -> float | None:
        return self.cost / self.converted if self.converted else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id, "sent": self.sent, "delivered": self.delivered,
            "replied": self.replied, "opted_out": self.opted_out, "held": self.held,
            "skipped": self.skipped, "holdout": self.holdout, "converted": self.converted,
            "holdout_converted": self.holdout_converted, "conversion_rate": self.conversion_rate,
            "uplift": self.uplift, "cost": round(self.cost, 4),
            "cost_per_conversion": self.cost_per_conversion,
        }  # fmt: skip


def _converted(
    conn: Connection, customer_id: str, event_type: str, after: datetime, within: timedelta
) -> bool:
    e = t.engagement_events.c
    q = select(e.id).where(
        e.customer_id == customer_id,
        e.type == event_type,
        e.occurred_at > after,
        e.occurred_at <= after + within,
    )
    return conn.execute(q.limit(1)).first() is not None


def rule_report(
    conn: Connection,
    rules: RuleSet,
    *,
    since: datetime | None = None,
    costs: CostSettings | None = None,
) -> list[RuleStats]:
    costs = costs or CostSettings()
    d = t.engagement_decisions.c
    q = select(t.engagement_decisions)
    if since is not None:
        q = q.where(d.created_at >= since)
    rows = list(conn.execute(q))
    ids = sorted({r.rule_id for r in rows} | {r.id for r in rules.rules})
    outbox = {
        r.id: r.status
        for r in conn.execute(
            select(t.outbox.c.id, t.outbox.c.status).where(
                t.outbox.c.id.in_([r.outbox_id for r in rows if r.outbox_id])
            )
        )
    }
    ev = t.events.c
    opt = t.engagement_optouts.c
    out = []
    for rule_id in ids:
        mine = [r for r in rows if r.rule_id == rule_id]
        rule = rules.rule(rule_id)
        sent = [r for r in mine if r.status == "sent"]
        held_out = [r for r in mine if r.holdout]
        replied = 0
        for r in sent:
            reply = conn.execute(
                select(ev.id)
                .where(ev.interaction_id == r.interaction_id, ev.kind == "message_in")
                .limit(1)
            ).first()
            replied += reply is not None
        converted = holdout_converted = 0
        if rule is not None and rule.conversion is not None:
            conv = rule.conversion
            converted = sum(
                _converted(conn, r.customer_id, conv.event_type, r.sent_at, conv.within)
                for r in sent
            )
            holdout_converted = sum(
                _converted(conn, r.customer_id, conv.event_type, r.created_at, conv.within)
                for r in held_out
            )
        opt_q = select(opt.id).where(opt.rule_id == rule_id)
        if since is not None:
            opt_q = opt_q.where(opt.created_at >= since)
        cost = sum(costs.rates[r.channel].per_contact for r in sent if r.channel in costs.rates)
        out.append(
            RuleStats(
                rule_id=rule_id,
                sent=len(sent),
                delivered=sum(outbox.get(r.outbox_id) in ("sent", "stored") for r in sent),
                replied=replied,
                opted_out=len(conn.execute(opt_q).all()),
                held=sum(r.status == "held" for r in mine),
                skipped=sum(r.status == "skipped" and not r.holdout for r in mine),
                holdout=len(held_out),
                converted=converted,
                holdout_converted=holdout_converted,
                cost=cost,
            )
        )
    return out
