"""Wrap-up: the agent closes their part of a case with a disposition, a new status and,
when promised, a callback time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from omnicenter.domain import Agent, CaseStatus
from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.services.replies import ReplyError, record_case_change, require_case
from omnicenter.services.timeline import add_case_event
from omnicenter.services.uow import UnitOfWork

__all__ = ["DISPOSITIONS", "wrap_up"]

DISPOSITIONS = (
    "resolved_first_contact",
    "order_status_given",
    "return_started",
    "refund_promised",
    "escalated",
    "no_answer_needed",
)


def wrap_up(
    uow: UnitOfWork,
    agent: Agent,
    case_id: str,
    disposition: str,
    status: CaseStatus,
    *,
    callback_at: datetime | None = None,
    note: str | None = None,
) -> str:
    """Close the agent's part of a case: disposition, new status, an optional callback promise."""
    if disposition not in DISPOSITIONS:
        raise ReplyError(f"unknown disposition {disposition!r}")
    case = require_case(uow, case_id)
    meta: dict[str, Any] = {"disposition": disposition, "status": status.value}
    body = f"Wrap-up: {disposition.replace('_', ' ')}"
    if callback_at is not None:
        meta["callback_at"] = callback_at.isoformat()
        body += f"; callback promised at {callback_at.isoformat(timespec='minutes')}"
    if note:
        meta["note"] = note
        body += f"; {note}"
    event_id = add_case_event(
        uow, case, EventKind.WRAP_UP, body, meta, author_type=AuthorType.AGENT, author_id=agent.id
    )
    record_case_change(uow, agent, case, {"status": status})
    return event_id
