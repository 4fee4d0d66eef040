"""A phone call on the timeline: its events, its end, its recording's expiry, and the calls
a stopped process left open.

A call starts through the one ingest like every contact (`services.inbound.ingest`, which
resolves the caller and chooses the case); from then on the phone (`live.phone`) records
each call event here as a timeline event of the call's interaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, desc, select, update

from omnicenter.domain import Channel, EventKind
from omnicenter.domain.model import AuthorType
from omnicenter.services.inbound import IngestResult
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t

__all__ = [
    "CALL_CHANNELS",
    "CallRecord",
    "close_call",
    "close_stale_calls",
    "expire_recording",
    "record_call_event",
    "recording_known",
]

CALL_CHANNELS = (Channel.VOICE, Channel.CALLBACK)
RECORDING = "recording"  # `meta.call` of the event that links a call's recording


@dataclass(frozen=True, slots=True)
class CallRecord:
    customer_id: str
    case_id: str
    interaction_id: str
    new_case: bool = False

    @classmethod
    def of(cls, started: IngestResult) -> CallRecord:
        assert started.case_id is not None and started.interaction_id is not None
        return cls(started.customer_id, started.case_id, started.interaction_id, started.new_case)


def record_call_event(
    uow: UnitOfWork,
    rec: CallRecord,
    channel: Channel,
    kind: EventKind,
    body: str,
    meta: dict[str, Any],
) -> str:
    """One event of a live call (ringing, connected, hold, transfer, recording, ...)."""
    event_id = add_timeline_event(
        uow, customer_id=rec.customer_id, case_id=rec.case_id,
        interaction_id=rec.interaction_id, kind=kind, channel=channel,
        author_type=AuthorType.SYSTEM, author_id=None, body=body, meta=meta,
    )  # fmt: skip
    cases_repo.touch(uow.conn, uow.now, rec.case_id, rec.interaction_id)
    return event_id


def close_call(
    uow: UnitOfWork,
    rec: CallRecord,
    channel: Channel,
    kind: EventKind,
    body: str,
    meta: dict[str, Any],
) -> None:
    """The last event of a call; a call's interaction is over when the call is."""
    record_call_event(uow, rec, channel, kind, body, meta)
    uow.conn.execute(
        update(t.interactions)
        .where(t.interactions.c.id == rec.interaction_id)
        .values(status="closed", closed_at=uow.now)
    )


def expire_recording(uow: UnitOfWork, call_id: str, path: str) -> bool:
    """A deleted recording: a `recording_expired` event next to the call's `recording` one,
    so the timeline says why its link is gone. False when the call is unknown here."""
    row = uow.conn.execute(
        select(t.events)
        .where(t.events.c.meta["call_id"].as_string() == call_id)
        .order_by(desc(t.events.c.created_at))
        .limit(1)
    ).first()
    if row is None:
        return False
    meta = {"call": "recording_expired", "call_id": call_id, "path": path}
    body = "call recording expired (retention)"
    add_timeline_event(
        uow, customer_id=row.customer_id, case_id=row.case_id,
        interaction_id=row.interaction_id, kind=EventKind.STATUS,
        channel=Channel(row.channel) if row.channel else Channel.VOICE,
        author_type=AuthorType.SYSTEM, author_id=None, body=body, meta=meta,
    )  # fmt: skip
    return True


def recording_known(conn: Connection, call_id: str) -> bool:
    """Whether the timeline has a `recording` of this call (its file may be gone)."""
    row = conn.execute(
        select(t.events.c.id)
        .where(
            t.events.c.meta["call_id"].as_string() == call_id,
            t.events.c.meta["call"].as_string() == RECORDING,
        )
        .limit(1)
    ).first()
    return row is not None


def close_stale_calls(uow: UnitOfWork) -> list[str]:
    """No call survives a restart: close call interactions left open by the last run."""
    ids = [
        str(r.id)
        for r in uow.conn.execute(
            select(t.interactions.c.id).where(
                t.interactions.c.status == "open",
                t.interactions.c.channel.in_([c.value for c in CALL_CHANNELS]),
            )
        )
    ]
    if ids:
        uow.conn.execute(
            update(t.interactions)
            .where(t.interactions.c.id.in_(ids))
            .values(status="closed", closed_at=uow.now)
        )
    return ids
