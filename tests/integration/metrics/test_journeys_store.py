"""Journeys kept in the `journeys` table as events are recorded equal the batch journeys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import insert

from omnicenter.metrics.journeys import Journey, journeys
from omnicenter.store import Database
from omnicenter.store import tables as t
from omnicenter.store.db import alembic_config
from omnicenter.store.metrics import query_journeys, record, timeline_row
from tests.unit.metrics.handmade import LOG, T0
from tests.unit.metrics.test_journeys_cost import _extra

DAY = (T0 - timedelta(hours=9), T0 + timedelta(hours=15))


def _comparable(js: list[Journey]) -> dict[str, tuple[object, ...]]:
    return {
        j.case_id: (j.started_at, j.resolved_at, j.channels, j.hops, j.duration_s, j.drop_out)
        for j in js
    }


@pytest.mark.parametrize("batch", [1, 4, 1000])
def test_recorded_journeys_equal_batch_whatever_the_batch_size(db: Database, batch: int) -> None:
    log = sorted([*LOG, *_extra()], key=lambda e: e.at)
    for i in range(0, len(log), batch):
        with db.transaction() as conn:
            record(conn, log[i : i + batch])
    with db.reader() as conn:
        got = query_journeys(conn, *DAY)
        none_later = query_journeys(conn, DAY[1], DAY[1] + timedelta(days=1))
    assert _comparable(got) == _comparable(journeys(log))
    assert len(got) == 7 and none_later == []
    assert [j.case_id for j in got][:2] == ["k1", "k9"]  # by first contact


def test_upgrading_to_journeys_rebuilds_them_from_the_timeline(db: Database) -> None:
    log = sorted([*LOG, *_extra()], key=lambda e: e.at)
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004_knowledge_store")
    cases = sorted({e.case_id for e in log if e.case_id})
    with db.transaction() as conn:
        conn.execute(insert(t.customers), {"id": "cus_1", "segment": "gold", "value": 0.0,
                                           "created_at": T0, "updated_at": T0})  # fmt: skip
        conn.execute(insert(t.cases), [
            {"id": c, "customer_id": "cus_1", "subject": c, "status": "open", "priority": 0,
             "origin": "voice", "created_at": T0, "updated_at": T0} for c in cases
        ])  # fmt: skip
        rows = []
        for i, ev in enumerate(log):
            row = timeline_row(f"evt_{i:04d}", "cus_1", ev)
            if row is not None:
                rows.append({**row, "case_id": ev.case_id or None})
        conn.execute(insert(t.events), rows)
    db.migrate()
    with db.reader() as conn:
        got = query_journeys(conn, *DAY)
    assert _comparable(got) == _comparable(journeys(log))
