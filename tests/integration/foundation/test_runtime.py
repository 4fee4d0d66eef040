"""The runtime's write path: group commit on SQLite, a pool on PostgreSQL. Either way a
failing unit of work rolls back alone and events go out only for committed work."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from omnicenter.bus import InProcessBus
from omnicenter.bus.events import BusEvent
from omnicenter.domain import Channel, InboundEvent
from omnicenter.runtime import Runtime
from omnicenter.services.inbound import ingest
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import Database
from omnicenter.store import tables as t


class Boom(RuntimeError):
    pass


def ingest_then_fail(uow: UnitOfWork, ev: InboundEvent) -> None:
    ingest(uow, ev)
    raise Boom("refused after writing")


async def test_concurrent_writes_commit_independently(db: Database) -> None:
    bus = InProcessBus()
    seen: list[BusEvent] = []
    bus.subscribe(seen.append)
    runtime = Runtime(db, bus)
    now = datetime.now(UTC)

    def event(i: int) -> InboundEvent:
        return InboundEvent(Channel.SMS, f"+4860100{i:04d}", f"message {i}", now, f"SM{i}")

    calls = [runtime.write(ingest_then_fail if i == 7 else ingest, event(i)) for i in range(40)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    runtime.close()
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], Boom)
    with db.reader() as conn:
        bodies = {r.body for r in conn.execute(select(t.events.c.body))}
        keys = conn.execute(select(func.count()).select_from(t.inbound_keys)).scalar()
    assert bodies == {f"message {i}" for i in range(40) if i != 7}
    assert keys == 39
    published = {e.body for e in seen if e.type == "timeline_event"}
    assert published == bodies  # nothing announced for the rolled-back unit of work
