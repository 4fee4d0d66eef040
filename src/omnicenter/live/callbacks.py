"""Callbacks promised outside the phone queue: a flow's `callback` step, or a web chat
customer who would rather be called than wait.

The flow engine only emits a `CallbackRequest`. Here it becomes a scheduled callback task
in the routing engine (a `RouteRequest` with `callback_at`, due at the asked time plus the
queue's callback grace), a `promise_made` routing fact on the interaction's timeline
(which the metric buckets count, in the same transaction), and, when the phone is on, a
promise the phone keeps by ringing an agent and then the customer. The same desk serves
chat, SMS, email and the phone IVR.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from omnicenter.domain import Channel
from omnicenter.flows import CallbackRequest
from omnicenter.live.ports import PromiseKeeper, Routing
from omnicenter.live.work import RouteRequest, Why
from omnicenter.runtime import Runtime
from omnicenter.services.assignments import WaitingWork, routing_facts
from omnicenter.services.promises import promise_made_meta, record_promise_made

__all__ = ["Callbacks", "FlowPromise"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FlowPromise:
    promise_id: str  # the routing task that keeps it
    number: str
    queue: str
    due_at: datetime
    event_id: str | None  # the `promise_made` fact on the timeline


class Callbacks:
    """Schedules callback promises on the live router; `keeper` (the phone, when it runs)
    calls the customer when one comes due."""

    def __init__(
        self, runtime: Runtime, router: Routing | None, keeper: PromiseKeeper | None = None
    ) -> None:
        self.runtime = runtime
        self.router = router
        self.keeper = keeper

    async def schedule(
        self,
        interaction_id: str,
        request: CallbackRequest,
        queue: str,
        *,
        source: str = "flow",
    ) -> FlowPromise | None:
        """Schedule the promise; None (logged) when routing is off or refuses it."""
        router = self.router
        if router is None:
            log.warning(
                "callback asked on %s but routing is off: nobody would call", interaction_id
            )
            return None
        work = await self.runtime.read(routing_facts, interaction_id)
        if work is None:
            return None
        now = router.now()
        at = max(now, request.at.timestamp()) if request.at is not None else now
        task_id = router.route(
            RouteRequest(Why.CALLBACK, work, queue=queue, channel=Channel.CALLBACK, callback_at=at)
        )
        if task_id is None:
            return None
        routed_queue = router.routed_queue(task_id) or router.queue_named(queue)
        due = at + router.callback_grace(routed_queue)
        return await self._promise(
            work, task_id, routed_queue, due, request.phone, source, request.note
        )

    async def instead_of_waiting(
        self, interaction_id: str, phone: str, note: str
    ) -> FlowPromise | None:
        """The customer would rather be called than wait (the widget's long-wait offer): a
        waiting task keeps its place as a callback promise; without one, a callback is
        queued now. None (logged) when routing is off."""
        router = self.router
        if router is None:
            log.warning(
                "callback asked on %s but routing is off: nobody would call", interaction_id
            )
            return None
        task_id = router.task_for_interaction(interaction_id)
        if task_id is None or not router.is_waiting(task_id):
            request = CallbackRequest(phone=phone, at=None, note=note)
            return await self.schedule(interaction_id, request, "", source="widget")
        work = await self.runtime.read(routing_facts, interaction_id)
        if work is None:
            return None
        due = router.keep_place_as_callback(task_id)
        if due is None:
            due = router.now()
        queue = router.routed_queue(task_id) or ""
        return await self._promise(work, task_id, queue, due, phone, "widget", note)

    async def _promise(
        self,
        work: WaitingWork,
        task_id: str,
        queue: str,
        due: float,
        phone: str,
        source: str,
        note: str,
    ) -> FlowPromise:
        """The routing task `task_id` keeps a callback promise due at `due`: the fact on the
        timeline, and the phone keeps it when voice runs."""
        due_at = datetime.fromtimestamp(due, UTC)
        meta = promise_made_meta(work, task_id, queue, due_at, phone, source, note)
        event_id = await self.runtime.write(record_promise_made, work.interaction_id, meta)
        if self.keeper is not None and phone:
            self.keeper.adopt_promise(task_id, phone, queue, work.case_id, work.arrived_at)
        return FlowPromise(task_id, phone, queue, due_at, event_id)
