"""End-to-end fixtures: the real server wired to the test doubles (tests/doubles.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doubles import FakeTwilio, SmtpSink, relay_env
from tests.e2e.server import ServerProcess


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, smtp_sink: SmtpSink, twilio: FakeTwilio
) -> Iterator[ServerProcess]:
    data: Path = tmp_path_factory.mktemp("server")
    proc = ServerProcess(data, env_extra=relay_env(smtp_sink, twilio))
    proc.start()
    yield proc
    proc.stop()
