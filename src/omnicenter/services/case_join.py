"""Which case a new contact joins: the one place this rule is written.

A customer who goes on in another channel is not a new stranger. A new interaction (a
chat, a text, an email that threads into nothing, a form, a call) from a known customer
joins, in this order:

1. the case a callback was placed for (the phone calls the customer about that case);
2. an open case about the same order: the contact names an order number that an open case
   of the customer's family has collected (`order_number`, from the bot or a form);
3. the family's most recently active open case, if it was active within the join window
   (`OMNICENTER_CASE_JOIN_WINDOW_H`, 72 hours by default; 0 turns joining off);

else it starts a case of its own. The reason is kept on the contact's timeline event, so an
agent sees why ("same order 10001"), and can split the contact off or move it to another
case (`services/case_moves.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, desc, select

from omnicenter.domain import Case, InboundEvent
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t
from omnicenter.store.rows import to_case

__all__ = ["DEFAULT_JOIN_WINDOW", "ORDER_FIELD", "Joined", "case_to_join", "choose_case"]

DEFAULT_JOIN_WINDOW = timedelta(hours=72)
ORDER_FIELD = "order_number"  # the field the shop flow collects an order number into
_NUMBER = re.compile(r"(?<!\d)\d{4,12}(?!\d)")
_OPEN_CASES = 20  # the family's most recently active open cases looked at


@dataclass(frozen=True, slots=True)
class Joined:
    case_id: str
    reason: str  # for people: "same order 10001"


def _numbers(ev: InboundEvent) -> set[str]:
    text = " ".join([ev.body, ev.subject or "", *(str(v) for v in ev.fields.values())])
    return set(_NUMBER.findall(text))


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


def choose_case(
    ev: InboundEvent, open_cases: Sequence[Case], now: datetime, window: timedelta
) -> Joined | None:
    """The rule itself, over the family's open cases, most recently active first."""
    placed_for = ev.meta.get("case_id")
    if isinstance(placed_for, str) and placed_for:
        return Joined(placed_for, "the callback promised on this case")
    if window <= timedelta(0) or not open_cases:
        return None
    numbers = _numbers(ev)
    for case in open_cases:
        order = case.fields.get(ORDER_FIELD)
        if order is not None and str(order) in numbers:
            return Joined(case.id, f"same order {order}")
    latest = open_cases[0]
    if now - latest.updated_at <= window:
        return Joined(latest.id, f"open case, active {_ago(now - latest.updated_at)}")
    return None


def _open_cases(conn: Connection, family: list[str]) -> list[Case]:
    rows = conn.execute(
        select(t.cases)
        .where(t.cases.c.customer_id.in_(family), cases_repo.CASE_IS_OPEN)
        .order_by(desc(t.cases.c.updated_at), desc(t.cases.c.id))
        .limit(_OPEN_CASES)
    )
    return [to_case(r) for r in rows]


def case_to_join(
    conn: Connection, ev: InboundEvent, customer_id: str, now: datetime, window: timedelta
) -> Joined | None:
    """The case a new interaction of `customer_id` belongs to; None: a new case."""
    family = customers_repo.customer_family(conn, customers_repo.root_of(conn, customer_id))
    return choose_case(ev, _open_cases(conn, family), now, window)
