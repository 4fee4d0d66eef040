"""The bridge between the asyncio edge and the synchronous services.

A service runs in a worker thread inside one transaction; after the commit, its events are
published on the loop and its after-commit hooks run.

SQLite has one write lock, so writes go through one writer thread that practises group
commit: the units of work waiting when it becomes free run together, each in its own
SAVEPOINT (a failing one rolls back alone), under one COMMIT. Nobody is answered before
that commit, so "acknowledged means durable" still holds; under load the per-message cost
of BEGIN/COMMIT is shared. PostgreSQL gets a pool of threads and a transaction each.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection

from omnicenter.bus.inprocess import InProcessBus
from omnicenter.channels.registry import MANIFESTS
from omnicenter.domain import Channel, ChannelManifest
from omnicenter.services.uow import UnitOfWork
from omnicenter.store.db import Database

__all__ = ["Runtime"]

P = ParamSpec("P")
T = TypeVar("T")

MAX_GROUP = 64


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: Future[tuple[Any, UnitOfWork]] = field(default_factory=Future)


class _GroupWriter:
    """One thread, many units of work per transaction (SQLite)."""

    def __init__(self, db: Database, channels: Mapping[Channel, ChannelManifest]) -> None:
        self.db = db
        self.channels = channels
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="oc-writer", daemon=True)
        self._thread.start()

    def submit(self, job: _Job) -> None:
        self._queue.put(job)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_GROUP:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(nxt)
            self._run(batch)

    def _run(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[Any, UnitOfWork] | BaseException] = []
        try:
            with self.db.transaction() as conn:
                for job in batch:
                    uow = UnitOfWork(conn, channels=self.channels)
                    try:
                        if len(batch) == 1:
                            result = job.fn(uow, *job.args, **job.kwargs)
                        else:
                            with conn.begin_nested():
                                result = job.fn(uow, *job.args, **job.kwargs)
                        outcomes.append((result, uow))
                    except Exception as exc:
                        if len(batch) == 1:
                            raise
                        outcomes.append(exc)
        except Exception as exc:  # the commit itself failed: nobody's work is durable
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(exc)
            return
        for job, outcome in zip(batch, outcomes, strict=True):
            if job.future.done():  # the caller gave up (cancelled); the work is committed
                continue
            if isinstance(outcome, BaseException):
                job.future.set_exception(outcome)
            else:
                job.future.set_result(outcome)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)


class Runtime:
    def __init__(
        self,
        db: Database,
        bus: InProcessBus,
        channels: Mapping[Channel, ChannelManifest] = MANIFESTS,
    ) -> None:
        self.db = db
        self.bus = bus
        self.channels = channels
        self._group = _GroupWriter(db, channels) if db.is_sqlite else None
        self._writer = ThreadPoolExecutor(8, thread_name_prefix="oc-write")
        self._reader = ThreadPoolExecutor(4, thread_name_prefix="oc-read")

    async def write(
        self, fn: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        if self._group is not None:
            job = _Job(fn, args, kwargs)
            self._group.submit(job)
            result, uow = await asyncio.wrap_future(job.future)
        else:

            def run() -> tuple[T, UnitOfWork]:
                with self.db.transaction() as conn:
                    uow = UnitOfWork(conn, channels=self.channels)
                    value = fn(uow, *args, **kwargs)
                return value, uow

            result, uow = await asyncio.get_running_loop().run_in_executor(self._writer, run)
        # Only now, after the commit, does anyone hear about it.
        await self.bus.publish(uow.events)
        for hook in uow.after_commit:
            hook()
        return result  # type: ignore[no-any-return]

    async def read(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        def run() -> T:
            with self.db.reader() as conn:
                return fn(conn, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._reader, run)

    def close(self) -> None:
        if self._group is not None:
            self._group.close()
        self._writer.shutdown(wait=True)
        self._reader.shutdown(wait=True)
