"""The bridge between the asyncio edge and the synchronous services.

A service runs in a worker thread inside one transaction; after the commit, its events are
published on the loop and its after-commit hooks run. SQLite gets a single writer thread
(it has one write lock anyway); PostgreSQL gets a pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection

from omnicenter.bus.inprocess import InProcessBus
from omnicenter.services.uow import UnitOfWork
from omnicenter.store.db import Database

__all__ = ["Runtime"]

P = ParamSpec("P")
T = TypeVar("T")


class Runtime:
    def __init__(self, db: Database, bus: InProcessBus) -> None:
        self.db = db
        self.bus = bus
        self._writer = ThreadPoolExecutor(1 if db.is_sqlite else 8, thread_name_prefix="oc-write")
        self._reader = ThreadPoolExecutor(4, thread_name_prefix="oc-read")

    async def write(
        self, fn: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        def run() -> tuple[T, UnitOfWork]:
            with self.db.transaction() as conn:
                uow = UnitOfWork(conn)
                result = fn(uow, *args, **kwargs)
            return result, uow

        result, uow = await asyncio.get_running_loop().run_in_executor(self._writer, run)
        # Only now, after the commit, does anyone hear about it.
        await self.bus.publish(uow.events)
        for hook in uow.after_commit:
            hook()
        return result

    async def read(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        def run() -> T:
            with self.db.reader() as conn:
                return fn(conn, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._reader, run)

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._reader.shutdown(wait=True)

    def __repr__(self) -> str:
        return f"Runtime({self.db.url.split('@')[-1]!r})"

    @staticmethod
    def ignore(*_: Any) -> None:
        return None
