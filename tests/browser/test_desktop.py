"""The agent desktop: every channel in one timeline, replies on another channel, notes,
wrap-up, transfer, keyboard shortcuts, and live updates that survive a dropped socket."""

from __future__ import annotations

import smtplib
import urllib.parse
from email.message import EmailMessage
from typing import Any

import httpx
from playwright.sync_api import expect

from omnicenter.channels.sms import compute_signature
from tests.browser.conftest import login, shot
from tests.doubles import TWILIO_SID, TWILIO_TOKEN
from tests.e2e.server import ServerProcess


def send_email(server: ServerProcess, sender: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@omnicenter.local", subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@example.com>"
    msg.set_content(body)
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
        assert smtp.send_message(msg) == {}


def send_sms(server: ServerProcess, sender: str, body: str, sid: str) -> None:
    url = f"{server.base}/api/v1/channels/sms/twilio"
    params = {"MessageSid": sid, "AccountSid": TWILIO_SID, "From": sender,
              "To": "+48800000000", "Body": body, "NumMedia": "0"}  # fmt: skip
    sig = compute_signature(TWILIO_TOKEN, url, list(params.items()))
    r = httpx.post(url, content=urllib.parse.urlencode(params), headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})  # fmt: skip
    assert r.status_code == 200, r.text


def test_email_and_sms_share_one_timeline_and_the_agent_works_the_case(
    new_page: Any, web_server: ServerProcess, twilio: Any
) -> None:
    with web_server.client("anna") as api:
        r = api.post("/customers", json={"display_name": "Helena Multi", "identities": [
            {"kind": "email", "address": "helena@example.com", "verified": True},
            {"kind": "phone", "address": "+48601555111", "verified": True}]})  # fmt: skip
        assert r.status_code == 201, r.text
    desktop = new_page()
    login(desktop, "anna")
    send_email(web_server, "helena@example.com", "Broken zipper", "The zipper broke on day one.")
    send_sms(web_server, "+48601555111", "Did you get my email about the zipper?", "SM" + "e" * 32)
    desktop.locator("#cases .row", has_text="Broken zipper").click()
    timeline = desktop.locator("#timeline")
    expect(desktop.locator("#case-title")).to_have_text("Broken zipper")
    expect(timeline).to_contain_text("The zipper broke on day one.")
    expect(timeline).to_contain_text("Did you get my email about the zipper?")
    expect(desktop.locator("#customer")).to_contain_text("helena@example.com")
    expect(desktop.locator("#customer")).to_contain_text("+48601555111")

    # Reply on another channel: an SMS confirmation to the email case.
    desktop.get_by_label("Channel").select_option("sms")
    desktop.get_by_role("textbox", name="Reply").fill("We got it; a courier comes tomorrow.")
    desktop.keyboard.press("Control+Enter")
    expect(timeline.locator(".ev.agent", has_text="courier comes tomorrow")).to_be_visible()
    assert twilio.wait(1)[-1]["Body"] == "We got it; a courier comes tomorrow."

    # Canned response with variables, then an internal note via the keyboard shortcut.
    desktop.get_by_label("Canned response").select_option("greet")
    expect(desktop.get_by_role("textbox", name="Reply")).to_have_value(
        "Hello Helena Multi, I'm Anna Kowalska. How can I help?"
    )
    desktop.get_by_role("textbox", name="Reply").fill("Customer is polite; courier booked.")
    desktop.keyboard.press("Alt+n")
    expect(timeline.locator(".ev.note", has_text="courier booked")).to_be_visible()
    shot(desktop, "desktop-multichannel")

    # Wrap-up with a disposition and a callback promise.
    desktop.keyboard.press("Alt+w")
    desktop.get_by_label("Disposition").select_option("return_started")
    desktop.get_by_label("Callback at (optional)").fill("2030-01-02T15:00")
    desktop.get_by_role("button", name="Save wrap-up").click()
    expect(timeline).to_contain_text("Wrap-up: return started; callback promised")
    expect(desktop.locator("#cases .row", has_text="Broken zipper")).to_have_count(0)


def test_live_updates_survive_a_dropped_socket(new_page: Any, web_server: ServerProcess) -> None:
    r = httpx.post(f"{web_server.base}/api/v1/webchat/sessions",
                   json={"widget_key": "demo-widget-key", "name": "Rafał Resume"})  # fmt: skip
    visitor = {"Authorization": f"Bearer {r.json()['visitor_token']}"}
    first = httpx.post(f"{web_server.base}/api/v1/webchat/messages",
                       json={"text": "resume one", "client_id": "r1"}, headers=visitor)  # fmt: skip
    desktop = new_page()
    login(desktop, "anna")
    desktop.locator("#cases .row", has_text="Rafał Resume").click()
    expect(desktop.locator("#timeline")).to_contain_text("resume one")
    desktop.evaluate("ocDesktop.socket.disconnect()")
    expect(desktop.locator("#live")).to_have_text("reconnecting…")
    for text in ("resume two", "resume three"):
        httpx.post(f"{web_server.base}/api/v1/webchat/messages",
                   json={"text": text, "client_id": text}, headers=visitor)  # fmt: skip
    expect(desktop.locator("#timeline")).not_to_contain_text("resume two")
    desktop.evaluate("ocDesktop.socket.reconnect()")
    expect(desktop.locator("#live")).to_have_text("● live")
    # Appended from the resent events (no reload of the timeline happens on reconnect).
    expect(desktop.locator("#timeline .ev.customer")).to_contain_text(
        ["resume one", "resume two", "resume three"]
    )
    assert first.status_code == 201


def test_transfer_to_a_colleague_and_the_supervisor_reassigns(
    new_page: Any, web_server: ServerProcess
) -> None:
    r = httpx.post(f"{web_server.base}/api/v1/webchat/sessions",
                   json={"widget_key": "demo-widget-key", "name": "Teodor Transfer"})  # fmt: skip
    httpx.post(f"{web_server.base}/api/v1/webchat/messages", json={"text": "transfer me",
               "client_id": "t1"}, headers={"Authorization": f"Bearer {r.json()['visitor_token']}"})  # fmt: skip
    desktop = new_page()
    login(desktop, "anna")
    desktop.locator("#cases .row", has_text="Teodor Transfer").click()
    expect(desktop.locator("#timeline")).to_contain_text("transfer me")
    desktop.keyboard.press("Alt+t")
    tomek = desktop.locator("#transfer-to option", has_text="Tomasz").get_attribute("value")
    desktop.get_by_label("Transfer to").select_option(tomek)
    desktop.get_by_role("button", name="Transfer", exact=True).last.click()
    expect(desktop.locator("#timeline")).to_contain_text("Transferred to Tomasz Wiśniewski")
    wall = new_page()
    login(wall, "sara", "/supervisor")
    row = wall.locator("tr[data-agent=tomek]")
    expect(row).to_contain_text("1 open case(s)")
    row.get_by_role("button", name="view").first.click()
    expect(wall.locator("#silent-log")).to_contain_text("transfer me")
    shot(wall, "wallboard-silent-view")
