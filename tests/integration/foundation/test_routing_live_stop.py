"""The live router stops cleanly however its timer loop is woken."""

from __future__ import annotations

import asyncio
from pathlib import Path

from omnicenter.bootstrap import Services
from omnicenter.settings import Settings


async def test_stop_while_the_timer_loop_is_being_woken(tmp_path: Path) -> None:
    # A decision wakes the timer loop in the same step as the cancel that stops it. With
    # `asyncio.wait_for` (Python 3.11) the cancel was swallowed there: the loop went back to
    # sleep until its next timer and `stop` waited for it (a server shutdown hung).
    services = Services(Settings(data_dir=tmp_path))
    await services.start(smtp=False)
    router = services.router
    assert router is not None
    for _ in range(3):  # let the loops reach their first wait
        await asyncio.sleep(0)
    runners = list(router._runners)
    router.feed([])
    stopping = asyncio.create_task(router.stop())
    # a hang shows as `stop` still waiting (its next timer is hours away); the bound only
    # keeps a failing run short, a passing one returns at once
    done, _ = await asyncio.wait({stopping}, timeout=10)
    hung = [r.get_name() for r in runners if not r.done()]
    for runner in runners:
        runner.cancel()
    await stopping
    services.router = None  # stopped above
    await services.stop()
    assert done and not hung, f"stop hung on {hung}"
