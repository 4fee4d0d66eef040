"""What a manager reads: the demo report and the wallboard in chromium, with the figures
of one KPI definition (screenshots: docs/report.png, docs/wallboard.png)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from typer.testing import CliRunner

from omnicenter.cli import app
from tests.browser.conftest import SCREENSHOTS, login
from tests.browser.test_desktop_routing import chat
from tests.e2e.server import ServerProcess


def test_the_demo_report_reads_in_words_with_units(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    r = CliRunner().invoke(app, ["report", "--demo", "--day", "2026-03-02", "--out", str(out)])
    assert r.exit_code == 0, r.output
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(out.as_uri())
    expect(page.get_by_role("heading", name="Omnicenter report 2026-03-02")).to_be_visible()
    head = page.locator("table").first.locator("th")
    expect(head).to_contain_text(["Queue", "Offered", "Handled", "Abandoned", "Service level (%)"])
    expect(page.locator("img[alt='service level per hour by channel']")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    page.close()


def test_the_wallboard_table_and_chart_show_one_service_level(
    new_page: Any, web_server: ServerProcess
) -> None:
    for i in range(3):
        chat(web_server, f"Wallboard Visitor {i}", "Is my parcel on its way?")
    wall = new_page(viewport={"width": 1280, "height": 1000})
    login(wall, "sara", "/supervisor")
    with web_server.client("sara") as api:
        charts = api.get("/supervisor/charts").json()
        board = api.get("/supervisor/wallboard").json()
    row = next(c for c in charts["channels"] if c["channel"] == "webchat")
    assert board["channels"]["webchat"]["service_level"] == row["service_level"]
    cell = wall.locator("#channels tr[data-channel=webchat] td[data-col=service-level]")
    expect(cell).to_have_text(row["shown"]["service_level"])
    bar = wall.locator("svg[data-chart=volume] rect[data-label=webchat]")
    expect(bar).to_have_attribute("fill", row["colour"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=str(SCREENSHOTS / "wallboard.png"), full_page=True)
