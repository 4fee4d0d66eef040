"""The database handle: engine setup per dialect, unit-of-work transactions, migrations.

Services are synchronous and run in worker threads (see `omnicenter.runtime`): one thread hop
per unit of work instead of one per statement. SQLite allows one writer, so writes are
serialised here with a lock instead of failing with `database is locked` under load.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = [
    "Database",
    "DatabaseMissing",
    "create_database",
    "database_exists",
    "missing_database_help",
]

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_S = 1.0


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cur = dbapi_conn.cursor()
    # WAL + NORMAL: a committed transaction survives a crash of the process (kill -9);
    # only a power loss can drop the last commits, which `sqlite_synchronous_full` prevents.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # Checkpoints (which fsync the database file) run in a background thread instead of
    # inside whichever commit crosses the threshold, so no message waits for a disk flush.
    cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.close()
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: Engine = create_engine(url, **kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling breaks SAVEPOINT (used by group commit):
            # take it over, as the SQLAlchemy documentation recommends.
            event.listen(self.engine, "begin", _sqlite_begin)
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None
        if self.is_sqlite and ":memory:" not in url:
            self._checkpointer = threading.Thread(
                target=self._checkpoint_loop, name="oc-checkpoint", daemon=True
            )
            self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        while not self._stop.wait(CHECKPOINT_INTERVAL_S):
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # a busy or closing database: try again next time
                log.debug("checkpoint skipped", exc_info=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: commits on success, rolls back on any exception."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reader(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` with Alembic (from an empty database too)."""
        with self.engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)

    def dispose(self) -> None:
        self._stop.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=10)
        self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    script_location = resources.files("omnicenter.store") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


class DatabaseMissing(RuntimeError):
    """The URL's database does not exist; the message says how to create it."""


def _server_url(url: URL) -> URL:
    # PostgreSQL: CREATE DATABASE runs connected to another database of the same server
    return url.set(database="postgres")


def missing_database_help(url_text: str) -> str:
    """One paragraph for an operator whose database does not exist yet."""
    url = make_url(url_text)
    shown = url.render_as_string(hide_password=True)
    return (
        f"The database {url.database!r} does not exist on {shown}. Create it with "
        "`omnicenter db create` (the URL's role needs the CREATEDB privilege), or as the "
        f"PostgreSQL superuser: `createdb -O {url.username or 'omnicenter'} {url.database}`; "
        "then run `omnicenter db upgrade` (or `omnicenter serve`, which migrates on start). "
        "The URL comes from OMNICENTER_DATABASE_URL or the settings file."
    )


def database_exists(url_text: str) -> bool:
    """Whether the URL's database exists (SQLite: whether its folder does; the file is made)."""
    url = make_url(url_text)
    if url.get_backend_name() == "sqlite":
        path = url.database
        return not path or path == ":memory:" or Path(path).resolve().parent.is_dir()
    engine = create_engine(_server_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).first()
        return found is not None
    finally:
        engine.dispose()


def create_database(url_text: str) -> bool:
    """Create the URL's database if it is missing; True when it was created."""
    url = make_url(url_text)
    if database_exists(url_text):
        return False
    if url.get_backend_name() == "sqlite":
        Path(str(url.database)).resolve().parent.mkdir(parents=True, exist_ok=True)
        return True
    engine = create_engine(_server_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            name = conn.dialect.identifier_preparer.quote(str(url.database))
            conn.execute(text(f"CREATE DATABASE {name}"))
    except DBAPIError as exc:
        raise DatabaseMissing(f"{missing_database_help(url_text)} ({exc.orig})") from exc
    finally:
        engine.dispose()
    return True
