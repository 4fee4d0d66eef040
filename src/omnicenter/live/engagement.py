"""The engagement scheduler: takes business events, and releases held messages when their
time comes (a delay ended, quiet hours are over), from the store, so a restart loses and
repeats nothing: held messages live in `engagement_decisions`, sends in the outbox.

Delivery and its retries are the outbox dispatcher's; this component only kicks it after
the commit that wrote a send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from omnicenter.engagement import BusinessEvent, RuleSet, load_rules
from omnicenter.knowledge import KnowledgeQuery
from omnicenter.live.ports import Outbox
from omnicenter.runtime import Runtime
from omnicenter.services.engagement import EventOutcome, record_business_event, release_due
from omnicenter.services.engagement_report import RuleStats, rule_report
from omnicenter.services.replies import SenderSettings
from omnicenter.services.uow import utcnow
from omnicenter.settings import Settings

__all__ = ["Engagement", "engagement_for"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Engagement:
    def __init__(
        self,
        runtime: Runtime,
        rules: RuleSet,
        outbox: Outbox,
        *,
        knowledge: KnowledgeQuery | None = None,
        sender: SenderSettings | None = None,
        region: str = "PL",
        tick_s: float = 30.0,
        clock: Clock = utcnow,
    ) -> None:
        self.runtime = runtime
        self.rules = rules
        self.outbox = outbox
        self.knowledge = knowledge
        self.sender = sender or SenderSettings()
        self.region = region
        self.tick_s = tick_s
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Release what came due while the process was down, then keep looking."""
        await self.tick()
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def receive(self, event: BusinessEvent) -> EventOutcome:
        """One business event: decided, written, and its sends handed to the outbox."""
        outcome = await self.runtime.write(
            record_business_event, self.rules, event, knowledge=self.knowledge,
            sender=self.sender, region=self.region, now=self.clock(),
        )  # fmt: skip
        if not outcome.duplicate:
            for oid in outcome.outbox_ids:
                self.outbox.kick(oid)
        return outcome

    async def tick(self) -> int:
        """Release held messages that are due now; returns how many were sent."""
        sent = await self.runtime.write(
            release_due, self.rules, knowledge=self.knowledge, sender=self.sender,
            now=self.clock(),
        )  # fmt: skip
        for oid in sent:
            self.outbox.kick(oid)
        return len(sent)

    async def report(self) -> list[RuleStats]:
        return await self.runtime.read(rule_report, self.rules)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            try:
                await self.tick()
            except Exception:  # the next tick tries again; held rows stay held
                log.exception("releasing held engagement messages failed")


def engagement_for(
    settings: Settings,
    runtime: Runtime,
    outbox: Outbox,
    knowledge: KnowledgeQuery | None,
    sender: SenderSettings,
) -> Engagement:
    """The scheduler with the rules named by settings (none: events are kept, nothing sent)."""
    path = settings.engagement_rules
    rules = load_rules(path) if path else RuleSet()
    return Engagement(
        runtime, rules, outbox, knowledge=knowledge, sender=sender,
        region=settings.default_region, tick_s=settings.engagement_tick_s,
    )  # fmt: skip
