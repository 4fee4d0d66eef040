"""The answer audit: every fact the bot or an agent told, and where two channels told one customer
different things about the same question (the single source of truth, checked after the
fact from the timeline: what was committed is what was said)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, asc, select

from omnicenter.domain import AuthorType, EventKind
from omnicenter.knowledge import Inconsistency, ToldFact, find_inconsistencies
from omnicenter.services.bot_turns import told_facts
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = ["answer_audit", "told_entries"]


def told_entries(conn: Connection, since: datetime) -> list[ToldFact]:
    """Every fact the bot or an agent told since `since`, per channel and (root) customer,
    from the timeline: what was committed is what was said."""
    rows = conn.execute(
        select(t.events.c.customer_id, t.events.c.channel, t.events.c.meta, t.events.c.created_at)
        .where(
            t.events.c.author_type.in_([AuthorType.BOT.value, AuthorType.AGENT.value]),
            t.events.c.kind == EventKind.MESSAGE_OUT.value,
            t.events.c.created_at >= since,
        )
        .order_by(asc(t.events.c.created_at))
    )
    roots: dict[str, str] = {}
    entries: list[ToldFact] = []
    for row in rows:
        facts = (row.meta or {}).get("facts") or []
        if not facts:
            continue
        if row.customer_id not in roots:
            roots[row.customer_id] = customers_repo.root_of(conn, row.customer_id)
        entries += told_facts(row.channel or "", roots[row.customer_id], facts, row.created_at)
    return entries


def answer_audit(
    conn: Connection, since: datetime, window: timedelta = timedelta(hours=1)
) -> list[Inconsistency]:
    """Different answers to the same question for the same customer on different channels."""
    return find_inconsistencies(told_entries(conn, since), window)
