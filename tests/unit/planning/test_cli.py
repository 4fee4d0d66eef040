"""The three planning commands chained on demo data, as the README shows them."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from omnicenter.cli import app


def test_forecast_staff_simulate_on_demo_data(tmp_path: Path) -> None:
    runner = CliRunner()
    out = str(tmp_path)
    r = runner.invoke(app, ["forecast", "--demo", "--days", "2", "--out", out])
    assert r.exit_code == 0, r.output
    assert "beats naive" in r.output
    r = runner.invoke(app, ["staff", str(tmp_path / "forecast.csv"), "--out", out])
    assert r.exit_code == 0, r.output
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "agent,channels,capacity,max_total,shift_start,shift_end,partner\n"
        "ann,voice;webchat,webchat=3,3,2024-11-25T08:00:00+00:00,2024-11-25T16:00:00+00:00,no\n"
    )
    r = runner.invoke(
        app, ["staff", str(tmp_path / "forecast.csv"), "--out", out, "--roster", str(roster)]
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "outsourcing.csv").read_text().count("\n") > 1
    r = runner.invoke(
        app,
        [
            "simulate",
            str(tmp_path / "forecast.csv"),
            "--staffing",
            str(tmp_path / "staffing.csv"),
            "--out",
            out,
            "--seed",
            "3",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "engine)" in r.output  # the live routing engine is the default router
    with (tmp_path / "kpis.csv").open() as f:
        rows = {row["queue"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"voice", "webchat", "email", "sms"}
    assert float(rows["voice"]["service_level"]) > 0.6
    for png in ("forecast.png", "staffing.png", "service_level.png"):
        assert (tmp_path / png).stat().st_size > 10_000
    base = [
        "simulate",
        str(tmp_path / "forecast.csv"),
        "--staffing",
        str(tmp_path / "staffing.csv"),
    ]
    r = runner.invoke(app, [*base, "--out", out, "--router", "reference"])
    assert r.exit_code == 0 and "reference)" in r.output, r.output
    r = runner.invoke(app, [*base, "--out", out, "--router", "pigeon"])
    assert r.exit_code != 0
