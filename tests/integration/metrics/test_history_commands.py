"""Planning and reports straight from the event store, on a seeded demo history (SQLite)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from omnicenter.cli import app
from omnicenter.store import Database


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_forecast_and_staff_read_the_seeded_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oc.sqlite3'}"
    run = CliRunner().invoke
    r = run(app, ["demo-history", "--weeks", "4", "--contacts", "300", "--database", url])
    assert r.exit_code == 0, r.output
    again = run(app, ["demo-history", "--database", url])
    assert again.exit_code == 0 and "already seeded" in again.output

    out = tmp_path / "plan"
    r = run(app, ["forecast", "--database", url, "--days", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "beats naive" in r.output  # 4 whole weeks: enough for the held-out accuracy
    history = _rows(out / "history.csv")
    assert {h["channel"] for h in history} == {"voice", "webchat", "email", "sms"}
    assert len(history) == 4 * 28 * 96
    offered = sum(float(h["contacts"]) for h in history)
    assert 0.9 * 28 * 300 < offered <= 28 * 300 + 300  # a day's spill-over at most
    assert len(_rows(out / "forecast.csv")) == 4 * 2 * 96

    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    r = run(app, ["staff", "--database", url, "--since", yesterday, "--out", str(out)])
    assert r.exit_code == 0, r.output
    staffing = _rows(out / "staffing.csv")
    assert len(staffing) == 4 * 96 and max(int(s["agents"]) for s in staffing) > 0

    r = run(
        app, ["report", "--database", url, "--day", yesterday, "--out", str(tmp_path / "r.html")]
    )
    assert r.exit_code == 0, r.output
    page = (tmp_path / "r.html").read_text()
    assert "KPIs by queue" in page
    journeys = int(page.split("<h2>Journeys</h2><p>")[1].split(" journeys")[0])
    assert 250 < journeys <= 300  # the day's cases, from the journeys table


def test_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oc.sqlite3'}"
    db = Database(url)
    db.migrate()
    db.dispose()
    r = CliRunner().invoke(app, ["forecast", "--database", url, "--out", str(tmp_path)])
    assert r.exit_code != 0
    assert "demo-history" in r.output
    r = CliRunner().invoke(app, ["forecast", "--database", url, "--timezone", "Mars/Olympus"])
    assert r.exit_code != 0 and "unknown time zone" in r.output
