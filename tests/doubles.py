"""Test doubles for the outside world the server talks to: an SMTP relay sink and an SMS
gateway that speaks Twilio's Messages API wire format."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import free_port

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-auth-token"


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.got = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.got:
            self.messages.append(
                {"from": envelope.mail_from, "to": envelope.rcpt_tos, "data": envelope.content}
            )
            self.got.notify_all()
        return "250 OK"

    def wait(self, n: int, timeout: float = 10) -> list[dict[str, Any]]:
        with self.got:
            self.got.wait_for(lambda: len(self.messages) >= n, timeout)
        return self.messages


class FakeTwilio:
    """Records POSTs to /2010-04-01/Accounts/{sid}/Messages.json and answers like Twilio."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.got = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                ok_path = self.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
                auth_ok = self.headers.get("Authorization", "").startswith("Basic ")
                if not (ok_path and auth_ok):
                    body = {"code": 20404, "message": "not found", "status": 404}
                    self._reply(404, body)
                    return
                sid = f"SM{len(outer.sent):032d}"
                with outer.got:
                    outer.sent.append({**form, "auth": self.headers["Authorization"]})
                    outer.got.notify_all()
                self._reply(
                    201,
                    {
                        "sid": sid,
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "account_sid": TWILIO_SID,
                    },
                )

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, n: int, timeout: float = 10) -> list[dict[str, Any]]:
        with self.got:
            self.got.wait_for(lambda: len(self.sent) >= n, timeout)
        return self.sent

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def relay_env(smtp_sink: SmtpSink, twilio: FakeTwilio) -> dict[str, str]:
    """Settings that send the server's outbound email and SMS to the test doubles."""
    return {
        "OMNICENTER_SMTP_RELAY_HOST": "127.0.0.1",
        "OMNICENTER_SMTP_RELAY_PORT": str(smtp_sink.port),  # type: ignore[attr-defined]
        "OMNICENTER_SMS_PROVIDER": "twilio",
        "OMNICENTER_TWILIO_ACCOUNT_SID": TWILIO_SID,
        "OMNICENTER_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "OMNICENTER_TWILIO_API_BASE": f"http://127.0.0.1:{twilio.port}",
    }
