"""The widget speaks the visitor's language: the browser's first language it knows, or the
one picked on the pre-chat form; the session carries it (for the bot)."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import expect

from tests.e2e.server import ServerProcess


def _session_langs(page: Any) -> list[str | None]:
    langs: list[str | None] = []

    def seen(request: Any) -> None:
        if request.url.endswith("/api/v1/webchat/sessions") and request.method == "POST":
            langs.append(json.loads(request.post_data or "{}").get("lang"))

    page.on("request", seen)
    return langs


def test_polish_browser_gets_polish_then_english_on_request(new_page: Any) -> None:
    page = new_page(locale="pl-PL")
    langs = _session_langs(page)
    page.goto("/widget")
    expect(page.locator("h1")).to_have_text("Obsługa klienta")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("#send")).to_have_text("Wyślij")
    expect(page.locator("#text")).to_have_attribute("placeholder", "Napisz wiadomość…")
    expect(page.locator("#status")).to_have_text("połączono")
    assert langs[:1] == ["pl"]
    with page.expect_request(lambda r: r.url.endswith("/api/v1/webchat/sessions")) as asked:
        page.get_by_label("Język").select_option("en")
    assert json.loads(asked.value.post_data or "{}")["lang"] == "en"
    expect(page.locator("h1")).to_have_text("Customer service")
    expect(page.locator("#status")).to_have_text("online")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # the choice outlives a reload
    page.reload()
    expect(page.locator("h1")).to_have_text("Customer service")


def test_an_unknown_browser_language_falls_back_to_english(new_page: Any) -> None:
    page = new_page(locale="de-DE")
    page.goto("/widget")
    expect(page.locator("#status")).to_have_text("online")
    expect(page.locator("h1")).to_have_text("Customer service")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_two_translations_have_the_same_texts(web_server: ServerProcess) -> None:
    import urllib.request

    def texts(lang: str) -> dict[str, str]:
        with urllib.request.urlopen(f"{web_server.base}/static/i18n/{lang}.json") as answer:
            return dict(json.loads(answer.read()))

    en, pl = texts("en"), texts("pl")
    assert en.keys() == pl.keys()
    assert all(pl[k] for k in pl) and en["heading"] != pl["heading"]
