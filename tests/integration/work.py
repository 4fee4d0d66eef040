"""A unit of work as the runtime makes one (with the channels' manifests), for tests that
call services directly on a database connection."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from omnicenter.channels.registry import MANIFESTS
from omnicenter.services.uow import UnitOfWork, utcnow


def unit_of_work(conn: Connection, now: datetime | None = None) -> UnitOfWork:
    return UnitOfWork(conn, now=now or utcnow(), channels=MANIFESTS)
