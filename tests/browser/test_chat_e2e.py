"""A visitor chats in the widget, an agent answers from the desktop, the supervisor watches."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import login, shot
from tests.e2e.server import ServerProcess


def open_widget(new_page: Any, **ctx: Any) -> Any:
    page = new_page(**ctx)
    page.goto("/widget")
    page.wait_for_selector("body[data-ready='1']")
    return page


def visitor_says(widget: Any, text: str) -> None:
    widget.get_by_label("Message", exact=True).fill(text)
    widget.get_by_role("button", name="Send", exact=True).click()
    expect(widget.locator("#log li.customer", has_text=text)).not_to_have_class("pending")


def open_case_of(desktop: Any, customer: str) -> None:
    row = desktop.locator("#cases .row", has_text=customer).first
    row.click()
    expect(desktop.locator("#case-actions")).to_be_visible()


def test_visitor_and_agent_chat_end_to_end_and_the_supervisor_sees_it_live(
    new_page: Any, web_server: ServerProcess
) -> None:
    wall = new_page()
    login(wall, "sara", "/supervisor")
    waiting_before = int(wall.locator("[data-tile=waiting] .v").inner_text())
    desktop = new_page()
    login(desktop, "anna")
    # Presence: the agent goes available; the wallboard shows it live.
    available_before = int(wall.locator("[data-tile=agents-available] .v").inner_text())
    desktop.get_by_label("My presence").select_option("available")
    expect(wall.locator("[data-agent=anna] [data-col=state]")).to_have_text("available")
    assert int(wall.locator("[data-tile=agents-available] .v").inner_text()) >= available_before
    widget = open_widget(new_page)
    expect(widget.locator("#wait")).to_contain_text("Estimated wait: about")
    widget.get_by_label("Your name").fill("Ewa Browser")
    visitor_says(widget, "Do you ship the red bike to Gdańsk?")

    # The agent's inbox gets the new chat live, without a reload.
    expect(desktop.locator("#cases .row", has_text="Ewa Browser")).to_be_visible()
    # ... and the wallboard's waiting figure moves.
    expect(wall.locator("[data-tile=waiting] .v")).to_have_text(str(waiting_before + 1))
    # Routing offers the chat to the only available agent, who accepts it.
    offer = desktop.locator(".offer", has_text="webchat")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Accept").click()
    expect(offer).to_have_count(0)
    open_case_of(desktop, "Ewa Browser")
    expect(desktop.locator("#timeline")).to_contain_text("Do you ship the red bike to Gdańsk?")
    expect(desktop.locator("#reply-channel")).to_have_value("webchat")

    # Typing indicators both ways.
    widget.get_by_label("Message", exact=True).press_sequentially("and", delay=20)
    expect(desktop.locator("#typing")).to_have_text("Customer is typing…")
    desktop.get_by_label("Reply", exact=True).press_sequentially("Yes", delay=20)
    expect(widget.locator("#typing")).to_have_text("An agent is typing…")

    desktop.get_by_label("Reply", exact=True).fill("Yes, delivery to Gdańsk takes 2 days.")
    desktop.get_by_role("button", name="Send", exact=True).click()
    expect(widget.locator("#log li.agent")).to_have_text(
        "Agent: Yes, delivery to Gdańsk takes 2 days."
    )
    expect(desktop.locator("#timeline .ev.agent")).to_contain_text("takes 2 days")
    expect(wall.locator("[data-tile=waiting] .v")).to_have_text(str(waiting_before))
    shot(widget, "chat-widget")
    shot(desktop, "chat-desktop")
    shot(wall, "wallboard")


def test_widget_reload_keeps_the_conversation(new_page: Any) -> None:
    widget = open_widget(new_page)
    visitor_says(widget, "First question before reload")
    widget.reload()
    widget.wait_for_selector("body[data-ready='1']")
    expect(widget.locator("#log li.customer")).to_have_text(["You: First question before reload"])
    expect(widget.locator("#prechat")).to_be_hidden()
    visitor_says(widget, "Second question after reload")
    expect(widget.locator("#log li.customer")).to_have_count(2)


def tab_to(page: Any, target: Any, max_presses: int = 8) -> None:
    """Press Tab until the target has focus: it must be reachable by keyboard alone."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("not reachable with Tab")


def test_widget_works_with_the_keyboard_only_and_is_labelled(new_page: Any) -> None:
    widget = open_widget(new_page)
    for name in ("Your name", "Email (optional)", "Message", "Attach a file"):  # exact labels
        expect(widget.get_by_label(name, exact=True)).to_have_count(1)
    expect(widget.get_by_role("log", name="Conversation")).to_have_count(0)  # an ordered list
    expect(widget.get_by_label("Conversation")).to_have_attribute("aria-live", "polite")
    expect(widget.get_by_role("status")).to_have_text("online")
    tab_to(widget, widget.get_by_label("Your name"))
    widget.keyboard.type("Keyboard Kasia")
    widget.keyboard.press("Tab")
    widget.keyboard.press("Tab")
    expect(widget.get_by_label("Language")).to_be_focused()  # the pre-chat form's last field
    widget.keyboard.press("Tab")
    expect(widget.get_by_label("Conversation")).to_be_focused()
    widget.keyboard.press("Tab")
    expect(widget.get_by_label("Message", exact=True)).to_be_focused()
    widget.keyboard.type("Typed without a mouse")
    widget.keyboard.press("Enter")
    expect(widget.locator("#log li.customer")).to_have_text(["You: Typed without a mouse"])
    # End of chat: rating by keyboard.
    widget.get_by_role("button", name="End chat").focus()
    widget.keyboard.press("Enter")
    expect(widget.locator("#s1")).to_be_focused()
    widget.keyboard.press("ArrowRight")
    widget.keyboard.press("ArrowRight")
    widget.keyboard.press("ArrowRight")
    widget.keyboard.press("ArrowRight")
    expect(widget.locator("#s5")).to_be_checked()
    widget.get_by_role("button", name="Send rating").press("Enter")
    expect(widget.locator("#ending-status")).to_have_text("Thank you for your rating!")
    shot(widget, "widget-keyboard-rating")


def test_widget_on_a_narrow_phone_screen(new_page: Any) -> None:
    widget = open_widget(
        new_page, viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    visitor_says(widget, "Hello from my phone")
    width = widget.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways: {width}px"
    box = widget.get_by_role("button", name="Send", exact=True).bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360
    shot(widget, "widget-mobile")


def test_widget_upload_limits_transcript_by_email_and_rating(
    new_page: Any, web_server: ServerProcess, smtp_sink: Any
) -> None:
    widget = open_widget(new_page)
    widget.get_by_label("Email (optional)").fill("upload.ula@example.com")
    visitor_says(widget, "Here is the photo")
    widget.locator("#file").set_input_files(
        files=[{"name": "broken.png", "mimeType": "image/png", "buffer": b"\x89PNG photo"}]
    )
    expect(widget.locator("#log li.customer", has_text="broken.png")).to_be_visible()
    widget.locator("#file").set_input_files(
        files=[{"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}]
    )
    expect(widget.locator("#error")).to_contain_text("not accepted")
    widget.locator("#file").set_input_files(
        files=[
            {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": b"0" * (5 * 1048576 + 1)}
        ]
    )
    expect(widget.locator("#error")).to_contain_text("too large")

    before = len(smtp_sink.messages)
    widget.get_by_role("button", name="End chat").click()
    expect(widget.get_by_label("Email me this chat")).to_have_value("upload.ula@example.com")
    widget.get_by_role("button", name="Send transcript").click()
    expect(widget.locator("#ending-status")).to_have_text("The transcript is on its way.")
    sent = smtp_sink.wait(before + 1)
    raw = sent[-1]["data"].decode(errors="replace")
    assert sent[-1]["to"] == ["upload.ula@example.com"] and "Here is the photo" in raw
    widget.locator("label[for=s4]").click()
    widget.get_by_role("button", name="Send rating").click()
    expect(widget.locator("#ending-status")).to_have_text("Thank you for your rating!")

    # The agent sees the file (downloadable) and the rating on the timeline.
    desktop = new_page()
    login(desktop, "anna")
    desktop.locator("#cases .row", has_text="Here is the photo").or_(
        desktop.locator("#cases .row", has_text="upload.ula")
    ).first.click()
    expect(desktop.locator("#timeline")).to_contain_text("Customer rating: 4/5")
    link = desktop.locator("#timeline [data-attachment]")
    expect(link).to_contain_text("broken.png")
    with desktop.expect_download() as dl:
        link.click()
    assert dl.value.suggested_filename == "broken.png"
