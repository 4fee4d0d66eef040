"""The outbox dispatcher: hands committed outbound messages to their channel adapter, with
retries.

Replies are written to the `outbox` table in the same transaction as their timeline event,
so a crash between the commit and the send loses nothing: pending rows are sent again at
start. An adapter's `SendError` says whether trying again may help (`temporary`); anything
else an adapter raises is a bug, retried all the same so that no message is lost to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from omnicenter.bus.events import MessageDelivered
from omnicenter.channels.base import ChannelAdapter
from omnicenter.channels.errors import SendError
from omnicenter.domain import Channel, OutboundMessage
from omnicenter.domain.messages import DeliveryStatus
from omnicenter.runtime import Runtime
from omnicenter.services.deliveries import outbox_message, pending_outbox, record_delivery

__all__ = ["Dispatcher"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
_RENDERED = ("buttons", "template")


class Dispatcher:
    def __init__(self, runtime: Runtime, adapters: Mapping[Channel, ChannelAdapter[Any]]) -> None:
        self.runtime = runtime
        self.adapters = adapters
        self._tasks: set[asyncio.Task[None]] = set()

    def kick(self, *outbox_ids: str) -> None:
        """Deliver in the background (called after the commit that wrote the rows), one
        after the other: the messages of one turn reach the customer in the order written."""
        task = asyncio.get_running_loop().create_task(self._deliver_in_order(outbox_ids))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_in_order(self, outbox_ids: tuple[str, ...]) -> None:
        for outbox_id in outbox_ids:
            await self.deliver(outbox_id)

    async def resume(self) -> int:
        """At start: send whatever was committed but not yet handed over before a stop."""
        ids = await self.runtime.read(pending_outbox)
        for oid in ids:
            self.kick(oid)
        return len(ids)

    async def deliver(self, outbox_id: str) -> None:
        row, files = await self.runtime.read(outbox_message, outbox_id)
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
                # what the channel renders itself: a bot's buttons, an approved template
                **{k: v for k, v in (row.event_meta or {}).items() if k in _RENDERED},
                **({"attachments": files} if files else {}),
            },
        )
        adapter = self.adapters.get(channel)
        status, ref, error = DeliveryStatus.FAILED, None, None
        try:
            if adapter is None:
                raise SendError(f"no adapter sends on {channel.value}", temporary=False)
            delivery = await adapter.send(msg)
            status, ref = delivery.status, delivery.reference
        except SendError as exc:
            error = exc.reason
            if exc.temporary and row.attempts + 1 < MAX_ATTEMPTS:
                status = DeliveryStatus.PENDING
        except Exception as exc:  # a bug in an adapter must not lose the message
            log.exception("delivery of %s failed", outbox_id)
            error = f"internal error: {type(exc).__name__}"
            retry = row.attempts + 1 < MAX_ATTEMPTS
            status = DeliveryStatus.PENDING if retry else DeliveryStatus.FAILED
        await self.runtime.write(record_delivery, outbox_id, status, ref, error)
        if status is DeliveryStatus.PENDING:
            delay = timedelta(seconds=2 ** (row.attempts + 1)).total_seconds()
            asyncio.get_running_loop().call_later(delay, self.kick, outbox_id)
        await self.runtime.bus.publish(
            [
                MessageDelivered(
                    event_id=row.event_id,
                    outbox_id=outbox_id,
                    interaction_id=row.interaction_id,
                    channel=channel,
                    status=status,
                    error=error,
                )
            ]
        )

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
