"""A real `omnicenter serve` in a child process, as a user would run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import free_port

DEMO_PASSWORD = "demo-password"


@dataclass
class ServerProcess:
    data_dir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    http_port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    sip_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, demo: bool = True) -> None:
        env = {
            **os.environ,
            "OMNICENTER_DATA_DIR": str(self.data_dir),
            "OMNICENTER_HTTP_PORT": str(self.http_port),
            "OMNICENTER_SMTP_PORT": str(self.smtp_port),
            "OMNICENTER_SIP_PORT": str(self.sip_port),
            "OMNICENTER_VOICE_ENABLED": "false",
            "OMNICENTER_BOT_ENABLED": "false",
            **self.env_extra,
        }
        args = [sys.executable, "-m", "omnicenter", "serve", "--log-level", "warning"]
        if demo:
            args.append("--demo")
        with open(self.data_dir / "server.log", "ab") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited: {(self.data_dir / 'server.log').read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.base}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start in 60 s")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def token(self, username: str = "anna") -> str:
        r = httpx.post(
            f"{self.base}/api/v1/auth/token",
            json={"username": username, "password": DEMO_PASSWORD},
        )
        r.raise_for_status()
        return str(r.json()["token"])

    def client(self, username: str = "anna") -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base}/api/v1",
            headers={"Authorization": f"Bearer {self.token(username)}"},
            timeout=10,
        )

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.http_port}/api/v1{path}"

    def log(self) -> str:
        return (self.data_dir / "server.log").read_text(errors="replace")

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.base + path, **kw)


def eventually(check: Callable[[], Any], timeout: float = 10) -> Any:
    """`check()` once it gives something truthy (the server works in the background), or
    its last answer after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
