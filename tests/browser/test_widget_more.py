"""The widget when nobody can answer soon (a callback or an email instead), and the widget on
a shop's own page through the one-tag embed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.e2e.server import ServerProcess


@contextmanager
def shop_site(html: str) -> Iterator[str]:
    """A real second web server on another origin (localhost, its own port) serving `html`."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def customer_with(server: ServerProcess, address: str) -> dict[str, Any]:
    with server.client("anna") as api:
        found = api.get("/customers", params={"q": address}).json()
        assert len(found) == 1, found
        return dict(api.get(f"/customers/{found[0]['id']}").json())


def timeline_of(server: ServerProcess, customer_id: str) -> list[str]:
    with server.client("anna") as api:
        return [e["body"] for e in api.get(f"/customers/{customer_id}/timeline").json()]


def open_widget(new_page: Any) -> Any:
    page = new_page()
    page.goto("/widget")
    page.wait_for_selector("body[data-ready='1']")
    return page


def test_long_wait_offers_a_callback_and_the_request_is_recorded(
    new_page: Any, web_server: ServerProcess
) -> None:
    # Nobody is available in a fresh demo: the estimate is "no agent", so alternatives show.
    widget = open_widget(new_page)
    expect(widget.locator("#wait")).to_have_text("No agent is available right now.")
    expect(widget.locator("#alternatives")).to_be_visible()
    widget.get_by_label("Your name").fill("Celina Callback")
    widget.get_by_role("button", name="Get a call back").click()
    widget.get_by_label("Phone number").fill("+48 601 777 888")
    widget.get_by_role("button", name="Send request").click()
    expect(widget.locator("#log li.customer", has_text="call me back")).not_to_have_class("pending")
    expect(widget.locator("#alternatives")).to_be_hidden()
    shot(widget, "widget-long-wait-callback")

    customer = customer_with(web_server, "+48601777888")
    assert customer["display_name"] == "Celina Callback"
    assert any(i["kind"] == "phone" and i["address"] == "+48601777888"
               for i in customer["identities"])  # fmt: skip
    timeline = timeline_of(web_server, customer["id"])
    assert timeline.count("Please call me back at +48 601 777 888.") == 1
    # Not only a message: routing holds a callback promise for it, on the timeline.
    assert "callback promised" in timeline
    with web_server.client("sara") as api:
        events = api.get(f"/customers/{customer['id']}/timeline").json()
    promise = next(e for e in events if e["body"] == "callback promised")
    assert (
        promise["meta"]["fact"] == "promise_made" and promise["meta"]["number"] == "+48 601 777 888"
    )


def test_long_wait_offers_an_answer_by_email_and_the_request_is_recorded(
    new_page: Any, web_server: ServerProcess
) -> None:
    widget = open_widget(new_page)
    expect(widget.locator("#alternatives")).to_be_visible()
    widget.get_by_role("button", name="Get an answer by email").click()
    widget.get_by_label("Email address").fill("emil.email@example.com")
    widget.get_by_role("button", name="Send request").click()
    expect(widget.locator("#log li.customer", has_text="by email")).not_to_have_class("pending")

    customer = customer_with(web_server, "emil.email@example.com")
    assert any(i["kind"] == "email" and i["address"] == "emil.email@example.com"
               for i in customer["identities"])  # fmt: skip
    assert "Please answer me by email at emil.email@example.com." in timeline_of(
        web_server, customer["id"]
    )


def test_embed_script_on_a_shop_page_opens_a_working_widget(
    new_page: Any, web_server: ServerProcess
) -> None:
    page = new_page()
    # A shop's page on its own origin (another host and port) and path, with the one
    # documented script tag.
    html = (
        "<!doctype html><html lang=en><head><title>Bike shop</title></head><body>"
        "<h1>Red bike</h1>"
        f'<script src="{web_server.base}/static/embed.js" data-widget-key="demo-widget-key" '
        "async></script></body></html>"
    )
    with shop_site(html) as shop:
        page.goto(f"{shop}/products/red-bike")
        chat_through_the_embed(page, web_server)


def chat_through_the_embed(page: Any, web_server: ServerProcess) -> None:
    launcher = page.get_by_role("button", name="Chat with us")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    frame_el = page.locator("iframe[title='Chat with customer service']")
    expect(frame_el).to_be_visible()
    assert (frame_el.get_attribute("src") or "").startswith(f"{web_server.base}/widget?key=")
    widget = page.frame_locator("iframe[title='Chat with customer service']")
    expect(widget.locator("#status")).to_have_text("online")
    widget.get_by_label("Your name").fill("Edyta Embed")
    widget.get_by_label("Message", exact=True).fill("Is the red bike in stock?")
    widget.get_by_role("button", name="Send", exact=True).click()
    expect(widget.locator("#log li.customer", has_text="red bike")).not_to_have_class("pending")
    shot(page, "embed-on-shop-page")

    customer = customer_with(web_server, "Edyta Embed")
    assert "Is the red bike in stock?" in timeline_of(web_server, customer["id"])
    launcher.click()
    expect(frame_el).to_be_hidden()
