"""Web chat sessions: a visitor id bound to a customer, surviving page reloads."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update

from omnicenter.domain.ids import new_id
from omnicenter.services.identity import Claim, resolve_customer
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t

__all__ = ["ChatSession", "open_session"]


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
) -> ChatSession:
    """Resume the visitor's session, or start one; what the visitor tells us links identities."""
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
                id=visitor_id, customer_id=customer_id, created_at=uow.now, last_seen_at=uow.now
            )
        )
        return ChatSession(visitor_id, customer_id, None)
    conn.execute(
        update(t.webchat_sessions)
        .where(t.webchat_sessions.c.id == visitor_id)
        .values(last_seen_at=uow.now)
    )
    return ChatSession(visitor_id, customer_id, row.interaction_id)
