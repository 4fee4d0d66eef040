"""Shared test plumbing: real databases (SQLite and PostgreSQL) and a real server process."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from omnicenter import hugepages

hugepages.enable()  # as `omnicenter serve` does: every test runs on that allocator

PG_ADMIN_URL = os.environ.get(
    "OMNICENTER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def required(what: str) -> bool:
    """CI sets OMNICENTER_REQUIRE=postgres,chromium,... so a missing part fails, not skips."""
    return what in {w.strip() for w in os.environ.get("OMNICENTER_REQUIRE", "").split(",")}


def skip_or_fail(what: str, reason: str) -> None:
    if required(what):
        pytest.fail(f"{what} is required here but unavailable: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any connection failure means: no server here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    problem = _pg_available()
    if problem:
        skip_or_fail("postgres", problem)
    name = f"oc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        skip_or_fail(name, f"{name} is not installed")
    assert path is not None
    return path


# Test doubles for the outside world, shared by the e2e and browser suites (tests/doubles.py).
# Imported inside the fixtures: tests.doubles imports free_port from this module.


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[Any]:
    from tests.doubles import SmtpSink

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port  # type: ignore[attr-defined]
    yield sink
    controller.stop()


@pytest.fixture(scope="module")
def twilio() -> Iterator[Any]:
    from tests.doubles import FakeTwilio

    fake = FakeTwilio()
    yield fake
    fake.close()


# -- the clock ------------------------------------------------------------------------------
# Every test that involves "today" takes its time from the `clock` fixture, never from the
# wall clock. OMNICENTER_TEST_CLOCK moves the whole suite to the instants where day
# arithmetic breaks (libfaketime is not needed: the time is injected):
#   utc-2330         23:30 UTC: "in an hour" is tomorrow in UTC
#   warsaw-midnight  00:00 in Europe/Warsaw: the local day and the UTC day differ
#   dst-spring       01:30 Europe/Warsaw on the last Sunday of March (02:00 -> 03:00 next)
#   dst-autumn       02:30 Europe/Warsaw on the last Sunday of October, first pass (CEST)
#   an ISO 8601 instant with an offset, e.g. 2026-03-29T00:30:00+00:00
# Unset: a fixed ordinary instant (noon UTC on a Wednesday), so runs repeat exactly.

TEST_CLOCK_ENV = "OMNICENTER_TEST_CLOCK"


def _last_sunday(year: int, month: int) -> Any:
    from datetime import date, timedelta

    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def clock_instant(name: str | None = None, year: int = 2026) -> Any:
    """The instant OMNICENTER_TEST_CLOCK (or `name`) names, as an aware UTC datetime."""
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    warsaw = ZoneInfo("Europe/Warsaw")
    name = os.environ.get(TEST_CLOCK_ENV, "") if name is None else name
    if not name:
        return datetime(year, 6, 17, 12, 0, tzinfo=UTC)
    if name == "utc-2330":
        return datetime(year, 6, 17, 23, 30, tzinfo=UTC)
    if name == "warsaw-midnight":
        return datetime(year, 6, 18, 0, 0, tzinfo=warsaw).astimezone(UTC)
    if name == "dst-spring":
        local = datetime.combine(_last_sunday(year, 3), time(1, 30), tzinfo=warsaw)
        return local.astimezone(UTC)
    if name == "dst-autumn":
        local = datetime.combine(_last_sunday(year, 10), time(2, 30, fold=0), tzinfo=warsaw)
        return local.astimezone(UTC)
    found = datetime.fromisoformat(name)
    if found.tzinfo is None:
        raise ValueError(f"{TEST_CLOCK_ENV}={name!r}: give an offset (e.g. +00:00)")
    return found.astimezone(UTC)


class TestClock:
    """A clock that moves only when told: `now()` for code that takes a clock callable."""

    __test__ = False  # not a test class

    def __init__(self, start: Any) -> None:
        self.at = start

    def now(self) -> Any:
        return self.at

    __call__ = now

    def advance(self, **delta: float) -> Any:
        from datetime import timedelta

        self.at = self.at + timedelta(**delta)
        return self.at


@pytest.fixture()
def clock() -> TestClock:
    """The suite's "now" (OMNICENTER_TEST_CLOCK); pass `clock` (or `clock.now`) where the
    code takes a clock, and build dates from `clock.now()`, never from `datetime.now()`."""
    return TestClock(clock_instant())
