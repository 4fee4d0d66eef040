"""A flow's `callback` step made a promise: the same routing callback a caller gets in a queue.

The flow engine only emits a `CallbackRequest`. Here it becomes a scheduled callback task
in the routing engine (`LiveRouter.submit(..., channel=callback, callback_at=...)`, due at
the asked time plus the queue's callback grace), a `promise_made` routing fact on the
interaction's timeline (which the metric buckets count, in the same transaction), and,
when the phone is on, a promise the voice service keeps by ringing an agent and then the
customer. The same function serves chat, SMS, email and the phone IVR.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from omnicenter.domain import Channel
from omnicenter.flows import CallbackRequest
from omnicenter.routing import CallbackScheduled
from omnicenter.services.assignments import WaitingWork, routing_facts
from omnicenter.services.promises import promise_made_meta, record_promise_made

__all__ = ["FlowPromise", "callback_instead_of_waiting", "schedule_callback"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FlowPromise:
    promise_id: str  # the routing task that keeps it
    number: str
    queue: str
    due_at: datetime
    event_id: str | None  # the `promise_made` fact on the timeline


async def schedule_callback(
    services: Any,
    interaction_id: str,
    request: CallbackRequest,
    queue: str,
    *,
    source: str = "flow",
) -> FlowPromise | None:
    """Schedule the promise; None (logged) when routing is off or refuses it."""
    router = services.router
    if router is None:
        log.warning("callback asked on %s but routing is off: nobody would call", interaction_id)
        return None
    work = await services.runtime.read(routing_facts, interaction_id)
    if work is None:
        return None
    now = router.now()
    at = max(now, request.at.timestamp()) if request.at is not None else now
    task_id = router.submit(work, queue=queue, channel=Channel.CALLBACK, callback_at=at)
    if task_id is None:
        return None
    task = router.task_for(task_id)
    routed_queue = task.queue if task is not None else queue
    due = at + router.engine.config.queues[routed_queue].callback_rules.grace
    return await _promise(
        services, work, task_id, routed_queue, due, request.phone, source, request.note
    )


async def callback_instead_of_waiting(
    services: Any, interaction_id: str, phone: str, note: str
) -> FlowPromise | None:
    """The customer would rather be called than wait (the widget's long-wait offer): a
    waiting task keeps its place as a callback promise; without one, a callback is queued
    now. None (logged) when routing is off."""
    router = services.router
    if router is None:
        log.warning("callback asked on %s but routing is off: nobody would call", interaction_id)
        return None
    task_id = router.task_for_interaction(interaction_id)
    if task_id is None or router.engine.task(task_id).state != "waiting":
        request = CallbackRequest(phone=phone, at=None, note=note)
        return await schedule_callback(services, interaction_id, request, "", source="widget")
    work = await services.runtime.read(routing_facts, interaction_id)
    if work is None:
        return None
    decisions = router.engine.request_callback(task_id, router.now())
    router.feed(decisions)
    due = next((d.due_at for d in decisions if isinstance(d, CallbackScheduled)), router.now())
    task = router.task_for(task_id)
    queue = task.queue if task is not None else ""
    return await _promise(services, work, task_id, queue, due, phone, "widget", note)


async def _promise(
    services: Any,
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
    event_id = await services.runtime.write(record_promise_made, work.interaction_id, meta)
    voice = getattr(services, "voice", None)
    if voice is not None and phone:
        voice.service.adopt_promise(task_id, phone, queue, work.case_id, work.arrived_at)
    return FlowPromise(task_id, phone, queue, due_at, event_id)
