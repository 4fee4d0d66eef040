"""The outbox dispatcher: hands committed outbound messages to their channel, with retries.

Replies are written to the `outbox` table in the same transaction as their timeline event,
so a crash between the commit and the send loses nothing: pending rows are sent again at start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from omnicenter.bus.events import MessageDelivered
from omnicenter.domain import Attachment, Channel, OutboundMessage
from omnicenter.runtime import Runtime
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t
from omnicenter.store.cases import attachments_of_event

__all__ = ["DeliveryError", "Dispatcher", "Sender"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


class DeliveryError(Exception):
    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


# A channel sender returns (status, provider reference); status is `sent` or `stored`.
Sender = Callable[[OutboundMessage], Awaitable[tuple[str, str | None]]]


def _load(conn: Connection, outbox_id: str) -> tuple[Any, tuple[Attachment, ...]]:
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


def _pending(conn: Connection) -> list[str]:
    rows = conn.execute(
        select(t.outbox.c.id).where(t.outbox.c.status == "pending").order_by(t.outbox.c.created_at)
    )
    return [r.id for r in rows]


def _record(
    uow: UnitOfWork, outbox_id: str, status: str, ref: str | None, error: str | None
) -> None:
    values: dict[str, Any] = {"status": status, "provider_ref": ref, "error": error}
    if status in ("sent", "stored"):
        values["sent_at"] = uow.now
    uow.conn.execute(
        update(t.outbox)
        .where(t.outbox.c.id == outbox_id)
        .values(attempts=t.outbox.c.attempts + 1, **values)
    )


class Dispatcher:
    def __init__(self, runtime: Runtime, senders: dict[Channel, Sender]) -> None:
        self.runtime = runtime
        self.senders = senders
        self._tasks: set[asyncio.Task[None]] = set()

    def kick(self, outbox_id: str) -> None:
        """Deliver in the background (called after the commit that wrote the row)."""
        task = asyncio.get_running_loop().create_task(self.deliver(outbox_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def resume(self) -> int:
        """At start: send whatever was committed but not yet handed over before a stop."""
        ids = await self.runtime.read(_pending)
        for oid in ids:
            self.kick(oid)
        return len(ids)

    async def deliver(self, outbox_id: str) -> None:
        row, files = await self.runtime.read(_load, outbox_id)
        if row is None or row.status != "pending":
            return
        channel = Channel(row.channel)
        msg = OutboundMessage(
            channel=channel,
            to=row.to_address,
            body=row.body,
            interaction_id=row.interaction_id,
            event_id=row.event_id,
            subject=row.subject,
            sender=None if channel is Channel.EMAIL else row.from_address,
            headers=dict(row.headers or {}),
            meta={
                "author_type": row.author_type or "agent",
                **(
                    {"buttons": row.event_meta["buttons"]}
                    if "buttons" in (row.event_meta or {})
                    else {}
                ),
                **({"attachments": files} if files else {}),
            },
        )
        sender = self.senders.get(channel)
        status, ref, error = "failed", None, None
        try:
            if sender is None:
                raise DeliveryError(f"no sender for channel {channel.value}", temporary=False)
            status, ref = await sender(msg)
        except DeliveryError as exc:
            error = exc.reason
            if exc.temporary and row.attempts + 1 < MAX_ATTEMPTS:
                status = "pending"
        except Exception as exc:  # a bug in an adapter must not lose the message
            log.exception("delivery of %s failed", outbox_id)
            error = f"internal error: {type(exc).__name__}"
            status = "pending" if row.attempts + 1 < MAX_ATTEMPTS else "failed"
        await self.runtime.write(_record, outbox_id, status, ref, error)
        if status == "pending":
            delay = timedelta(seconds=2 ** (row.attempts + 1)).total_seconds()
            asyncio.get_running_loop().call_later(delay, self.kick, outbox_id)
        await self.runtime.bus.publish(
            [
                MessageDelivered(
                    event_id=row.event_id,
                    outbox_id=outbox_id,
                    interaction_id=row.interaction_id,
                    channel=channel.value,
                    status=status,
                    error=error,
                )
            ]
        )

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
