"""Routing seen from the desktop and the wallboard: a transfer to a queue re-routes the live
chat to another agent; the wallboard's figures and charts come from the live engine."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import login, shot
from tests.browser.test_desktop import send_sms
from tests.e2e.server import ServerProcess


def chat(server: ServerProcess, name: str, text: str) -> dict[str, Any]:
    r = httpx.post(f"{server.base}/api/v1/webchat/sessions",
                   json={"widget_key": "demo-widget-key", "name": name})  # fmt: skip
    assert r.status_code == 200, r.text
    token = r.json()["visitor_token"]
    m = httpx.post(f"{server.base}/api/v1/webchat/messages", json={"text": text, "client_id": name},
                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert m.status_code == 201, m.text
    return {**m.json(), "visitor_token": token}


def test_transfer_to_a_queue_offers_the_chat_to_another_agent(
    new_page: Any, web_server: ServerProcess
) -> None:
    anna, tomek = new_page(), new_page()
    login(anna, "anna")
    login(tomek, "tomek")
    anna.get_by_label("My presence").select_option("available")
    expect(anna.locator("#presence")).to_have_value("available")
    sent = chat(web_server, "Quentin Queue", "Can someone from returns help me?")

    offer = anna.locator(f".offer[data-case='{sent['case_id']}']")
    offer.get_by_role("button", name="Accept").click()
    expect(anna.locator("#case-title")).not_to_have_text("Select a case")
    expect(anna.locator("#timeline")).to_contain_text("Can someone from returns help me?")
    expect(anna.locator(f"#cases .row[data-case='{sent['case_id']}']")).to_contain_text("mine")
    with web_server.client("anna") as api:
        anna_id = api.get("/me").json()["id"]
        assert api.get(f"/cases/{sent['case_id']}").json()["owner_agent_id"] == anna_id
        assert "general" in api.get("/desktop/queues").json()

    tomek.get_by_label("My presence").select_option("available")
    expect(tomek.locator("#presence")).to_have_value("available")
    anna.keyboard.press("Alt+t")
    anna.get_by_label("Transfer to").select_option("queue:general")
    anna.get_by_role("button", name="Transfer", exact=True).last.click()
    expect(anna.locator("#timeline")).to_contain_text("Transferred to queue general")

    # The live task is offered again: to the other agent of the queue, not back to anna.
    tomek_offer = tomek.locator(f".offer[data-case='{sent['case_id']}']")
    expect(tomek_offer).to_be_visible()
    expect(anna.locator(f".offer[data-case='{sent['case_id']}']")).to_have_count(0)
    shot(tomek, "desktop-transfer-offer")
    tomek_offer.get_by_role("button", name="Accept").click()
    expect(tomek.locator("#timeline")).to_contain_text("Can someone from returns help me?")
    expect(tomek.locator(f"#cases .row[data-case='{sent['case_id']}']")).to_contain_text("mine")
    with web_server.client("tomek") as api:
        tomek_id = api.get("/me").json()["id"]
        case = api.get(f"/cases/{sent['case_id']}").json()
        assert case["owner_agent_id"] == tomek_id
        facts = [e["body"] for e in api.get(f"/cases/{sent['case_id']}/timeline").json()
                 if e["kind"] == "routing"]  # fmt: skip
        assert facts.count("assigned") == 2
        bad = api.post(f"/cases/{sent['case_id']}/transfer", json={"queue": "no-such-queue"})
        assert bad.status_code == 422 and "no-such-queue" in bad.text


def test_wallboard_charts_and_live_figures_come_from_kpis_and_the_engine(
    new_page: Any, web_server: ServerProcess
) -> None:
    chat(web_server, "Wanda Wallboard", "How long is the wait today?")
    wall = new_page()
    login(wall, "sara", "/supervisor")
    sl = wall.locator("svg[data-chart=service-level]")
    expect(sl.locator("rect").first).to_be_visible()
    expect(sl.locator("line[data-target='0.8']")).to_have_count(1)
    volume = wall.locator("svg[data-chart=volume] rect[data-label=webchat]")
    expect(volume).to_be_visible()
    before = int(float(volume.get_attribute("data-value") or 0))
    assert before >= 2  # this module's chats, counted by the KPI buckets
    with web_server.client("sara") as api:
        kpi = next(r for r in api.get("/kpis", params={"by": "channel"}).json()
                   if r["channel"] == "webchat")  # fmt: skip
        assert kpi["offered"] == before
        board = api.get("/supervisor/wallboard").json()
        snap = api.get("/routing/snapshot").json()
    assert board["source"] == "routing"
    engine_waiting = sum(q["waiting"] for q in snap["queues"] if q["channel"] == "webchat")
    # Wanda waits: filed in the queue, or offered to an agent who has not accepted yet.
    assert board["channels"]["webchat"]["waiting"] >= max(engine_waiting, 1)
    assert any(q["queue"] == "general" and q["channel"] == "webchat" for q in board["queues"])

    # A new chat moves the volume chart live (refreshed on the event, no reload).
    chat(web_server, "Witold Wallboard", "One more question")
    expect(volume).to_have_attribute("data-value", str(before + 1))
    wall.get_by_label("Chart interval").select_option("quarter")
    expect(wall.locator("#charts-updated")).to_have_attribute("data-grain", "quarter")
    expect(sl.locator("rect").first).to_be_visible()
    wall.locator("#chart-sl").scroll_into_view_if_needed()
    shot(wall, "wallboard-charts")


def test_transfer_to_a_queue_that_does_not_serve_the_channel_is_refused(
    web_server: ServerProcess,
) -> None:
    send_sms(web_server, "+48601999000", "Text me back about my return", "SM" + "r" * 32)
    with web_server.client("anna") as api:
        case = next(c for c in api.get("/cases", params={"status": "open", "limit": 500}).json()
                    if c["subject"].startswith("Text me back"))  # fmt: skip
        r = api.post(f"/cases/{case['id']}/transfer", json={"queue": "returns"})
        assert r.status_code == 422 and "takes no sms" in r.text
        # Nothing was recorded for the refused transfer.
        kinds = [e["kind"] for e in api.get(f"/cases/{case['id']}/timeline").json()]
        assert "transfer" not in kinds
        ok = api.post(f"/cases/{case['id']}/transfer", json={"queue": "general"})
        assert ok.status_code == 201, ok.text
