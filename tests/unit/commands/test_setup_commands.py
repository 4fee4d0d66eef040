"""What an operator meets first: `--version`, a clean `--help`, and `db create`."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, _pg_available, skip_or_fail

EXE = [sys.executable, "-c", "from omnicenter.cli import main; main()"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full = {**os.environ, "COLUMNS": "120", "PYTHONWARNINGS": "ignore", **(env or {})}
    return subprocess.run([*EXE, *args], capture_output=True, text=True, env=full, timeout=120)


def test_version_and_help_have_no_stray_types() -> None:
    from importlib.metadata import version

    assert _run("--version").stdout.strip() == f"omnicenter {version('omnicenter')}"
    for cmd in ((), ("db",), ("staff",)):
        out = _run(*cmd, "--help").stdout
        assert "--help" in out and "<bool>" not in out.split("--help", 1)[1].splitlines()[0]


@pytest.fixture()
def missing_pg_url() -> Iterator[str]:
    problem = _pg_available()
    if problem:
        skip_or_fail("postgres", problem)
    name = f"oc_missing_{uuid.uuid4().hex[:8]}"
    yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_a_missing_postgres_database_is_explained_then_created(missing_pg_url: str) -> None:
    env = {"OMNICENTER_DATABASE_URL": missing_pg_url}
    refused = _run("db", "upgrade", env=env)
    assert refused.returncode == 1
    assert "does not exist" in refused.stdout and "omnicenter db create" in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
    created = _run("db", "create", env=env)
    assert created.returncode == 0 and "created the database" in created.stdout
    assert _run("db", "create", env=env).stdout.startswith("the database exists already")
    assert _run("db", "upgrade", env=env).returncode == 0
