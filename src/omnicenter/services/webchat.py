"""Web chat sessions: a visitor id bound to a customer, surviving page reloads, and the chat
interaction each session leads to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, update

from omnicenter.domain import Channel, Interaction
from omnicenter.domain.ids import new_id
from omnicenter.services.identity import Claim, resolve_customer
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t

__all__ = [
    "SESSION_LANGS",
    "ChatSession",
    "bind_visitor_interaction",
    "chat_lang",
    "open_session",
    "visitor_conversation",
    "visitor_for_interaction",
    "visitor_interaction",
]

# Built once: every visitor message looks its interaction up.
_SESSION_INTERACTION = select(t.webchat_sessions.c.interaction_id).where(
    t.webchat_sessions.c.id == bindparam("visitor_id")
)
_INTERACTION_ADDRESS = select(t.interactions.c.channel, t.interactions.c.address).where(
    t.interactions.c.id == bindparam("interaction_id")
)


# The languages the widget speaks (web/static/i18n/<lang>.json); a session keeps one of
# them, and the bot answers the chat in it when its flow has it.
SESSION_LANGS = ("pl", "en")

_CHAT_LANG = (
    select(t.webchat_sessions.c.lang)
    .select_from(
        t.interactions.join(t.webchat_sessions, t.webchat_sessions.c.id == t.interactions.c.address)
    )
    .where(
        t.interactions.c.id == bindparam("interaction_id"),
        t.interactions.c.channel == Channel.WEBCHAT.value,
    )
)


@dataclass(frozen=True, slots=True)
class ChatSession:
    visitor_id: str
    customer_id: str
    interaction_id: str | None


def open_session(
    uow: UnitOfWork,
    visitor_id: str | None,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    region: str = "PL",
    lang: str | None = None,
) -> ChatSession:
    """Resume the visitor's session, or start one; what the visitor tells us links identities.
    `lang` (one of SESSION_LANGS) is the visitor's language from now on; None keeps it."""
    if lang is not None and lang not in SESSION_LANGS:
        lang = None
    conn = uow.conn
    row = None
    if visitor_id:
        row = conn.execute(
            select(t.webchat_sessions).where(t.webchat_sessions.c.id == visitor_id)
        ).first()
    visitor_id = row.id if row else new_id("vis")
    claims = [Claim("webchat", visitor_id)]
    if email:
        claims.append(Claim("email", email))
    if phone:
        claims.append(Claim("phone", phone))
    customer_id = resolve_customer(uow, claims, name, region)
    if row is None:
        conn.execute(
            insert(t.webchat_sessions).values(
                id=visitor_id,
                customer_id=customer_id,
                created_at=uow.now,
                last_seen_at=uow.now,
                lang=lang,
            )
        )
        return ChatSession(visitor_id, customer_id, None)
    conn.execute(
        update(t.webchat_sessions)
        .where(t.webchat_sessions.c.id == visitor_id)
        .values(last_seen_at=uow.now, **({"lang": lang} if lang else {}))
    )
    return ChatSession(visitor_id, customer_id, row.interaction_id)


def bind_visitor_interaction(uow: UnitOfWork, visitor_id: str, interaction_id: str) -> None:
    """The visitor's session leads to this chat interaction from now on (its first message
    opened it)."""
    uow.conn.execute(
        update(t.webchat_sessions)
        .where(t.webchat_sessions.c.id == visitor_id)
        .values(interaction_id=interaction_id, last_seen_at=uow.now)
    )


def visitor_interaction(conn: Connection, visitor_id: str) -> str | None:
    """The chat interaction of a visitor's session: None for an unknown visitor, or before
    the first message."""
    found = conn.execute(_SESSION_INTERACTION, {"visitor_id": visitor_id}).scalar()
    return None if found is None else str(found)


def visitor_conversation(conn: Connection, visitor_id: str) -> Interaction | None:
    """`visitor_interaction`, loaded."""
    interaction_id = visitor_interaction(conn, visitor_id)
    return None if interaction_id is None else cases_repo.get_interaction(conn, interaction_id)


def visitor_for_interaction(conn: Connection, interaction_id: str) -> str | None:
    """The visitor behind a chat interaction (None for any other channel): where the agent's
    typing indicator goes."""
    row = conn.execute(_INTERACTION_ADDRESS, {"interaction_id": interaction_id}).first()
    if row is None or row.channel != Channel.WEBCHAT.value:
        return None
    return str(row.address)


def chat_lang(conn: Connection, interaction_id: str) -> str | None:
    """The language a web chat's visitor chose (None: another channel, or not chosen): the
    bot starts the conversation in it."""
    found = conn.execute(_CHAT_LANG, {"interaction_id": interaction_id}).scalar()
    return None if found is None else str(found)
