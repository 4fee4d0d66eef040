"""Customer satisfaction: the visitor rates the chat, and the rating goes on the case
timeline (metrics read it from there)."""

from __future__ import annotations

from typing import Any

from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.services.replies import ReplyError, require_case
from omnicenter.services.timeline import add_case_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.services.webchat import visitor_conversation

__all__ = ["record_csat"]


def record_csat(uow: UnitOfWork, visitor_id: str, score: int, comment: str | None) -> str:
    """The visitor's rating of the chat (1..5) with an optional comment; returns the event id."""
    if not 1 <= score <= 5:
        raise ReplyError("score must be 1..5")
    interaction = visitor_conversation(uow.conn, visitor_id)
    if interaction is None:
        raise ReplyError("no conversation yet")
    case = require_case(uow, interaction.case_id)
    body = f"Customer rating: {score}/5" + (f": {comment}" if comment else "")
    meta: dict[str, Any] = {"csat": score, **({"comment": comment} if comment else {})}
    return add_case_event(
        uow, case, EventKind.NOTE, body, meta, author_type=AuthorType.CUSTOMER, author_id=None
    )
