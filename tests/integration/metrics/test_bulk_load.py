"""The bulk loader writes the same buckets, fold state and journeys as recording."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select

from omnicenter.metrics import MetricEvent, MetricKind
from omnicenter.metrics.synthetic import synthetic_log
from omnicenter.store import Database
from omnicenter.store import tables as t
from omnicenter.store.metrics import (
    BulkLoader,
    bulk_insert,
    metric_buckets,
    metric_state,
    record,
    timeline_events,
)
from tests.unit.metrics.handmade import LOG

START = datetime(2026, 3, 2, tzinfo=UTC)


def _log() -> list[MetricEvent]:
    return [*LOG, *synthetic_log(400, 2, agents=12, start=START)]


def _table(conn: Connection, table: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in conn.execute(select(table)))


@pytest.mark.parametrize("merge", [False, True])
def test_bulk_load_equals_record(db: Database, merge: bool) -> None:
    log = _log()
    with db.transaction() as conn:
        assert record(conn, log) == 0
    with db.reader() as conn:
        recorded = [_table(conn, x) for x in (metric_buckets, metric_state, t.journeys)]
    with db.transaction() as conn:
        for x in (metric_buckets, metric_state, t.journeys):
            conn.execute(x.delete())
    loader = BulkLoader()
    half = len(log) // 2
    loader.add(log[:half])
    loader.add(log[half:])
    with db.transaction() as conn:
        assert loader.write(conn, merge=merge) == 0
    with db.reader() as conn:
        assert [_table(conn, x) for x in (metric_buckets, metric_state, t.journeys)] == recorded
    assert len(recorded[0]) > 100 and len(recorded[2]) > 100


def test_bulk_insert_rows_read_back_like_inserted_ones(db: Database) -> None:
    now = datetime(2026, 3, 2, 9, 30, 15, 250_000, tzinfo=UTC)
    with db.transaction() as conn:
        conn.execute(insert(t.customers), {"id": "cus_1", "segment": "gold", "value": 0.0,
                                           "created_at": now, "updated_at": now})  # fmt: skip
        n = bulk_insert(conn, t.events, [
            {"id": f"evt_{i}", "customer_id": "cus_1", "kind": "task_queued", "channel": "voice",
             "author_type": "system", "body": "", "created_at": now,
             "meta": {"task_id": f"tsk_{i}", "queue": "sales", "segment": "gold", "note": "a'b\tc"}}
            for i in range(3)
        ])  # fmt: skip
    assert n == 3
    with db.reader() as conn:
        evs = timeline_events(conn, now, now.replace(minute=31))
        meta = conn.execute(select(t.events.c.meta).where(t.events.c.id == "evt_0")).scalar_one()
    assert [(e.kind, e.at, e.contact_id, e.queue) for e in evs] == [
        (MetricKind.OFFERED, now, f"tsk_{i}", "sales") for i in range(3)
    ]
    assert meta["note"] == "a'b\tc"
