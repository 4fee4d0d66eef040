"""The store's day and hour roll-ups follow the center's time zone (DST-correct)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from typer.testing import CliRunner

from omnicenter.cli import app
from omnicenter.metrics import Grain, LiveAggregator, rollup
from omnicenter.metrics.config import day_bounds, zone
from omnicenter.services.wallboard import charts
from omnicenter.store import Database
from omnicenter.store.metrics import query_counters, query_kpis, record
from tests.unit.metrics.test_local_time import every_quarter

WARSAW = zone("Europe/Warsaw")
LOG = every_quarter(datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 30, 12, tzinfo=UTC))


def _as_dicts(d: dict) -> dict:  # type: ignore[type-arg]
    return {k: v.as_dict() for k, v in d.items()}


def test_local_hours_and_days_from_the_store_equal_the_rollup(db: Database) -> None:
    with db.transaction() as conn:
        record(conn, LOG)
    agg = LiveAggregator()
    for ev in LOG:
        agg.add(ev)
    start, end = LOG[0].at, LOG[-1].at.replace(hour=23)
    for grain in (Grain.HOUR, Grain.DAY):
        with db.reader() as conn:
            got = query_counters(conn, start, end, by=("channel",), grain=grain, tz=WARSAW)
        assert _as_dicts(got) == _as_dicts(rollup(agg.buckets, ("channel",), grain, tz=WARSAW))
    with db.reader() as conn:
        spring = query_kpis(conn, *day_bounds(date(2026, 3, 29), WARSAW))
        hours = query_counters(conn, *day_bounds(date(2026, 3, 29), WARSAW), grain=Grain.HOUR,
                               tz=WARSAW)  # fmt: skip
    assert spring[(0,)].offered == 23 * 4  # the local day lost an hour
    assert len(hours) == 23


def test_export_writes_local_interval_starts(db: Database, tmp_path: Path) -> None:
    if db.engine.dialect.name != "sqlite":
        return  # the command is the same on both; the roll-up test above covers PostgreSQL
    with db.transaction() as conn:
        record(conn, LOG)
    out = tmp_path / "k.csv"
    r = CliRunner().invoke(app, ["export", "--database", str(db.engine.url), "--day", "2026-03-29",
                                 "--grain", "hour", "--by", "", "--timezone", "Europe/Warsaw",
                                 "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    with out.open() as f:
        starts = [row["Interval start"] for row in csv.DictReader(f)]
    assert len(starts) == 23
    assert starts[:3] == [
        "2026-03-29T00:00:00+01:00",
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
    ]


def test_wallboard_charts_show_the_centers_day(db: Database) -> None:
    with db.transaction() as conn:
        record(conn, LOG)
    noon = datetime(2026, 3, 29, 12, tzinfo=UTC)
    with db.reader() as conn:
        local = charts(conn, noon, Grain.HOUR, tz=WARSAW)
        utc = charts(conn, noon, Grain.HOUR)
    assert (local["day"], local["timezone"]) == ("2026-03-29", "Europe/Warsaw")
    assert len(local["service_level"]) == 23  # the spring-forward day has 23 local hours
    assert local["service_level"][0]["interval_start"] == "2026-03-29T00:00:00+01:00"
    assert sum(p["offered"] for p in local["service_level"]) == 23 * 4
    assert len(utc["service_level"]) == 24 and utc["timezone"] == "UTC"
