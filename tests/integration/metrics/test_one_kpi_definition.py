"""One definition of each KPI: the wallboard's channel table, its charts, `GET /kpis` and
the report's export read the same rows; a day without contacts says so."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnicenter.cli import app
from omnicenter.metrics import Grain, MetricEvent, MetricKind
from omnicenter.services.kpis import day_report
from omnicenter.services.wallboard import charts, figures
from omnicenter.store import Database
from omnicenter.store.metrics import record

K = MetricKind
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _chat_day() -> list[MetricEvent]:
    """Four chats this morning: one answered within its 60 s target, three still waiting
    (the wallboard once showed 25% in its chart and 100% in its table for this)."""
    t = NOW - timedelta(hours=2)
    out = [MetricEvent(K.OFFERED, t + timedelta(seconds=i), f"c{i}", case_id=f"k{i}",
                       queue="general", channel="webchat", sl_target_s=60) for i in range(4)]  # fmt: skip
    out.append(MetricEvent(K.ANSWERED, t + timedelta(seconds=30), "c0", agent="a1", team="t"))
    return out


def test_wallboard_table_charts_and_kpis_agree(db: Database) -> None:
    with db.transaction() as conn:
        record(conn, _chat_day())
    with db.reader() as conn:
        board = figures(conn, NOW)
        chart = charts(conn, NOW, Grain.HOUR)
        api = day_report(conn, NOW.date(), ["channel"], Grain.TOTAL, UTC)
    table = board["channels"]["webchat"]
    (row,) = chart["channels"]
    (hour,) = chart["service_level"]
    (kpi,) = api
    assert table["service_level"] == row["service_level"] == hour["service_level"] == 1.0
    assert kpi["service_level"] == 1.0
    assert table["offered"] == row["offered"] == hour["offered"] == kpi["offered"] == 4
    assert table["shown"]["service_level"] == row["shown"]["service_level"] == "100.0%"
    assert row["colour"] == table["colour"]


def test_an_empty_day_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oc.sqlite3'}"
    store = Database(url)
    store.migrate()
    store.dispose()
    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", "--database", url, "--day", "2026-03-02",
                                 "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "No data for this day" in r.output
    page = out.read_text()
    assert "No data for this day" in page and "<img" not in page and "<table" not in page
    r = CliRunner().invoke(app, ["export", "--database", url, "--day", "2026-03-02",
                                 "--out", str(tmp_path / "k.csv")])  # fmt: skip
    assert r.exit_code == 0 and "No data for this day" in r.output


@pytest.mark.parametrize("by", ["queue,channel", "agent"])
def test_demo_export_reads_as_a_manager_would(tmp_path: Path, by: str) -> None:
    out = tmp_path / "k.csv"
    r = CliRunner().invoke(app, ["export", "--demo", "--day", "2026-03-02", "--by", by,
                                 "--grain", "total", "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    with out.open() as f:
        rows = list(csv.DictReader(f))
    head = list(rows[0])
    assert "Service level (%)" in head and "Average handle time (s)" in head
    assert all("_" not in h for h in head)
    dims = [{"queue": "Queue", "channel": "Channel", "agent": "Agent"}[d] for d in by.split(",")]
    assert all(row[d] for row in rows for d in dims)  # no row for an empty dimension
    for row in rows:
        assert 0 <= float(row["Service level (%)"]) <= 100
        assert row["Occupancy (%)"] and 0 < float(row["Occupancy (%)"]) < 100
        assert len(row["Average handle time (s)"].split(".")) == 1  # whole seconds


def test_the_demo_report_labels_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = CliRunner().invoke(app, ["report", "--demo", "--day", "2026-03-02", "--out", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert "Omnicenter report 2026-03-02" in page
    for text in ("Service level (%)", "Average handle time (m:ss)", "Cost (PLN)", " PLN</td>"):
        assert text in page
    assert "<td></td>" not in page and "0.000" not in page


def test_the_demo_day_is_yesterday() -> None:
    from omnicenter.commands.report import _day

    assert _day(None, True, UTC, date(2026, 5, 1)) == date(2026, 4, 30)
    assert _day(None, False, UTC, date(2026, 5, 1)) == date(2026, 5, 1)
