"""Callback promises made durable: made, kept or broken on the timeline, and owed after a restart.

A promise is a `promise_made` routing fact (its id is the routing task that keeps it). The
live router records `promise_kept` or `promise_broken` when the engine settles it, once per
promise whatever the retries and restarts. The engine's own state is in memory: at start,
`open_promises` finds those still owed (the case is open and no agent has taken the
callback) and `live.restore` schedules them again with their due time, so a crash or a
restart loses no promise and a missed one is still flagged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from omnicenter.services.assignments import (
    WaitingWork,
    record_routing,
    routing_events,
)
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t

__all__ = [
    "OpenPromise",
    "open_promises",
    "promise_made_meta",
    "record_promise_made",
    "record_promise_outcome",
]

log = logging.getLogger(__name__)

# the routing events that can name a promise
_BODIES = (
    "callback promised",
    "callback promise kept",
    "callback promise broken",
    "callback not answered",
    "assigned",
)


@dataclass(frozen=True, slots=True)
class OpenPromise:
    promise_id: str
    interaction_id: str
    case_id: str
    due_at: datetime
    queue: str
    number: str  # the customer's phone ("" when the promise names none)


def promise_made_meta(
    work: WaitingWork,
    promise_id: str,
    queue: str,
    due_at: datetime,
    phone: str,
    source: str,
    note: str,
) -> dict[str, Any]:
    return {
        "fact": "promise_made",
        "promise_id": promise_id,
        "due_at": due_at.isoformat(),
        "queue": queue,
        "segment": work.segment,
        "number": phone,
        "source": source,
        "note": note,
    }


def record_promise_made(uow: UnitOfWork, interaction_id: str, meta: dict[str, Any]) -> str | None:
    """The fact (metric buckets updated with it), published like any timeline event so the
    desktop shows the promise at once."""
    return record_routing(uow, interaction_id, "callback promised", meta, announce=True)


def record_promise_outcome(
    uow: UnitOfWork, interaction_id: str, promise_id: str, kept: bool, meta: dict[str, Any]
) -> str | None:
    """`promise_kept` or `promise_broken`, once per promise: a promise flagged broken and
    restored after a restart is flagged again by the engine, and that is not a second one."""
    interaction = uow.conn.execute(
        select(t.interactions.c.case_id).where(t.interactions.c.id == interaction_id)
    ).first()
    if interaction is None:
        return None
    if promise_id in _settled(uow.conn, interaction.case_id):
        return None
    fact = "promise_kept" if kept else "promise_broken"
    body = "callback promise kept" if kept else "callback promise broken"
    return record_routing(
        uow, interaction_id, body, {**meta, "fact": fact, "promise_id": promise_id}, announce=True
    )


def _settled(conn: Connection, case_id: str) -> set[str]:
    """Promises of the case that were kept or broken."""
    out = set()
    for row in routing_events(conn, _BODIES, [case_id]):
        meta = row.meta or {}
        if meta.get("fact") in ("promise_kept", "promise_broken") and meta.get("promise_id"):
            out.add(str(meta["promise_id"]))
    return out


def open_promises(conn: Connection) -> list[OpenPromise]:
    """Promises still owed: made on an open case and, since, no agent has taken the
    callback, or the call they made was not answered (a broken promise is still owed a
    call)."""
    made: dict[str, OpenPromise] = {}
    owed: dict[str, bool] = {}
    for row in routing_events(conn, _BODIES):
        meta = row.meta or {}
        fact = meta.get("fact")
        promise_id = meta.get("promise_id")
        if not promise_id:
            continue
        if fact == "promise_made" and row.interaction_id:
            try:
                due_at = datetime.fromisoformat(str(meta["due_at"]))
            except (KeyError, ValueError):
                log.warning("promise %s has no readable due time: not restored", promise_id)
                continue
            made[str(promise_id)] = OpenPromise(
                promise_id=str(promise_id),
                interaction_id=row.interaction_id,
                case_id=row.case_id,
                due_at=due_at,
                queue=str(meta.get("queue") or ""),
                number=str(meta.get("number") or ""),
            )
            owed[str(promise_id)] = True
        elif fact in ("promise_kept", "task_answered"):  # (the callback's assignment names it)
            owed[str(promise_id)] = False
        elif fact == "callback_failed":
            owed[str(promise_id)] = True
    return [p for p in made.values() if owed.get(p.promise_id)]
