"""The routing engine in the live service: offers on the agent's socket, accept, reject,
ownership on the case, supervisors' view and rules changed without a restart."""

from __future__ import annotations

import asyncio
import json
import tomllib
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from tests.e2e.server import ServerProcess
from tests.e2e.test_channels_e2e import chat_session

DEFAULT_RULES = (
    Path(__file__).resolve().parents[2] / "src" / "omnicenter" / "config" / "routing.toml"
)


def visitor_says(server: ServerProcess, text: str) -> dict[str, Any]:
    session = chat_session(server)
    r = httpx.post(
        f"{server.base}/api/v1/webchat/messages",
        json={"text": text, "client_id": "x"},
        headers={"Authorization": f"Bearer {session['visitor_token']}"},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


class Inbox:
    """Everything one agent's socket receives, collected in the background."""

    def __init__(self, ws: Any) -> None:
        self.events: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self.task = asyncio.create_task(self._read(ws))

    async def _read(self, ws: Any) -> None:
        async for raw in ws:
            self.events.append(json.loads(raw))
            self.changed.set()

    async def wait(self, pred: Any, timeout: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                found = next((e for e in self.events if pred(e)), None)
                if found is not None:
                    return found
                self.changed.clear()
                await self.changed.wait()


def offer_of(case_id: str) -> Any:
    return lambda e: e["type"] == "task_offered" and e["case_id"] == case_id


async def test_offer_accept_reject_and_supervisor_view(server: ServerProcess) -> None:
    anna, tomek = server.token("anna"), server.token("tomek")
    async with (
        connect(server.ws_url(f"/events/ws?token={anna}")) as anna_ws,
        connect(server.ws_url(f"/events/ws?token={tomek}")) as tomek_ws,
    ):
        a, t = Inbox(anna_ws), Inbox(tomek_ws)
        with server.client("anna") as api:
            assert api.put("/agents/me/presence", json={"presence": "available"}).status_code == 200
            anna_id = api.get("/me").json()["id"]
        first = visitor_says(server, "Do you ship to Gdańsk?")
        offer = await a.wait(offer_of(first["case_id"]))
        assert offer["to_agent"] == anna_id and offer["channel"] == "webchat"
        assert not any(e.get("to_agent") == anna_id for e in t.events)  # offers are private
        with server.client("anna") as api:
            r = api.post(f"/offers/{offer['task_id']}/accept")
            assert r.status_code == 200, r.text
            assigned = await a.wait(
                lambda e: e["type"] == "task_assigned" and e["task_id"] == offer["task_id"]
            )
            assert assigned["queue"] == "general"
            case = api.get(f"/cases/{first['case_id']}").json()
            assert case["owner_agent_id"] == anna_id and case["status"] == "open"
            facts = [
                e["body"]
                for e in api.get(f"/cases/{first['case_id']}/timeline").json()
                if e["kind"] == "routing"
            ]
            assert facts[:2] == ["queued", "assigned"]
            # An offer can be answered once, and only by its agent.
            assert api.post(f"/offers/{offer['task_id']}/accept").status_code == 409
        with server.client("tomek") as api:
            assert api.put("/agents/me/presence", json={"presence": "available"}).status_code == 200
        second = visitor_says(server, "Where is order 100777?")
        winner = await asyncio.wait(
            [asyncio.create_task(i.wait(offer_of(second["case_id"]))) for i in (a, t)],
            return_when=asyncio.FIRST_COMPLETED,
        )
        first_offer = next(iter(winner[0])).result()
        # Whoever got it declines; the task then goes to the other agent with its place kept.
        if first_offer["to_agent"] == anna_id:
            decliner, declined_inbox, next_inbox = "anna", a, t
        else:
            decliner, declined_inbox, next_inbox = "tomek", t, a
        with server.client(decliner) as api:
            assert api.post(f"/offers/{first_offer['task_id']}/reject").status_code == 200
        ended = await declined_inbox.wait(
            lambda e: e["type"] == "offer_ended" and e["task_id"] == first_offer["task_id"]
        )
        assert ended["reason"]
        again = await next_inbox.wait(offer_of(second["case_id"]))
        assert (
            again["task_id"] == first_offer["task_id"]
            and again["to_agent"] != first_offer["to_agent"]
        )
        a.task.cancel()
        t.task.cancel()
    with server.client("sara") as api:
        snap = api.get("/routing/snapshot").json()
        general = [
            q for q in snap["queues"] if q["queue"] == "general" and q["channel"] == "webchat"
        ]
        assert general and general[0]["answered"] >= 1
        explanation = api.get(f"/routing/tasks/{offer['task_id']}/explain").json()["explanation"]
        assert anna_id in explanation
        # The same facts feed the historical KPIs, in the transaction that recorded them.
        rows = api.get("/kpis", params={"by": "queue,channel"}).json()
        chat = next(r for r in rows if r["queue"] == "general" and r["channel"] == "webchat")
        assert chat["offered"] >= 2 and chat["handled"] >= 1
    with server.client("anna") as api:
        assert api.get("/routing/snapshot").status_code == 403
        assert api.get("/kpis").status_code == 403


def test_rules_change_without_restart_and_bad_rules_are_refused(server: ServerProcess) -> None:
    rules = tomllib.loads(DEFAULT_RULES.read_text())
    with server.client("admin") as api:
        bad = api.put(
            "/routing/config", json={**rules, "queues": {"x": {"channels": ["carrier-pigeon"]}}}
        )
        assert bad.status_code == 422 and "carrier-pigeon" in bad.json()["detail"]
        rules["queues"]["billing"] = {"channels": ["email", "webchat"], "policy": "round_robin"}
        ok = api.put("/routing/config", json=rules)
        assert ok.status_code == 200, ok.text
        assert "billing" in ok.json()["queues"]
    with server.client("sara") as api:
        queues = {q["queue"] for q in api.get("/routing/snapshot").json()["queues"]}
        assert "billing" in queues
    saved = json.loads((server.data_dir / "routing.json").read_text())
    assert "billing" in saved["queues"]
