"""The bot on the real server: it answers a web chat visitor first (with buttons), and a
visitor who asks for a person reaches an agent's offer with the context on the case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.e2e.server import ServerProcess
from tests.e2e.test_channels_e2e import chat_session, next_event

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def bot_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        tmp_path_factory.mktemp("bot"),
        env_extra={
            "OMNICENTER_BOT_ENABLED": "true",
            "OMNICENTER_BOT_FLOW": str(EXAMPLES / "flows" / "shop.yaml"),
            "OMNICENTER_BOT_CATALOG": str(EXAMPLES / "catalog"),
        },
    )
    proc.start()
    yield proc
    proc.stop()


async def test_bot_answers_then_hands_over_to_an_agent(bot_server: ServerProcess) -> None:
    server = bot_server
    anna = server.token("anna")
    with server.client("anna") as api:
        assert api.put("/agents/me/presence", json={"presence": "available"}).status_code == 200
    session = chat_session(server)
    async with (
        connect(server.ws_url(f"/events/ws?token={anna}")) as agent_ws,
        connect(server.ws_url(f"/webchat/ws?token={session['visitor_token']}")) as visitor_ws,
    ):
        await agent_ws.recv()
        await visitor_ws.send(
            json.dumps({"type": "message", "text": "dzień dobry", "client_id": "b1"})
        )
        ack = await next_event(visitor_ws, lambda d: d["type"] == "ack")
        # The bot greets, then shows its menu; on web chat the choices come as buttons.
        menu = await next_event(visitor_ws, lambda d: d["type"] == "message" and d.get("buttons"))
        assert menu["author_type"] == "bot"
        assert all({"label", "value"} <= set(b) for b in menu["buttons"])
        await visitor_ws.send(
            json.dumps({"type": "message", "text": "człowiek", "client_id": "b2"})
        )
        offer = await next_event(
            agent_ws, lambda d: d["type"] == "task_offered" and d["case_id"] == ack["case_id"]
        )
        assert offer["channel"] == "webchat"
    with server.client("anna") as api:
        case = api.get(f"/cases/{ack['case_id']}").json()
        assert "bot_handover" in case["fields"]
        notes = [
            e for e in api.get(f"/cases/{ack['case_id']}/timeline").json() if e["kind"] == "note"
        ]
        assert notes and "człowiek" in json.dumps(notes, ensure_ascii=False)
    transcript = httpx.get(
        f"{server.base}/api/v1/webchat/transcript",
        headers={"Authorization": f"Bearer {session['visitor_token']}"},
    ).json()
    assert [m["author_type"] for m in transcript][:2] == ["customer", "bot"]
