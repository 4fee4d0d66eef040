"""Helpers for voice tests: test menu and prompts, phones, and the tool guard.

`require_tool("sipp")` skips a test when the tool is missing, unless
OMNICENTER_REQUIRE_TOOLS=1 (set in CI), where a missing tool fails the test instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from omnicenter.bus.events import BusEvent, TimelineEventAdded
from omnicenter.channels.voice import (
    VoiceEndpoint,
)
from omnicenter.channels.voice.media.audio import tone, write_wav
from omnicenter.channels.voice.softphone import Softphone

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sip"

# Short prompts keep the suite fast: every prompt is a 0.3 s tone at its own pitch.
TEST_MENU = {
    "start": "main",
    "nodes": {
        "main": {
            "prompt": "welcome",
            "timeout": 3,
            "retries": 1,
            "options": {"1": "queue:sales", "2": "queue:support", "3": "menu:hours"},
        },
        "hours": {"prompt": "hours", "timeout": 0.2, "retries": 0},
    },
    "queues": {
        "sales": {"skills": {"sales": 1}, "callback_digit": "9"},
        "support": {"skills": {"support": 1}, "callback_digit": "9", "recording": True},
    },
}
PROMPT_TONES = {
    "welcome": 400.0,
    "hours": 450.0,
    "goodbye": 500.0,
    "invalid": 550.0,
    "queued": 700.0,
    "callback_ok": 750.0,
    "recording_notice": 800.0,
    "wait_short": 850.0,
    "wait_1": 850.0,
    "wait_2": 850.0,
    "wait_3": 850.0,
    "wait_4": 850.0,
    "wait_5": 850.0,
    "wait_long": 850.0,
}
MUSIC = 300.0
AGENT_TONE = 1000.0
CALLER_TONE = 600.0


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("OMNICENTER_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is required (OMNICENTER_REQUIRE_TOOLS=1) but not installed")
        pytest.skip(f"{name} not installed")
    return path


def make_prompts(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, freq in PROMPT_TONES.items():
        write_wav(directory / f"{name}.wav", tone(freq, 0.3))
    write_wav(directory / "music_on_hold.wav", tone(MUSIC, 1.0))


async def new_phone(
    endpoint: VoiceEndpoint, phones: list[Softphone], user: str, **kwargs: object
) -> Softphone:
    phone = Softphone(user, (endpoint.host, endpoint.port), t1=0.1, **kwargs)  # type: ignore[arg-type]
    await phone.start()
    phones.append(phone)
    return phone


async def agent_phone(
    endpoint: VoiceEndpoint, phones: list[Softphone], n: int = 1, freq: float = AGENT_TONE
) -> Softphone:
    phone = await new_phone(
        endpoint, phones, f"agent{n}", password=f"secret{n}", answer_with=tone(freq, 1.0)
    )
    response = await phone.register()
    assert response.status == 200
    return phone


class Timeline:
    """Timeline events as the bus publishes them (subscribe an instance), awaitable by a
    predicate or by their `meta["call"]` name, among those from index `after` on."""

    def __init__(self) -> None:
        self.events: list[TimelineEventAdded] = []
        self._changed = asyncio.Event()

    def __call__(self, event: BusEvent) -> None:
        if isinstance(event, TimelineEventAdded):
            self.events.append(event)
            self._changed.set()

    def mark(self) -> int:
        return len(self.events)

    async def wait(
        self,
        match: str | Callable[[TimelineEventAdded], bool],
        *,
        after: int = 0,
        within: float = 30.0,
    ) -> TimelineEventAdded:
        if isinstance(match, str):
            name = match

            def match(event: TimelineEventAdded) -> bool:
                return event.meta.get("call") == name

        async def find() -> TimelineEventAdded:
            while True:
                for event in self.events[after:]:
                    if match(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), within)
