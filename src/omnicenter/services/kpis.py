"""KPI reports for supervisors: one day of the center, grouped by dimensions, from the
pre-aggregated metric buckets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection

from omnicenter.metrics.config import day_bounds
from omnicenter.metrics.kpis import Grain
from omnicenter.store.metrics import query_kpis

__all__ = ["day_report"]


def day_report(
    conn: Connection, day: date, by: Sequence[str], grain: Grain, tz: tzinfo
) -> list[dict[str, Any]]:
    """The KPIs of `day` (a day of the center's time zone `tz`) per interval of `grain` and
    per value of each dimension in `by`, ordered by interval then dimensions. ValueError for
    an unknown dimension."""
    start, end = day_bounds(day, tz)
    rows = query_kpis(conn, start, end, by, grain, None, tz)
    out = []
    for key, k in sorted(rows.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        item: dict[str, Any] = {"interval_start": datetime.fromtimestamp(int(key[0]), tz)}
        item.update(dict(zip(by, key[1:], strict=True)))
        item.update(asdict(k))
        out.append(item)
    return out
