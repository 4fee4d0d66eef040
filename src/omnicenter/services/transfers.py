"""Transfers: a case handed to another agent (or supervisor), or back to a queue."""

from __future__ import annotations

from sqlalchemy import Connection, select

from omnicenter.domain import Agent, InteractionStatus
from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.services.replies import ReplyError, record_case_change, require_case
from omnicenter.services.timeline import add_case_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t

__all__ = ["DEFAULT_QUEUES", "latest_interaction", "transfer_case"]

# Transfer targets offered when live routing is switched off (otherwise its queues).
DEFAULT_QUEUES = ("general", "returns", "partner", "vip")


def transfer_case(
    uow: UnitOfWork, agent: Agent, case_id: str, *, to_agent_id: str | None, queue: str | None
) -> str:
    """Hand a case to another agent (or supervisor), or back to a queue (no owner)."""
    if (to_agent_id is None) == (queue is None):
        raise ReplyError("transfer to exactly one of: an agent, a queue")
    if to_agent_id is not None:
        target = uow.conn.execute(
            select(t.agents.c.display_name).where(t.agents.c.id == to_agent_id)
        ).first()
        if target is None:
            raise ReplyError(f"unknown agent {to_agent_id}")
        body, meta = f"Transferred to {target.display_name}", {"to_agent_id": to_agent_id}
    else:
        body, meta = f"Transferred to queue {queue}", {"queue": str(queue)}
    case = require_case(uow, case_id)
    event_id = add_case_event(
        uow, case, EventKind.TRANSFER, body, meta, author_type=AuthorType.AGENT, author_id=agent.id
    )
    # To a queue: nobody owns the case until routing (or an agent) takes it again.
    record_case_change(uow, agent, case, {"owner_agent_id": to_agent_id})
    return event_id


def latest_interaction(conn: Connection, case_id: str) -> str | None:
    """The case's newest open interaction (what routing queues when a case is transferred)."""
    row = conn.execute(
        select(t.interactions.c.id)
        .where(
            t.interactions.c.case_id == case_id,
            t.interactions.c.status == InteractionStatus.OPEN.value,
        )
        .order_by(t.interactions.c.created_at.desc(), t.interactions.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else str(row.id)
