"""Outbox rows as delivery sees them: the message to send, what is pending, each attempt.

Replies are written to the `outbox` table in the same transaction as their timeline event;
the live dispatcher (`live.outbox`) reads them here and records every attempt here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from omnicenter.domain import Attachment, Channel
from omnicenter.domain.messages import DeliveryStatus
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t
from omnicenter.store.cases import attachments_of_event

__all__ = ["outbox_message", "pending_outbox", "record_delivery"]


def outbox_message(conn: Connection, outbox_id: str) -> tuple[Any, tuple[Attachment, ...]]:
    """The outbox row with who wrote it and its channel extras (e.g. a bot's buttons), and
    the files stored on its event when it goes by email (an agent's attachments)."""
    row = conn.execute(
        select(t.outbox, t.events.c.author_type, t.events.c.meta.label("event_meta"))
        .join(t.events, t.events.c.id == t.outbox.c.event_id, isouter=True)
        .where(t.outbox.c.id == outbox_id)
    ).first()
    if row is None or row.event_id is None or row.channel != Channel.EMAIL.value:
        return row, ()
    return row, attachments_of_event(conn, row.event_id)


def pending_outbox(conn: Connection) -> list[str]:
    """Messages committed but not yet handed to their channel, oldest first."""
    rows = conn.execute(
        select(t.outbox.c.id).where(t.outbox.c.status == "pending").order_by(t.outbox.c.created_at)
    )
    return [r.id for r in rows]


def record_delivery(
    uow: UnitOfWork,
    outbox_id: str,
    status: DeliveryStatus,
    ref: str | None,
    error: str | None,
) -> None:
    """One delivery attempt: its outcome, the provider's reference or the error."""
    values: dict[str, Any] = {"status": status.value, "provider_ref": ref, "error": error}
    if status in (DeliveryStatus.SENT, DeliveryStatus.STORED):
        values["sent_at"] = uow.now
    uow.conn.execute(
        update(t.outbox)
        .where(t.outbox.c.id == outbox_id)
        .values(attempts=t.outbox.c.attempts + 1, **values)
    )
