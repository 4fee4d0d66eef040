"""The routing engine in the live service: work in, offers out, answers back.

The engine (`omnicenter.routing`) is pure and runs on the event loop thread (a decision costs
microseconds); this component feeds it work through one entry (`route`, see `live.work`),
follows the bus for what it does not own (an agent changed presence, answered a deferred
contact, a case was resolved), turns its decisions into durable facts (case owner, routing
events on the timeline) and live events (offers to one agent, decisions for supervisors),
and fires its timers (offer timeouts, widening, overflow, wrap-up, callbacks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from omnicenter.bus.events import (
    AgentPresenceChanged,
    BusEvent,
    CaseUpdated,
    OfferEnded,
    RoutingDecisionMade,
    TaskAssigned,
    TaskOffered,
    TimelineEventAdded,
    routing_decision_name,
)
from omnicenter.domain import Agent, AgentRole, Channel, Presence
from omnicenter.domain.ids import new_id
from omnicenter.live.work import OfferError, RouteRequest, Why
from omnicenter.routing import (
    AgentSpec,
    AgentStateChanged,
    Assigned,
    CallbackScheduled,
    Decision,
    InvalidTransition,
    Offered,
    OfferWithdrawn,
    PromiseBroken,
    PromiseKept,
    Requeued,
    RoutingConfig,
    RoutingEngine,
    RoutingError,
    Snapshot,
    TaskSpec,
    TaskView,
    UnknownAgent,
    UnknownTask,
)
from omnicenter.runtime import Runtime
from omnicenter.services import queries
from omnicenter.services.agents import get_agent, set_presence
from omnicenter.services.assignments import (
    WaitingWork,
    assign_case,
    attach_to_task,
    own_cases_of,
    record_routing,
    routing_facts,
)
from omnicenter.services.promises import record_promise_outcome
from omnicenter.services.transfers import latest_interaction

__all__ = ["LiveRouter", "OfferError"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Admit:
    """An interaction to route once its work is read (in order with the bus events)."""

    interaction_id: str
    why: Why


@dataclass
class _Task:
    task_id: str
    work: WaitingWork
    queue: str
    channel: Channel  # routed as (a callback for a chat): offers say so
    agent_id: str | None = None
    promise_id: str | None = None  # a callback promise this task keeps
    # the customer's other contacts that ride on this task (wrote on another channel)
    attached: list[str] = field(default_factory=list)


# Work that takes the customer's one place in the queue: a contact that finds them already
# waiting or served rides on that task. A callback keeps its own time, and a transfer is
# an agent's decision about one case.
_ONE_PLACE = frozenset({Why.CONTACT, Why.HANDOVER, Why.RESTORED})


@dataclass(frozen=True, slots=True)
class _PromiseOf:
    """Whose promise an engine decision settles, read when it is made (the task may be
    completed before the decision is applied)."""

    promise_id: str
    interaction_id: str
    queue: str


class LiveRouter:
    def __init__(
        self,
        runtime: Runtime,
        config: RoutingConfig | dict[str, Any],
        *,
        is_realtime: Callable[[Channel], bool],
    ) -> None:
        self.runtime = runtime
        # a deferred contact (email, SMS, form) is done when answered; a real-time one when
        # resolved: the channel's manifest says which it is
        self._is_realtime = is_realtime
        self._last = time.time()
        self.engine = RoutingEngine(config, self._last)
        self._tasks: dict[str, _Task] = {}
        self._by_interaction: dict[str, str] = {}
        self._by_customer: dict[str, str] = {}  # merge root -> their live task
        self._wake = asyncio.Event()
        self._decisions: asyncio.Queue[list[Decision]] = asyncio.Queue()
        self._runners: list[asyncio.Task[None]] = []  # the timer, decision and event loops
        self._writes: set[asyncio.Task[Any]] = set()  # facts written in the background
        self._echo: set[tuple[str, str]] = set()
        self._inbox: asyncio.Queue[BusEvent | _Admit] = asyncio.Queue()
        # Adjust what routing knows of an agent from facts it does not own (voice: a phone).
        self._spec_filters: list[Callable[[AgentSpec], AgentSpec]] = []
        self._settles: dict[int, _PromiseOf] = {}  # id(PromiseKept|PromiseBroken) -> promise

    def add_spec_filter(self, adjust: Callable[[AgentSpec], AgentSpec]) -> None:
        """`adjust` applies to every agent routing adds from now on; call `refresh_agent`
        when its answer for an agent changes."""
        self._spec_filters.append(adjust)

    def _spec(self, agent: Agent) -> AgentSpec:
        spec = AgentSpec.from_agent(agent)
        for adjust in self._spec_filters:
            spec = adjust(spec)
        return spec

    async def refresh_agent(self, agent_id: str) -> None:
        """Apply the agent's spec again (skills, capacity, filters); one routing has not met
        yet gets it when it first changes presence."""
        agent = await self.runtime.read(get_agent, agent_id)
        if agent is None:
            return
        with contextlib.suppress(UnknownAgent):
            self.feed(self.engine.update_agent(self._spec(agent), self.now()))

    def enqueue(self, event: BusEvent) -> None:
        """Bus subscriber: returns at once (a visitor's ack must not wait for routing); the
        events are handled in order by one loop."""
        self._inbox.put_nowait(event)

    def admit(self, interaction_id: str, why: Why) -> None:
        """Route the interaction's work (a contact, a handover) once it is read, in order
        with the events before it; nothing happens when routing has it already."""
        self._inbox.put_nowait(_Admit(interaction_id, why))

    async def _event_loop(self) -> None:
        while True:
            item = await self._inbox.get()
            try:
                if isinstance(item, _Admit):
                    await self._admit(item)
                else:
                    await self.on_event(item)
            except Exception:
                log.exception("routing could not handle %s", item)

    async def _admit(self, item: _Admit) -> None:
        if item.interaction_id in self._by_interaction:
            return
        work = await self.runtime.read(routing_facts, item.interaction_id)
        if work is not None and item.interaction_id not in self._by_interaction:
            self.route(RouteRequest(item.why, work))

    # -- clock -----------------------------------------------------------------------------
    def now(self) -> float:
        """Epoch seconds that never go back (the engine refuses a clock that does)."""
        self._last = max(self._last, time.time())
        return self._last

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Agents from the store, then the loops. Open work is restored by `live.restore`
        once the bot and the phone run, through `route` like any other work."""
        agents = await self.runtime.read(queries.list_agents)
        for row in agents:
            agent = await self.runtime.read(get_agent, row["id"])
            if agent is None:
                continue
            # Supervisors and admins take no routed work unless they have skills to offer.
            if agent.role in (AgentRole.ADMIN,) and not agent.skills:
                continue
            self.feed(self.engine.add_agent(self._spec(agent), self.now(), agent.presence))
        self._runners = [
            asyncio.create_task(self._timer_loop(), name="routing-timers"),
            asyncio.create_task(self._decision_loop(), name="routing-decisions"),
            asyncio.create_task(self._event_loop(), name="routing-events"),
        ]

    async def stop(self, *, drain: float = 5.0) -> None:
        """Stop routing. Decisions already made are applied and facts being written are
        written first (for up to `drain` s), so a graceful stop loses none of them."""
        deciding = [r for r in self._runners if r.get_name() == "routing-decisions"]
        await _cancel([r for r in self._runners if r not in deciding])
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(drain):
                await self._decisions.join()
                while self._writes:
                    await asyncio.gather(*self._writes, return_exceptions=True)
        await _cancel([*deciding, *self._writes])

    # -- input from the bus ----------------------------------------------------------------
    async def on_event(self, event: BusEvent) -> None:
        if isinstance(event, TimelineEventAdded) and event.interaction_id:
            if event.author_type == "agent" and event.kind == "message_out" and event.channel:
                task_id = self._by_interaction.get(event.interaction_id)
                task = self._tasks.get(task_id) if task_id else None
                # A deferred contact is done when it is answered; a chat when it is resolved
                # (the task's own channel decides, whichever contact riding on it is answered).
                if (
                    task
                    and task.agent_id == event.author_id
                    and not self._is_realtime(task.channel)
                ):
                    self.complete(task.task_id)
        elif isinstance(event, CaseUpdated) and not event.status.is_open:
            for task in [t for t in self._tasks.values() if t.work.case_id == event.case_id]:
                self.complete(task.task_id)
        elif isinstance(event, AgentPresenceChanged):
            if (event.agent_id, event.presence) in self._echo:
                self._echo.discard((event.agent_id, event.presence))
                return
            await self._presence(event.agent_id, Presence(event.presence), event.reason)

    async def _presence(self, agent_id: str, presence: Presence, reason: str | None) -> None:
        try:
            self.feed(self.engine.set_presence(agent_id, presence, self.now(), reason))
        except UnknownAgent:
            agent = await self.runtime.read(get_agent, agent_id)
            if agent is None:
                return
            self.feed(self.engine.add_agent(self._spec(agent), self.now(), presence))

    def queue_for(self, work: WaitingWork) -> str:
        return self.queue_named(work.queue_hint)

    def queue_named(self, name: str | None) -> str:
        """`name` when routing has such a queue, else the default queue."""
        queues = self.engine.config.queues
        if name and name in queues:
            return name
        default = self.engine.config.engine.default_queue
        return default or next(iter(queues))

    @property
    def offer_timeout(self) -> float:
        """Seconds an agent has to accept an offer (0: no limit)."""
        return float(self.engine.config.engine.offer_timeout)

    def callback_grace(self, queue: str) -> float:
        """How long after its time a callback is still kept (the promise's due time)."""
        return float(self.engine.config.queues[queue].callback_rules.grace)

    def estimated_wait(self, queue: str, channel: Channel) -> float | None:
        try:
            return self.engine.estimated_wait(queue, channel, self.now())
        except RoutingError:
            return None

    def is_waiting(self, task_id: str) -> bool:
        """Queued and not yet offered or taken."""
        try:
            return self.engine.task(task_id).state == "waiting"
        except UnknownTask:
            return False

    def keep_place_as_callback(self, task_id: str) -> float | None:
        """The customer would rather be called than wait: the waiting task keeps its place
        as a callback promise. Returns the promise's due time (epoch s), None if refused."""
        try:
            decisions = self.engine.request_callback(task_id, self.now())
        except RoutingError:
            log.exception("routing could not turn %s into a callback", task_id)
            return None
        self.feed(decisions)
        return next((d.due_at for d in decisions if isinstance(d, CallbackScheduled)), None)

    def move_task(
        self, task_id: str, *, to_queue: str | None = None, to_agent: str | None = None
    ) -> list[Decision] | None:
        """Move a task (a call transferred on the phone) to a queue, or to an agent who is
        available in routing's eyes; nobody holds it until the next accept. None when
        routing cannot."""
        try:
            if to_agent is not None and self.engine.agent(to_agent).state is not (
                Presence.AVAILABLE
            ):
                return None
            decisions = self.engine.transfer(
                task_id, self.now(), to_queue=to_queue, to_agent=to_agent
            )
        except (RoutingError, UnknownAgent):
            log.warning("routing could not move task %s", task_id)
            return None
        task = self._tasks.get(task_id)
        if task is not None:
            task.agent_id = None
            task.queue = to_queue or task.queue
        self.feed(decisions)
        return decisions

    def route(self, request: RouteRequest) -> str | None:
        """The one entry: queue the request's work (a chat, an email, a call, a callback);
        returns the task id, or None when routing refuses it (logged)."""
        work, queue = request.work, request.queue
        if request.why in _ONE_PLACE:
            held = self._task_of_customer(work.customer_id)
            if held is not None:
                return self._attach(held, request)
        if queue is None or queue not in self.engine.config.queues:
            queue = self.queue_for(work)
        channel = request.channel or work.channel
        task = _Task(request.task_id or new_id("tsk"), work, queue, channel)
        callback_at = request.callback_at
        if callback_at is not None:
            task.promise_id = request.promise_id or task.task_id
        now = self.now()
        spec = TaskSpec(
            id=task.task_id,
            queue=queue,
            channel=channel,
            priority=request.priority,
            skills=request.skills,
            customer_id=work.customer_id,
            case_id=work.case_id,
            customer_value=work.customer_value,
            segment=work.segment,
            last_agent_id=work.owner_agent_id,
            last_handled_at=now if work.owner_agent_id else None,
            arrived_at=min(work.arrived_at.timestamp(), now),
            callback_at=callback_at,
        )
        try:
            decisions = self.engine.submit(spec, now)
        except RoutingError:
            log.exception("routing refused task for %s", work.interaction_id)
            return None
        self._tasks[task.task_id] = task
        self._by_interaction[work.interaction_id] = task.task_id
        if callback_at is None and self._task_of_customer(work.customer_id) is None:
            self._by_customer[work.customer_id] = task.task_id
        if request.recorded:  # queued before a restart: counted then
            self.feed(decisions)
            return task.task_id
        sla = self.engine.config.queues[queue].sla_for(channel)
        facts = {
            "fact": "task_queued",
            "task_id": task.task_id,
            "queue": queue,
            "channel": channel.value,
            "segment": work.segment,
            "sl_target_s": sla.within,
            "why": request.why.value,
        }
        self._background(self.runtime.write(record_routing, work.interaction_id, "queued", facts))
        self.feed(decisions)
        return task.task_id

    def _task_of_customer(self, customer_id: str) -> _Task | None:
        task_id = self._by_customer.get(customer_id)
        return self._tasks.get(task_id) if task_id is not None else None

    def _attach(self, task: _Task, request: RouteRequest) -> str:
        """The customer wrote on another channel while waiting or being served: the contact
        rides on their task (which keeps its place and age), and goes to its agent."""
        interaction_id = request.work.interaction_id
        if interaction_id not in task.attached and interaction_id != task.work.interaction_id:
            task.attached.append(interaction_id)
        self._by_interaction[interaction_id] = task.task_id
        facts = {
            "fact": "task_attached",
            "task_id": task.task_id,
            "channel": request.work.channel.value,
            "task_channel": task.channel.value,
            "task_interaction_id": task.work.interaction_id,
            "agent_id": task.agent_id,
            "why": request.why.value,
        }
        self._background(self.runtime.write(attach_to_task, interaction_id, task.agent_id, facts))
        return task.task_id

    def _forget(self, task: _Task) -> None:
        for interaction_id in (task.work.interaction_id, *task.attached):
            if self._by_interaction.get(interaction_id) == task.task_id:
                del self._by_interaction[interaction_id]
        if self._by_customer.get(task.work.customer_id) == task.task_id:
            del self._by_customer[task.work.customer_id]

    def task_for_interaction(self, interaction_id: str) -> str | None:
        return self._by_interaction.get(interaction_id)

    def tasks_of_customer(self, customer_id: str) -> list[str]:
        """The live tasks routing holds for a customer (their merge root): one at most,
        besides callbacks promised for later."""
        return [
            t.task_id
            for t in self._tasks.values()
            if t.work.customer_id == customer_id and t.promise_id is None
        ]

    # -- agents' answers -------------------------------------------------------------------
    def accept(self, task_id: str, agent_id: str) -> None:
        self._answer(self.engine.accept, task_id, agent_id)

    def reject(self, task_id: str, agent_id: str) -> None:
        self._answer(self.engine.reject, task_id, agent_id)

    def _answer(
        self, fn: Callable[[str, str, float], list[Decision]], task_id: str, agent_id: str
    ) -> None:
        if task_id not in self._tasks:
            raise OfferError(f"unknown task {task_id}")
        try:
            self.feed(fn(task_id, agent_id, self.now()))
        except (InvalidTransition, UnknownTask, UnknownAgent) as exc:
            raise OfferError(str(exc)) from exc

    def complete(self, task_id: str) -> None:
        task = self._tasks.pop(task_id, None)
        if task is None:
            return
        self._forget(task)
        try:
            if task.agent_id is None:
                decisions = self.engine.cancel(task_id, self.now())
                outcome = "abandoned"
            else:
                decisions = self.engine.complete(task_id, self.now())
                outcome = "completed"
        except RoutingError:
            log.exception("routing could not close %s", task_id)
            return
        self._background(
            self.runtime.write(
                record_routing,
                task.work.interaction_id,
                outcome,
                {
                    "fact": "task_abandoned" if task.agent_id is None else "task_completed",
                    "task_id": task_id,
                    "queue": task.queue,
                    "agent_id": task.agent_id,
                },
            )
        )
        self.feed(decisions)

    def wallboard_view(self) -> tuple[Snapshot, list[TaskView]]:
        """The engine's snapshot, and its tasks offered but not yet accepted."""
        now = self.now()
        offered = []
        for task_id in list(self._tasks):
            try:
                view = self.engine.task(task_id)
            except UnknownTask:
                continue
            if view.state == "offered":
                offered.append(view)
        return self.engine.snapshot(now), offered

    def has_queue(self, queue: str) -> bool:
        return queue in self.engine.config.queues

    def queues(self) -> list[str]:
        return sorted(self.engine.config.queues)

    def check_transfer(self, case_id: str, queue: str) -> None:
        """Refuse, before anything is recorded, a queue that does not serve the case's work."""
        if not self.has_queue(queue):
            raise OfferError(f"unknown queue {queue!r}")
        served = self.engine.config.queues[queue].channels
        if served is None:
            return
        for task in [x for x in self._tasks.values() if x.work.case_id == case_id]:
            channel = self.engine.task(task.task_id).channel
            if channel not in served:
                raise OfferError(f"queue {queue!r} takes no {channel.value}")

    async def transfer(
        self, case_id: str, *, to_agent_id: str | None = None, queue: str | None = None
    ) -> str | None:
        """Re-route a case's live work after its transfer was recorded; returns the task id.

        An assigned task goes through `RoutingEngine.transfer` (the agent is freed and not
        offered it again); a task still waiting or offered moves to the new queue with its
        place; a case that routing does not hold (worked straight from the inbox) is queued
        afresh.
        """
        if (to_agent_id is None) == (queue is None):
            raise OfferError("transfer to exactly one of: an agent, a queue")
        if queue is not None and not self.has_queue(queue):
            raise OfferError(f"unknown queue {queue!r}")
        task = next((x for x in self._tasks.values() if x.work.case_id == case_id), None)
        assigned = task is not None and self.engine.task(task.task_id).state == "assigned"
        if task is not None and (assigned or queue is not None):
            # Assigned: the agent is freed and not offered it again. Waiting or offered: it
            # moves with its place (an offer on screen is withdrawn); not an abandon.
            try:
                decisions = self.engine.transfer(
                    task.task_id, self.now(), to_agent=to_agent_id, to_queue=queue
                )
            except (RoutingError, UnknownAgent) as exc:
                raise OfferError(str(exc)) from exc
            task.agent_id = None
            task.queue = queue or task.queue
            self.feed(decisions)
            return task.task_id
        if queue is None:
            return None  # the new owner has it; routing keeps any waiting task where it is
        interaction_id = await self.runtime.read(latest_interaction, case_id)
        work = await self.runtime.read(routing_facts, interaction_id) if interaction_id else None
        return None if work is None else self.route(RouteRequest(Why.TRANSFER, work, queue=queue))

    def reconfigure(self, config: dict[str, Any]) -> None:
        self.feed(self.engine.reconfigure(config, self.now()))

    def task_for(self, task_id: str) -> _Task | None:
        return self._tasks.get(task_id)

    def routed_queue(self, task_id: str) -> str | None:
        """The queue a live task is in now (routing may have moved it)."""
        task = self._tasks.get(task_id)
        return task.queue if task is not None else None

    # -- output ----------------------------------------------------------------------------
    def feed(self, decisions: list[Decision]) -> None:
        """Hand decisions (also of direct engine calls) to the decision loop, in order."""
        self._queue(decisions)
        self._wake.set()  # a new timer may be due sooner

    def _queue(self, decisions: list[Decision]) -> None:
        if not decisions:
            return
        for d in decisions:
            if isinstance(d, CallbackScheduled):
                task = self._tasks.get(d.task_id)
                if task is not None:
                    task.channel = Channel.CALLBACK  # a waiting task kept its place as a promise
                    task.promise_id = task.promise_id or d.task_id
            elif isinstance(d, PromiseKept | PromiseBroken):
                task = self._tasks.get(d.task_id)
                if task is not None:
                    self._settles[id(d)] = _PromiseOf(
                        task.promise_id or d.task_id, task.work.interaction_id, task.queue
                    )
        self._decisions.put_nowait(decisions)

    def _background(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _timer_loop(self) -> None:
        while True:
            nxt = self.engine.next_timer()
            timeout = None if nxt is None else max(0.0, nxt - time.time())
            # `asyncio.timeout`, not `wait_for`: on 3.11 `wait_for` swallows a cancel that
            # arrives in the step the event is set, and `stop` then hung until the next timer
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            self._wake.clear()
            try:
                decisions = self.engine.advance(self.now())
            except RoutingError:
                log.exception("routing timers failed")
                continue
            self._queue(decisions)

    async def _decision_loop(self) -> None:
        while True:
            batch = await self._decisions.get()
            try:
                for decision in batch:
                    try:
                        await self._apply(decision)
                    except Exception:  # one failed write must not stop routing
                        log.exception("applying %s failed", type(decision).__name__)
            finally:
                self._decisions.task_done()  # `stop` waits for the batches made before it

    async def _apply(self, d: Decision) -> None:
        task = self._tasks.get(d.task_id)
        publish = self.runtime.bus.publish
        if isinstance(d, Offered) and task:
            await publish(
                [
                    TaskOffered(
                        to_agent=d.agent_id,
                        task_id=d.task_id,
                        case_id=task.work.case_id,
                        customer_id=task.work.customer_id,
                        channel=task.channel,
                        queue=task.queue,
                        expires_at=datetime.fromtimestamp(d.expires_at, UTC),
                        explanation=d.explain(),
                    )
                ]
            )
        elif isinstance(d, Assigned) and task:
            task.agent_id = d.agent_id
            meta = {"queue": task.queue, "task_id": d.task_id, "explanation": d.explain()}
            if task.promise_id is not None:
                meta["promise_id"] = task.promise_id  # taken: owed no more after a restart
            await self.runtime.write(assign_case, task.work.interaction_id, d.agent_id, meta)
            if task.attached:  # the customer's other contacts go to the same agent
                await self.runtime.write(own_cases_of, list(task.attached), d.agent_id)
            await publish(
                [
                    TaskAssigned(
                        to_agent=d.agent_id,
                        task_id=d.task_id,
                        case_id=task.work.case_id,
                        channel=task.channel,
                        queue=task.queue,
                        explanation=d.explain(),
                    )
                ]
            )
        elif isinstance(d, Requeued | OfferWithdrawn):
            await publish([OfferEnded(to_agent=d.agent_id, task_id=d.task_id, reason=d.reason)])
        elif isinstance(d, PromiseKept | PromiseBroken):
            settles = self._settles.pop(id(d), None)
            if settles is not None:
                due = datetime.fromtimestamp(d.due_at, UTC).isoformat()
                meta = {"task_id": d.task_id, "queue": settles.queue, "due_at": due}
                await self.runtime.write(
                    record_promise_outcome,
                    settles.interaction_id,
                    settles.promise_id,
                    isinstance(d, PromiseKept),
                    meta,
                )
            await publish(
                [
                    RoutingDecisionMade(
                        task_id=d.task_id,
                        decision=routing_decision_name(type(d).__name__),
                        explanation=d.explain(),
                    )
                ]
            )
        elif isinstance(d, AgentStateChanged):
            self._echo.add((d.agent_id, d.presence.value))
            await self.runtime.write(
                set_presence, d.agent_id, d.presence, d.reason, actor="routing"
            )
        else:
            await publish(
                [
                    RoutingDecisionMade(
                        task_id=d.task_id,
                        decision=routing_decision_name(type(d).__name__),
                        explanation=d.explain(),
                    )
                ]
            )


async def _cancel(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
