"""The SQL store on SQLite and PostgreSQL: buckets equal the pure batch computation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnicenter.metrics import Grain, batch_buckets, kpis, rollup
from omnicenter.store import Database
from omnicenter.store import tables as t
from omnicenter.store.metrics import (
    prune_state,
    query_counters,
    query_kpis,
    record,
    timeline_events,
)
from tests.unit.metrics.handmade import LOG, T0

DAY = (T0 - timedelta(hours=9), T0 + timedelta(hours=15))


def _as_dicts(d: dict) -> dict:  # type: ignore[type-arg]
    return {k: v.as_dict() for k, v in d.items()}


@pytest.mark.parametrize("batch", [1, 3, len(LOG)])
def test_recorded_buckets_equal_batch_whatever_the_batch_size(db: Database, batch: int) -> None:
    for i in range(0, len(LOG), batch):
        with db.transaction() as conn:
            assert record(conn, LOG[i : i + batch]) == 0
    expected = batch_buckets(LOG)
    for by, grain in [
        ((), Grain.TOTAL),
        (("queue",), Grain.HOUR),
        (("agent", "channel"), Grain.QUARTER),
    ]:
        with db.reader() as conn:
            got = query_counters(conn, *DAY, by=by, grain=grain)
        assert _as_dicts(got) == _as_dicts(rollup(expected, by=by, grain=grain))


def test_day_kpis_from_the_store(db: Database) -> None:
    with db.transaction() as conn:
        record(conn, LOG)
    with db.reader() as conn:
        k = query_kpis(conn, *DAY, by=("queue",), where={"channel": "voice"})[(0, "sales")]
        later = query_kpis(conn, T0 + timedelta(days=1), T0 + timedelta(days=2))
    assert (k.offered, k.handled, k.abandoned) == (4, 2, 2)
    assert k.service_level == pytest.approx(1 / 3)
    assert later == {}
    with pytest.raises(ValueError, match="unknown dimensions"):
        query_kpis(conn, *DAY, by=("colour",))


def test_prune_state_keeps_recent_state(db: Database) -> None:
    with db.transaction() as conn:
        record(conn, LOG)
        assert prune_state(conn, T0 - timedelta(days=1)) == 0
        assert prune_state(conn, T0 + timedelta(days=30)) > 0


def test_timeline_rows_map_to_metric_events(db: Database) -> None:
    now = T0
    with db.transaction() as conn:
        conn.execute(
            t.customers.insert(),
            {"id": "cus_1", "segment": "gold", "value": 1.0, "created_at": now, "updated_at": now},
        )
        conn.execute(
            t.cases.insert(),
            {
                "id": "cas_1", "customer_id": "cus_1", "subject": "s", "status": "open",
                "priority": 2, "origin": "voice", "fields": {}, "created_at": now,
                "updated_at": now,
            },
        )  # fmt: skip
        rows = [
            ("task_queued", {"task_id": "tk1", "queue": "sales", "sl_target_s": 30}, 0),
            ("task_answered", {"task_id": "tk1", "agent_id": "a1", "team": "t1"}, 25),
            ("task_completed", {"task_id": "tk1", "talk_s": 100, "hold_s": 5, "wrap_s": 15}, 200),
            ("note", {}, 210),
            ("status", {"status": "resolved", "queue": "sales"}, 220),
        ]
        for i, (kind, meta, dt) in enumerate(rows):
            conn.execute(
                t.events.insert(),
                {
                    "id": f"evt_{i}", "customer_id": "cus_1", "case_id": "cas_1",
                    "kind": kind, "channel": "voice", "author_type": "system", "body": "",
                    "meta": meta, "created_at": now + timedelta(seconds=dt),
                },
            )  # fmt: skip
    with db.reader() as conn:
        evs = timeline_events(conn)
    assert [e.kind.value for e in evs] == ["offered", "answered", "ended", "resolved"]
    k = kpis(rollup(batch_buckets(evs))[(0,)])
    assert (k.handled, k.service_level, k.aht, k.resolved) == (1, 1.0, 120.0, 1)
