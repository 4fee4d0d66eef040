"""Browser tests: Debian's chromium driven by Playwright against a real `omnicenter serve`.

Skipped when /usr/bin/chromium is missing, unless OMNICENTER_REQUIRE names chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import skip_or_fail
from tests.doubles import FakeTwilio, SmtpSink, relay_env
from tests.e2e.server import DEMO_PASSWORD, ServerProcess

CHROMIUM = os.environ.get("OMNICENTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 15_000  # the longest any expectation may wait on a loaded 2-core machine
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        skip_or_fail("chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def web_server(
    tmp_path_factory: pytest.TempPathFactory,
    browser: Any,
    smtp_sink: SmtpSink,
    twilio: FakeTwilio,
) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("web"), env_extra=relay_env(smtp_sink, twilio))
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def new_page(browser: Any, web_server: ServerProcess) -> Iterator[Any]:
    """Open pages in fresh browser contexts (separate storage, like separate people)."""
    contexts: list[Any] = []

    def make(**context_args: Any) -> Any:
        ctx = browser.new_context(base_url=web_server.base, **context_args)
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        return page

    yield make
    for ctx in contexts:
        for page in ctx.pages:
            assert not getattr(page, "js_errors", []), page.js_errors
        ctx.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def login(page: Any, username: str, path: str = "/") -> None:
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("body[data-ready='1']")
