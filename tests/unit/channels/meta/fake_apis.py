"""A local fake of Meta's Graph API and Telegram's Bot API that speaks their documented
wire formats: the paths, the JSON bodies, the error objects (WhatsApp's 131047
re-engagement error, the Send API's code 10/2018278 outside the window, Telegram's
`ok: false`). One request handler; `transport()` serves it to an httpx client in unit
tests, `tests/e2e/test_messaging_e2e.py` serves it over HTTP to the real server.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.unit.channels.fixtures import fixtures_of, load_json

__all__ = ["GRAPH_VERSION", "FakeApis", "Sent"]

GRAPH_VERSION = "v21.0"
IMAGE = b"\xff\xd8\xff\xe0 fake jpeg bytes"


@dataclass(frozen=True)
class Sent:
    """One message the fake accepted: which API (`whatsapp`, `send_api`, `telegram`) and
    the JSON body."""

    api: str
    body: dict[str, Any]


@dataclass
class FakeApis:
    """`open_windows`: recipients (wa_id, PSID, IGSID) who wrote within 24 hours; a
    free-form message to anyone else is refused as Meta refuses it. `media_failures`:
    how many media/file requests answer 500 before one succeeds. `blocked`: Telegram chat
    ids that blocked the bot."""

    token: str = "test-token"
    telegram_token: str = "123456:TEST-bot-token"
    open_windows: set[str] = field(default_factory=set)
    human_agent_allowed: bool = True
    media_failures: int = 0
    blocked: set[str] = field(default_factory=set)
    sent: list[Sent] = field(default_factory=list)
    media_requests: int = 0
    base: str = "http://graph.test"
    got: threading.Condition = field(default_factory=threading.Condition)

    # -- the one handler -------------------------------------------------------------------
    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, str]:
        """(status, body, content type) for one request."""
        if path.startswith("/bot") or path.startswith("/file/bot"):
            return self._telegram(method, path, body)
        if path.startswith(("/lookaside/", "/v/", "/ig_messaging_cdn/", "/whatsapp_business/")):
            return self._media_bytes()  # a media URL (Meta's lookaside, the CDN)
        if headers.get("authorization") != f"Bearer {self.token}":
            return _json(401, _graph_error(190, "Invalid OAuth access token."))
        prefix = f"/{GRAPH_VERSION}/"
        if not path.startswith(prefix):
            return _json(404, _graph_error(100, "Unknown path"))
        rest = path[len(prefix) :]
        if method == "POST" and rest == "me/messages":
            return self._send_api(json.loads(body))
        if method == "POST" and rest.endswith("/messages"):
            return self._whatsapp(json.loads(body))
        if method == "GET" and rest.isdigit():
            return self._media_info(rest)
        return _json(404, _graph_error(100, "Unsupported request"))

    def transport(self) -> httpx.MockTransport:
        def respond(request: httpx.Request) -> httpx.Response:
            headers = {k.lower(): v for k, v in request.headers.items()}
            status, content, ctype = self.handle(
                request.method, request.url.path, headers, request.content
            )
            return httpx.Response(status, content=content, headers={"content-type": ctype})

        return httpx.MockTransport(respond)

    def wait(self, n: int, timeout: float = 10) -> list[Sent]:
        with self.got:
            self.got.wait_for(lambda: len(self.sent) >= n, timeout)
        return list(self.sent)

    # -- Graph API -------------------------------------------------------------------------
    def _whatsapp(self, body: dict[str, Any]) -> tuple[int, bytes, str]:
        to = str(body.get("to"))
        if body.get("messaging_product") != "whatsapp":
            return _json(400, _graph_error(100, "Invalid parameter"))
        if body.get("type") != "template" and to not in self.open_windows:
            return _json(400, load_json(fixtures_of("whatsapp") / "error_131047_reengagement.json"))
        self._record("whatsapp", body)
        answer = load_json(fixtures_of("whatsapp") / "send_response.json")
        answer["contacts"] = [{"input": to, "wa_id": to}]
        answer["messages"] = [{"id": f"wamid.fake{len(self.sent)}"}]
        return _json(200, answer)

    def _send_api(self, body: dict[str, Any]) -> tuple[int, bytes, str]:
        to = str(body.get("recipient", {}).get("id"))
        tagged = body.get("messaging_type") == "MESSAGE_TAG" and body.get("tag") == "HUMAN_AGENT"
        if to not in self.open_windows and not (tagged and self.human_agent_allowed):
            return _json(400, load_json(fixtures_of("messenger") / "error_outside_window.json"))
        self._record("send_api", body)
        return _json(200, {"recipient_id": to, "message_id": f"m_fake{len(self.sent)}"})

    def _media_info(self, media_id: str) -> tuple[int, bytes, str]:
        self.media_requests += 1
        if self.media_failures > 0:
            self.media_failures -= 1
            return _json(500, _graph_error(2, "Service temporarily unavailable"))
        info = load_json(fixtures_of("whatsapp") / "media_url.json")
        info.update(id=media_id, url=f"{self.base}/lookaside/{media_id}")
        return _json(200, info)

    def _media_bytes(self) -> tuple[int, bytes, str]:
        return 200, IMAGE, "image/jpeg"

    # -- Bot API ---------------------------------------------------------------------------
    def _telegram(self, method: str, path: str, body: bytes) -> tuple[int, bytes, str]:
        if path.startswith(f"/file/bot{self.telegram_token}/"):
            return self._media_bytes()
        prefix = f"/bot{self.telegram_token}/"
        if not path.startswith(prefix):
            return _json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        name = path[len(prefix) :]
        payload = json.loads(body or b"{}")
        if name == "sendMessage":
            if str(payload.get("chat_id")) in self.blocked:
                return _json(403, load_json(fixtures_of("telegram") / "error_blocked.json"))
            self._record("telegram", payload)
            answer = load_json(fixtures_of("telegram") / "send_message_ok.json")
            answer["result"]["message_id"] = 2000 + len(self.sent)
            answer["result"]["text"] = payload.get("text")
            return _json(200, answer)
        if name == "getFile":
            self.media_requests += 1
            if self.media_failures > 0:
                self.media_failures -= 1
                return _json(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
            answer = load_json(fixtures_of("telegram") / "get_file_ok.json")
            answer["result"]["file_id"] = payload.get("file_id")
            return _json(200, answer)
        return _json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def _record(self, api: str, body: dict[str, Any]) -> None:
        with self.got:
            self.sent.append(Sent(api, body))
            self.got.notify_all()


def _graph_error(code: int, message: str) -> dict[str, Any]:
    return {
        "error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Afake"}
    }


def _json(status: int, body: dict[str, Any]) -> tuple[int, bytes, str]:
    return status, json.dumps(body).encode(), "application/json"
