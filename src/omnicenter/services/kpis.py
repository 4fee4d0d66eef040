"""KPI reports for supervisors: one day of the center, grouped by dimensions, from the
pre-aggregated metric buckets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection

from omnicenter.metrics.config import day_bounds
from omnicenter.metrics.counters import Counters
from omnicenter.metrics.kpis import Grain, RollupKey
from omnicenter.metrics.tables import kpi_rows
from omnicenter.store.metrics import query_counters

__all__ = ["day_report"]


def day_report(
    conn: Connection, day: date, by: Sequence[str], grain: Grain, tz: tzinfo
) -> list[dict[str, Any]]:
    """The KPIs of `day` (a day of the center's time zone `tz`) per interval of `grain` and
    per value of each dimension in `by` (rows with an empty dimension left out), ordered by
    interval then dimensions: the rows of the report and the wallboard. ValueError for an
    unknown dimension."""
    start, end = day_bounds(day, tz)

    def fetch(dims: Sequence[str], g: Grain) -> dict[RollupKey, Counters]:
        return query_counters(conn, start, end, dims, g, None, tz)

    out = []
    for key, k in kpi_rows(fetch, by, grain).items():
        item: dict[str, Any] = {"interval_start": datetime.fromtimestamp(int(key[0]), tz)}
        item.update(dict(zip(by, key[1:], strict=True)))
        item.update(asdict(k))
        out.append(item)
    return out
