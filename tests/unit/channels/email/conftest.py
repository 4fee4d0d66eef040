"""Shared helpers for the email adapter tests: recorded fixtures by name, an SMTP sink."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from aiosmtpd.smtp import SMTP

from tests.unit.channels.email.smtp_sink import Sink
from tests.unit.channels.fixtures import fixtures_of

FIXTURES = fixtures_of("email")


@pytest.fixture
def eml() -> Callable[[str], bytes]:
    def load(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return load


@pytest.fixture(scope="session")
def all_fixtures() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))}


@pytest.fixture
async def sink() -> AsyncIterator[tuple[Sink, int]]:
    handler = Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="relay.test", loop=loop), "127.0.0.1", 0
    )
    yield handler, server.sockets[0].getsockname()[1]  # an SMTP relay on 127.0.0.1
    server.close()
    await server.wait_closed()
