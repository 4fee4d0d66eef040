"""Outbox rows as delivery sees them: the message to send, what is pending, each attempt.

Replies are written to the `outbox` table in the same transaction as their timeline event;
the live dispatcher (`live.outbox`) reads them here and records every attempt here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from omnicenter.domain import Attachment, AuthorType, Channel, EventKind
from omnicenter.domain.messages import DeliveryStatus
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.services.verification import ONE_TIME_CODE
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t
from omnicenter.store.cases import attachments_of_event

__all__ = ["outbox_message", "pending_outbox", "record_delivery", "record_provider_status"]


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
    if status is DeliveryStatus.SENT and _is_one_time_code(uow.conn, outbox_id):
        values["body"] = "(one-time code: removed once sent)"
    uow.conn.execute(
        update(t.outbox)
        .where(t.outbox.c.id == outbox_id)
        .values(attempts=t.outbox.c.attempts + 1, **values)
    )


def _is_one_time_code(conn: Connection, outbox_id: str) -> bool:
    headers = conn.execute(select(t.outbox.c.headers).where(t.outbox.c.id == outbox_id)).scalar()
    return isinstance(headers, dict) and headers.items() >= ONE_TIME_CODE.items()


def record_provider_status(
    uow: UnitOfWork,
    channel: Channel,
    provider_ref: str,
    status: str,
    error: str | None = None,
) -> str | None:
    """The provider's word on a message we sent (sent, delivered, read, failed), on the
    timeline next to that message; a failure marks the outbox row too. None when the
    message is not ours, or this word was heard already (providers repeat themselves)."""
    conn = uow.conn
    row = conn.execute(
        select(t.outbox.c.id, t.outbox.c.event_id, t.outbox.c.interaction_id).where(
            t.outbox.c.channel == channel.value, t.outbox.c.provider_ref == provider_ref
        )
    ).first()
    interaction = cases_repo.get_interaction(conn, row.interaction_id) if row else None
    if row is None or interaction is None:
        return None
    heard = conn.execute(
        select(t.events.c.id).where(
            t.events.c.interaction_id == interaction.id,
            t.events.c.meta["outbox_id"].as_string() == row.id,
            t.events.c.meta["delivery"].as_string() == status,
        )
    ).first()
    if heard is not None:
        return None
    if status == "failed":
        conn.execute(
            update(t.outbox)
            .where(t.outbox.c.id == row.id)
            .values(status=DeliveryStatus.FAILED.value, error=(error or "failed")[:1000])
        )
    meta: dict[str, Any] = {
        "delivery": status,
        "outbox_id": row.id,
        "message_event_id": row.event_id,
    }
    if error:
        meta["error"] = error
    return add_timeline_event(
        uow,
        customer_id=interaction.customer_id,
        case_id=interaction.case_id,
        interaction_id=interaction.id,
        kind=EventKind.STATUS,
        channel=channel,
        author_type=AuthorType.SYSTEM,
        author_id=None,
        body=f"message {status}" + (f": {error}" if error else ""),
        meta=meta,
    )
