"""The desktop's tools around a case: consents in the Customer 360 panel, files attached to an
email reply, and the keyboard shortcuts."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import login, shot
from tests.browser.test_desktop import send_email
from tests.e2e.server import ServerProcess


def test_consents_are_shown_edited_and_audited_in_the_360_panel(
    new_page: Any, web_server: ServerProcess
) -> None:
    send_email(web_server, "konrad.consent@example.com", "Newsletter question", "Stop the ads?")
    desktop = new_page()
    login(desktop, "anna")
    desktop.locator("#cases .row", has_text="Newsletter question").click()
    marketing = desktop.get_by_label("Consent marketing by email")
    expect(marketing).to_have_value("")
    marketing.select_option("no")
    expect(desktop.locator("#timeline")).to_contain_text("Consent: marketing by email withdrawn")
    desktop.get_by_label("Consent service by sms").select_option("yes")
    expect(desktop.locator("#timeline")).to_contain_text("Consent: service by sms granted")
    shot(desktop, "desktop-consents")

    customer_id = desktop.evaluate("ocDesktop.current.customerId")
    with web_server.client("tomek") as api:
        got = {
            (c["channel"], c["purpose"]): c
            for c in api.get(f"/customers/{customer_id}/consents").json()
        }
        assert got[("email", "marketing")]["granted"] is False
        assert got[("sms", "service")]["granted"] is True
        assert got[("email", "marketing")]["source"] == "agent anna"
        bad = api.put(f"/customers/{customer_id}/consents",
                      json={"consents": [{"channel": "pigeon", "purpose": "marketing", "granted": True}]})  # fmt: skip
        assert bad.status_code == 422
        assert api.get("/customers/cus_unknown/consents").status_code == 404
    # Reopened, the panel shows what is stored.
    desktop.reload()
    desktop.wait_for_selector("body[data-ready='1']")
    desktop.locator("#cases .row", has_text="Newsletter question").click()
    expect(desktop.get_by_label("Consent marketing by email")).to_have_value("no")
    expect(desktop.get_by_label("Consent service by sms")).to_have_value("yes")
    with web_server.client("partner") as api:
        r = api.put(f"/customers/{customer_id}/consents",
                    json={"consents": [{"channel": "email", "purpose": "marketing", "granted": True}]})  # fmt: skip
        assert r.status_code == 403


def test_agent_attaches_a_file_to_an_email_reply(
    new_page: Any, web_server: ServerProcess, smtp_sink: Any
) -> None:
    send_email(web_server, "filip.file@example.com", "Need the invoice", "Please send my invoice.")
    desktop = new_page()
    login(desktop, "anna")
    desktop.locator("#cases .row", has_text="Need the invoice").click()
    expect(desktop.locator("#reply-channel")).to_have_value("email")
    files = desktop.get_by_label("Attach files")
    files.set_input_files(files=[{"name": "tool.exe", "mimeType": "application/x-msdownload",
                                  "buffer": b"MZ"}])  # fmt: skip
    desktop.get_by_role("textbox", name="Reply").fill("Here it is.")
    desktop.get_by_role("button", name="Send", exact=True).click()
    expect(desktop.locator("#reply-error")).to_contain_text("not accepted")

    before = len(smtp_sink.messages)
    pdf = b"%PDF-1.4 invoice 100234"
    files.set_input_files(files=[{"name": "invoice-100234.pdf", "mimeType": "application/pdf",
                                  "buffer": pdf}])  # fmt: skip
    desktop.get_by_role("button", name="Send", exact=True).click()
    link = desktop.locator("#timeline .ev.agent [data-attachment]", has_text="invoice-100234.pdf")
    expect(link).to_be_visible()
    with desktop.expect_download() as dl:
        link.click()
    assert dl.value.suggested_filename == "invoice-100234.pdf"
    shot(desktop, "desktop-attachment")

    sent = smtp_sink.wait(before + 1)[-1]
    msg = email.message_from_bytes(sent["data"], policy=email.policy.default)
    assert sent["to"] == ["filip.file@example.com"]
    parts = [p for p in msg.iter_attachments()]
    assert [p.get_filename() for p in parts] == ["invoice-100234.pdf"]
    assert parts[0].get_content_type() == "application/pdf" and parts[0].get_content() == pdf

    # Limits over HTTP: too large, and a channel that carries no files.
    case_id = desktop.evaluate("ocDesktop.current.caseId")
    token = web_server.token("anna")
    url = f"{web_server.base}/api/v1/cases/{case_id}/replies"
    headers = {"Authorization": f"Bearer {token}"}
    big = httpx.post(url, headers=headers, data={"channel": "email", "body": "big"},
                     files={"file": ("big.pdf", b"0" * (5 * 1048576 + 1), "application/pdf")})  # fmt: skip
    assert big.status_code == 413
    sms = httpx.post(url, headers=headers, data={"channel": "sms", "body": "x"},
                     files={"file": ("a.txt", b"hello", "text/plain")})  # fmt: skip
    assert sms.status_code == 422 and "email" in sms.json()["detail"]


def test_keyboard_shortcuts_move_between_cases_and_answer_offers(
    new_page: Any, web_server: ServerProcess
) -> None:
    for n in (1, 2):
        send_email(web_server, f"kasia{n}.keys@example.com", f"Keyboard case {n}", "Hello")
    desktop = new_page()
    login(desktop, "anna")
    body = desktop.locator("body")
    rows = desktop.locator("#cases .row")
    expect(rows.nth(2)).to_be_visible()
    first, second = (rows.nth(i).get_attribute("data-case") for i in (0, 1))
    desktop.keyboard.press("Alt+j")
    expect(body).to_have_attribute("data-opened-case", first or "")
    desktop.keyboard.press("Alt+j")
    expect(body).to_have_attribute("data-opened-case", second or "")
    expect(desktop.locator("#reply-body")).to_be_focused()
    desktop.keyboard.press("Alt+k")
    expect(body).to_have_attribute("data-opened-case", first or "")
    desktop.locator("#timeline").focus()
    desktop.keyboard.press("Alt+r")
    expect(desktop.locator("#reply-body")).to_be_focused()

    # "?" outside a text field opens the list of shortcuts.
    desktop.locator("#timeline").focus()
    desktop.keyboard.press("?")
    help_box = desktop.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("Alt+J / Alt+K")
    desktop.keyboard.press("Escape")
    expect(help_box).to_be_hidden()

    # Alt+X declines the first offer, Alt+A accepts the next one and opens its case.
    desktop.get_by_label("My presence").select_option("available")
    offers = desktop.locator("#offers .offer")
    expect(offers.nth(1)).to_be_visible()
    declined = offers.first.get_attribute("data-offer")
    desktop.keyboard.press("Alt+x")
    expect(desktop.locator(f"#offers .offer[data-offer='{declined}']")).to_have_count(0)
    taken = offers.first.get_attribute("data-case")
    desktop.keyboard.press("Alt+a")
    expect(body).to_have_attribute("data-opened-case", taken or "")
    # The assignment reaches the inbox live: the row is marked as the agent's own.
    expect(desktop.locator(f"#cases .row[data-case='{taken}']")).to_contain_text("mine")
    with web_server.client("anna") as api:
        me = api.get("/me").json()["id"]
        assert api.get(f"/cases/{taken}").json()["owner_agent_id"] == me
