"""Knowledge snapshots in the database: every version, each record stored when it changes.

`knowledge_versions` holds one row per version (who, when, from what, the delivery id of
a webhook). `knowledge_records` holds a record's JSON row (the import format, origin
included) once per version in which it changed, valid from that version until the version
that changed or removed it (`valid_to`, NULL while current). So a partial update of three
prices writes three rows, not the whole catalog, and any version can still be read back:
`valid_from <= V and (valid_to is NULL or valid_to > V)`.

A save is one transaction: the version row, closing the replaced rows and inserting the
new ones commit together, or none of them does. The version number is the primary key,
so of two processes saving on the same version one fails with `KnowledgeConflict` and
plans again on the newer version.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from omnicenter.knowledge.records import Record, to_row
from omnicenter.knowledge.repository import (
    KnowledgeChange,
    KnowledgeConflict,
    KnowledgeVersion,
)
from omnicenter.knowledge.snapshot import (
    SNAPSHOT_FORMAT,
    KnowledgeSnapshot,
    SnapshotError,
    changed_records,
)
from omnicenter.store.db import Database
from omnicenter.store.tables import knowledge_records, knowledge_versions

__all__ = ["SqlKnowledgeRepository"]

CHUNK = 1000  # rows per INSERT/UPDATE round trip


def _chunks(items: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqlKnowledgeRepository:
    """A `VersionedKnowledgeRepository` on the omnicenter database (SQLite or PostgreSQL)."""

    def __init__(self, db: Database, *, chunk: int = CHUNK) -> None:
        self.db = db
        self.chunk = chunk
        # The last snapshot this repository loaded or saved: the base the next save is
        # compared with, so that a save reads nothing back when nobody else saved between.
        self._last: KnowledgeSnapshot | None = None

    # -- reading ---------------------------------------------------------------------------
    def latest_version(self) -> int:
        with self.db.reader() as conn:
            return self._latest(conn)

    def load(self) -> KnowledgeSnapshot | None:
        with self.db.reader() as conn:
            latest = self._latest(conn)
            snapshot = self._read(conn, latest) if latest else None
        self._last = snapshot
        return snapshot

    def load_version(self, version: int) -> KnowledgeSnapshot | None:
        with self.db.reader() as conn:
            return self._read(conn, version)

    def history(self, limit: int = 50) -> list[KnowledgeVersion]:
        v = knowledge_versions.c
        query = select(knowledge_versions).order_by(v.version.desc()).limit(limit)
        with self.db.reader() as conn:
            return [
                KnowledgeVersion(
                    version=row.version,
                    created_at=row.created_at,
                    author=row.author,
                    source=row.source,
                    delivery_id=row.delivery_id,
                    changed=row.changed,
                    records=row.records,
                )
                for row in conn.execute(query)
            ]

    def has_delivery(self, delivery_id: str) -> bool:
        query = select(exists().where(knowledge_versions.c.delivery_id == delivery_id))
        with self.db.reader() as conn:
            return bool(conn.scalar(query))

    # -- writing ---------------------------------------------------------------------------
    def save(self, snapshot: KnowledgeSnapshot, change: KnowledgeChange | None = None) -> None:
        change = change or KnowledgeChange()
        try:
            with self.db.transaction() as conn:
                latest = self._latest(conn)
                if snapshot.revision != latest + 1:
                    raise KnowledgeConflict(
                        f"version {snapshot.revision} was planned on an old version; "
                        f"the latest is {latest}"
                    )
                base = self._last
                if base is None or base.revision != latest:
                    base = self._read(conn, latest) or KnowledgeSnapshot()
                changes = changed_records(base, snapshot)
                self._write(conn, snapshot, change, changes)
        except IntegrityError as exc:
            # Another process saved this version number first, or this delivery id.
            raise KnowledgeConflict(f"version {snapshot.revision} not saved: {exc.orig}") from exc
        self._last = snapshot

    def _write(
        self,
        conn: Connection,
        snapshot: KnowledgeSnapshot,
        change: KnowledgeChange,
        changes: list[tuple[str, str, Record | None]],
    ) -> None:
        version = snapshot.revision
        conn.execute(
            insert(knowledge_versions).values(
                version=version,
                created_at=snapshot.updated_at,
                author=change.author[:120],
                source=change.source[:400],
                delivery_id=change.delivery_id,
                changed=len(changes),
                records=sum(snapshot.count().values()),
            )
        )
        r = knowledge_records.c
        close = (
            update(knowledge_records)
            .where(r.kind == bindparam("k"), r.key == bindparam("kk"), r.valid_to.is_(None))
            .values(valid_to=version)
        )
        closed = [{"k": kind, "kk": key} for kind, key, _ in changes]
        for batch in _chunks(closed, self.chunk):
            conn.execute(close, list(batch))
        rows = [
            {
                "kind": kind,
                "key": key,
                "valid_from": version,
                "valid_to": None,
                "payload": to_row(rec),
            }
            for kind, key, rec in changes
            if rec is not None
        ]
        for batch in _chunks(rows, self.chunk):
            conn.execute(insert(knowledge_records), list(batch))

    # -- internals -------------------------------------------------------------------------
    @staticmethod
    def _latest(conn: Connection) -> int:
        return int(conn.scalar(select(func.max(knowledge_versions.c.version))) or 0)

    @staticmethod
    def _read(conn: Connection, version: int) -> KnowledgeSnapshot | None:
        meta = conn.execute(
            select(knowledge_versions.c.created_at).where(knowledge_versions.c.version == version)
        ).first()
        if meta is None:
            return None
        r = knowledge_records.c
        query = select(r.kind, r.payload).where(
            r.valid_from <= version, or_(r.valid_to.is_(None), r.valid_to > version)
        )
        records: dict[str, list[dict[str, Any]]] = {}
        for kind, payload in conn.execute(query):
            records.setdefault(kind, []).append(payload)
        try:
            return KnowledgeSnapshot.from_json(
                {
                    "format": SNAPSHOT_FORMAT,
                    "revision": version,
                    "updated_at": meta.created_at.isoformat(),
                    "records": records,
                }
            )
        except (KeyError, TypeError) as exc:
            raise SnapshotError(f"knowledge version {version}: {exc}") from exc
