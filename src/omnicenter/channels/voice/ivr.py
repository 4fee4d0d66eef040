"""Running a menu on one call: play a node's prompt, collect a digit, follow the option.

`IvrRunner` runs a configured DTMF menu. A service may run something else on the call (a
flow, `services/voice_flows.py`) by implementing `IvrProvider`: the call asks it first.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from omnicenter.channels.voice.legs import CallLeg
from omnicenter.channels.voice.menu import MenuDefinition, MenuOption
from omnicenter.channels.voice.prompts import PromptStore
from omnicenter.channels.voice.service import CallInfo

__all__ = [
    "Ivr",
    "IvrOutcome",
    "IvrProvider",
    "IvrRunner",
    "collect_digits",
    "play",
    "wait_prompt",
]


@dataclass(frozen=True, slots=True)
class IvrOutcome:
    option: MenuOption  # queue, callback or hangup
    path: tuple[str, ...]  # the digits pressed, for the timeline and the routing task


class Ivr(Protocol):
    async def run(self, leg: CallLeg) -> IvrOutcome: ...


@runtime_checkable
class IvrProvider(Protocol):
    """A service that runs its own IVR on some calls; None keeps the configured menu."""

    def ivr_for(self, call: CallInfo) -> Ivr | None: ...


async def play(
    leg: CallLeg, pcm: npt.NDArray[np.int16], *, interruptible: bool = False
) -> str | None:
    """Play to the leg; with `interruptible`, a key press stops the prompt and is returned."""
    done = leg.rtp.play(pcm)
    if not interruptible:
        await done
        return None
    if not leg.digits.empty():
        leg.rtp.stop_playing()
        return leg.digits.get_nowait()
    digit_task = asyncio.ensure_future(leg.digits.get())
    try:
        waitables: set[asyncio.Future[Any]] = {done, digit_task}
        await asyncio.wait(waitables, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not digit_task.done():
            digit_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await digit_task
    if digit_task.done() and not digit_task.cancelled():
        leg.rtp.stop_playing()
        return digit_task.result()
    return None


async def collect_digits(
    leg: CallLeg, first: str | None, *, gap: float, end: str = "#", max_digits: int = 20
) -> str:
    """Digits up to `end` (not included), `max_digits`, or `gap` seconds of silence
    between keys; `first` is a key already pressed over the prompt."""
    digits = "" if first is None else first
    while not digits.endswith(end) and len(digits) < max_digits:
        try:
            digits += await asyncio.wait_for(leg.digits.get(), gap)
        except TimeoutError:
            break
    return digits.removesuffix(end)


def wait_prompt(seconds: float | None) -> str | None:
    """The prompt that announces an estimated wait, rounded up to whole minutes."""
    if seconds is None:
        return None
    if seconds < 60:
        return "wait_short"
    minutes = int(-(-seconds // 60))
    return f"wait_{minutes}" if minutes <= 10 else "wait_long"


class IvrRunner:
    def __init__(self, menu: MenuDefinition, prompts: PromptStore) -> None:
        self.menu = menu
        self.prompts = prompts

    async def run(self, leg: CallLeg) -> IvrOutcome:
        node = self.menu.nodes[self.menu.start]
        path: list[str] = []
        tries = 0
        while True:
            digit = await play(leg, self.prompts.get(node.prompt), interruptible=True)
            if digit is None:
                with contextlib.suppress(TimeoutError):
                    digit = await asyncio.wait_for(leg.digits.get(), node.timeout)
            if digit is None:
                tries += 1
                if tries <= node.retries:
                    continue
                option = node.on_timeout or MenuOption("hangup")
                path.append("timeout")
            elif digit not in node.options:
                await play(leg, self.prompts.get("invalid"))
                tries += 1
                if tries <= node.retries:
                    continue
                return IvrOutcome(MenuOption("hangup"), tuple(path))
            else:
                option = node.options[digit]
                path.append(digit)
            if option.action == "repeat":
                continue
            if option.action == "menu":
                assert option.target is not None
                node = self.menu.nodes[option.target]
                tries = 0
                continue
            return IvrOutcome(option, tuple(path))
