"""The knowledge panel: an agent looks up the customer's price in the single source of truth,
inserts it into the reply, and the fact goes with the message (so the audit sees agents)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.test_desktop import send_email, send_sms
from tests.doubles import FakeTwilio, SmtpSink, relay_env
from tests.e2e.server import ServerProcess

CATALOG = Path(__file__).resolve().parents[2] / "examples" / "catalog"


@pytest.fixture(scope="module")
def web_server(
    tmp_path_factory: pytest.TempPathFactory,
    browser: Any,
    smtp_sink: SmtpSink,
    twilio: FakeTwilio,
) -> Iterator[ServerProcess]:
    env = {**relay_env(smtp_sink, twilio), "OMNICENTER_BOT_CATALOG": str(CATALOG)}
    proc = ServerProcess(tmp_path_factory.mktemp("knowledge-panel"), env_extra=env)
    proc.start()
    yield proc
    proc.stop()


def test_the_agent_inserts_a_fact_and_it_is_recorded_with_the_reply(
    new_page: Any, web_server: ServerProcess
) -> None:
    send_email(web_server, "marta@example.com", "Koszulka", "Ile kosztuje czerwona koszulka M?")
    desktop = new_page()
    login(desktop, "anna")
    desktop.get_by_text("Koszulka").first.click()
    panel = desktop.locator("#knowledge")
    panel.get_by_label("Question").select_option("price")
    panel.get_by_label("What to look up").fill("TSH-RED-M")
    panel.get_by_role("button", name="Look up").click()
    expect(panel.locator(".knowledge-answer p")).to_contain_text("TSH-RED-M")
    expect(panel.locator(".knowledge-answer small")).to_contain_text("source:")
    panel.get_by_role("button", name="Insert").click()
    assert "TSH-RED-M" in desktop.locator("#reply-body").input_value()
    desktop.locator("#reply-channel").select_option("email")
    desktop.get_by_role("button", name="Send").click()
    expect(desktop.locator("#reply-body")).to_have_value("")
    with web_server.client("anna") as api:
        cases = api.get("/cases").json()
        case = next(c for c in cases if c["subject"] == "Koszulka")
        timeline = api.get(f"/cases/{case['id']}/timeline").json()
    sent = [e for e in timeline if e["author_type"] == "agent" and e["kind"] == "message_out"]
    assert sent and sent[-1]["meta"]["facts"][0]["key"].startswith("price:TSH-RED-M")


def test_a_contact_that_joined_the_case_is_split_off_with_one_click(
    new_page: Any, web_server: ServerProcess
) -> None:
    with web_server.client("anna") as api:
        made = api.post("/customers", json={"display_name": "Zofia Split", "identities": [
            {"kind": "email", "address": "zofia@example.com", "verified": True},
            {"kind": "phone", "address": "+48601444222", "verified": True}]})  # fmt: skip
        assert made.status_code == 201, made.text
    send_email(web_server, "zofia@example.com", "Broken shoes", "The sole came off.")
    send_sms(web_server, "+48601444222", "And the invoice for the jacket?", "SM" + "z" * 32)
    desktop = new_page()
    login(desktop, "anna")
    desktop.get_by_text("Broken shoes").first.click()
    contacts = desktop.locator("#case-contacts")
    expect(contacts.locator(".contact")).to_have_count(2)  # the text joined the open case
    contacts.locator(".contact", has_text="sms").get_by_role("button", name="Split off").click()
    expect(contacts.locator(".contact")).to_have_count(1)
    expect(contacts).to_contain_text("sms")  # now the new case is open
    with web_server.client("anna") as api:
        cases = api.get("/cases").json()
        mine = [c for c in cases if c["customer_id"] == made.json()["id"]]
    assert len(mine) == 2
