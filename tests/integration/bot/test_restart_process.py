"""A real server killed with -9: a web chat message received by a run that never answered
it is answered by the next run that has the bot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.e2e.server import ServerProcess
from tests.e2e.test_channels_e2e import chat_session, next_event

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BOT = {
    "OMNICENTER_BOT_ENABLED": "true",
    "OMNICENTER_BOT_FLOW": str(EXAMPLES / "flows" / "shop.yaml"),
    "OMNICENTER_BOT_CATALOG": str(EXAMPLES / "catalog"),
}

pytestmark = pytest.mark.slow


def transcript(server: ServerProcess, token: str) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{server.base}/api/v1/webchat/transcript",
        headers={"Authorization": f"Bearer {token}"},
    )
    r.raise_for_status()
    return list(r.json())


def answered(messages: list[dict[str, Any]], text: str) -> bool:
    """A bot message after the customer's `text`."""
    asked = [i for i, m in enumerate(messages) if m["author_type"] == "customer"]
    last = next((i for i in reversed(asked) if messages[i]["body"] == text), None)
    return last is not None and any(m["author_type"] == "bot" for m in messages[last + 1 :])


async def test_a_message_received_by_a_killed_run_is_answered_by_the_next(
    tmp_path: Path,
) -> None:
    server = ServerProcess(tmp_path, env_extra=dict(BOT))
    server.start()
    try:
        session = chat_session(server)
        token = session["visitor_token"]
        async with connect(server.ws_url(f"/webchat/ws?token={token}")) as ws:
            await ws.send(json.dumps({"type": "message", "text": "status zamówienia"}))
            await next_event(ws, lambda d: d["type"] == "message" and d["author_type"] == "bot")
        server.kill9()

        server.env_extra = {"OMNICENTER_BOT_ENABLED": "false"}  # a run that will not answer
        server.start()
        async with connect(server.ws_url(f"/webchat/ws?token={token}")) as ws:
            await ws.send(json.dumps({"type": "message", "text": "10001", "client_id": "k1"}))
            await next_event(ws, lambda d: d["type"] == "ack")
        assert not answered(transcript(server, token), "10001")
        server.kill9()  # received and stored, never answered

        server.env_extra = dict(BOT)
        server.start()
        async with connect(server.ws_url(f"/webchat/ws?token={token}")) as ws:
            if not answered(transcript(server, token), "10001"):
                await next_event(
                    ws, lambda d: d["type"] == "message" and d["author_type"] == "bot", 30
                )
        messages = transcript(server, token)
        assert answered(messages, "10001")
        bot_after = [m["body"] for m in messages if m["author_type"] == "bot"]
        assert any("10001" in body for body in bot_after), bot_after  # the order's status
    finally:
        server.stop()
