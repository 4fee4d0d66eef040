"""At start: the work the last run left open goes back to routing, through its one entry.

The routing engine keeps its state in memory, so after a restart (or a crash) the open
work nobody owns is queued again under the task ids it had (not counted twice), except
what the bot still holds, and each callback promise still owed is scheduled again with
its due time; the phone keeps those that name a number. Runs once the router, the bot and
the phone run, before the channels open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from omnicenter.domain import Channel
from omnicenter.live.ports import ContactGate, PromiseKeeper, Routing
from omnicenter.live.work import RouteRequest, Why
from omnicenter.runtime import Runtime
from omnicenter.services.assignments import queued_tasks, routing_facts, waiting_work
from omnicenter.services.promises import open_promises

__all__ = ["Restored", "restore_open_work"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Restored:
    contacts: int
    promises: int


async def restore_open_work(
    runtime: Runtime,
    router: Routing,
    *,
    gate: ContactGate | None = None,
    keeper: PromiseKeeper | None = None,
) -> Restored:
    queued = await runtime.read(queued_tasks)
    known = {interaction: task_id for task_id, interaction in queued.items()}
    owed = await runtime.read(open_promises)
    held = {p.interaction_id for p in owed}  # their promises are restored, not the contact
    contacts = 0
    for work in await runtime.read(waiting_work):
        if work.interaction_id in held or router.task_for_interaction(work.interaction_id):
            continue
        if gate is not None and not gate.should_route(work.interaction_id, work.channel):
            continue
        task_id = known.get(work.interaction_id)
        request = RouteRequest(Why.RESTORED, work, task_id=task_id, recorded=task_id is not None)
        if router.route(request) is not None:
            contacts += 1
    promises = 0
    for p in owed:
        found = await runtime.read(routing_facts, p.interaction_id)
        if found is None:
            continue
        work = found
        queue = router.queue_named(p.queue)
        if queue != p.queue:  # a queue since removed: where the work would go now
            queue = router.queue_named(work.queue_hint)
        # the engine promises `at + grace`: asking for `due - grace` keeps the due time
        at = p.due_at.timestamp() - router.callback_grace(queue)
        request = RouteRequest(
            Why.RESTORED,
            work,
            queue=queue,
            channel=Channel.CALLBACK,
            callback_at=at,
            task_id=p.promise_id,
            promise_id=p.promise_id,
            recorded=p.promise_id in queued,
        )
        task_id = router.route(request)
        if task_id is None:
            continue
        promises += 1
        if keeper is not None and p.number:
            queue = router.routed_queue(task_id) or queue
            keeper.adopt_promise(task_id, p.number, queue, p.case_id, work.arrived_at)
    if contacts or promises:
        log.info("restored %d open contacts and %d callback promises", contacts, promises)
    return Restored(contacts, promises)
