"""The unit of work: one transaction, the events it will publish, what to do after commit,
and the channels' manifests (what a channel carries, how long a text may be), which the
runtime hands in so that services read a channel's own declaration without importing it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert

from omnicenter.bus.events import BusEvent
from omnicenter.domain import Channel, ChannelManifest
from omnicenter.domain.ids import new_id
from omnicenter.store import tables as t

__all__ = ["UnitOfWork", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class UnitOfWork:
    conn: Connection
    now: datetime = field(default_factory=utcnow)
    events: list[BusEvent] = field(default_factory=list)
    after_commit: list[Callable[[], Any]] = field(default_factory=list)
    channels: Mapping[Channel, ChannelManifest] = field(default_factory=dict)

    def manifest(self, channel: Channel) -> ChannelManifest:
        """`channel`'s manifest; LookupError for a channel no adapter handles."""
        try:
            return self.channels[channel]
        except KeyError:
            raise LookupError(f"no channel adapter handles {channel.value}") from None

    def emit(self, event: BusEvent) -> None:
        """Published only once the transaction has committed (never for rolled-back data)."""
        self.events.append(event)

    def audit(
        self, actor: str, action: str, subject_type: str, subject_id: str, **detail: Any
    ) -> None:
        self.conn.execute(
            insert(t.audit_log).values(
                id=new_id("aud"),
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                detail=detail,
                created_at=self.now,
            )
        )
