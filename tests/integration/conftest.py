"""Database fixture for integration tests: every test using `db` runs on SQLite and on
PostgreSQL, each from an empty schema migrated by Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from omnicenter.store import Database, metadata


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'oc.sqlite3'}")
    else:
        url = request.getfixturevalue("pg_url")
        database = Database(url)
        with database.engine.begin() as conn:  # each test starts from an empty schema
            for table in reversed(metadata.sorted_tables):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()
