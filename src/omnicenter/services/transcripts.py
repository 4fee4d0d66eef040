"""A chat's transcript: the messages of the visitor's conversation, for the widget to show
or for the visitor to get by email."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select

from omnicenter.domain import Agent, AgentRole, Channel
from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.services.replies import ReplyError, SenderSettings, reply_on_channel
from omnicenter.services.uow import UnitOfWork
from omnicenter.services.webchat import open_session, visitor_conversation, visitor_interaction
from omnicenter.store import tables as t
from omnicenter.store.rows import AnyRow

__all__ = ["SYSTEM_AGENT", "chat_transcript", "email_transcript"]

# Who sends what the platform sends by itself (e.g. the transcript a visitor asked for).
SYSTEM_AGENT = Agent(
    id="system", username="system", display_name="omnicenter", role=AgentRole.AGENT
)

_MESSAGES = (
    select(
        t.events.c.id,
        t.events.c.author_type,
        t.events.c.body,
        t.events.c.created_at,
        t.events.c.meta,
    )
    .where(
        t.events.c.interaction_id == bindparam("interaction_id"),
        t.events.c.kind.in_((EventKind.MESSAGE_IN.value, EventKind.MESSAGE_OUT.value)),
    )
    .order_by(t.events.c.created_at, t.events.c.id)
)


def _messages(conn: Connection, interaction_id: str) -> Sequence[AnyRow]:
    return conn.execute(_MESSAGES, {"interaction_id": interaction_id}).all()


def chat_transcript(conn: Connection, visitor_id: str) -> list[dict[str, Any]]:
    """The visitor's current conversation as the widget shows it, oldest first (empty
    before the first message); `buttons` when the bot offered choices."""
    interaction_id = visitor_interaction(conn, visitor_id)
    if interaction_id is None:
        return []
    return [
        {
            "event_id": e.id,
            "author_type": e.author_type,
            "body": e.body,
            "created_at": e.created_at.isoformat(),
            **({"buttons": e.meta["buttons"]} if "buttons" in (e.meta or {}) else {}),
        }
        for e in _messages(conn, interaction_id)
    ]


def email_transcript(
    uow: UnitOfWork, visitor_id: str, email: str, sender: SenderSettings, region: str
) -> str:
    """Send the visitor the chat so far by email (the address joins the customer); returns
    the outbox id."""
    open_session(uow, visitor_id, email=email, region=region)
    interaction = visitor_conversation(uow.conn, visitor_id)
    if interaction is None:
        raise ReplyError("no conversation yet")
    lines = []
    for e in _messages(uow.conn, interaction.id):
        who = "You" if e.author_type == AuthorType.CUSTOMER else "Us"
        lines.append(f"[{e.created_at:%Y-%m-%d %H:%M}] {who}: {e.body}")
    body = "Your chat with us:\n\n" + "\n".join(lines)
    result = reply_on_channel(
        uow, SYSTEM_AGENT, interaction.case_id, Channel.EMAIL, body,
        sender=sender, subject="Your chat transcript",
    )  # fmt: skip
    return result.outbox_id
