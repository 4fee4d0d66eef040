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
