"""The routing engine in the live service: contacts in, offers out, answers back.

The engine (`omnicenter.routing`) is pure and runs on the event loop thread (a decision costs
microseconds); this component feeds it from the bus (a customer wrote, an agent changed
presence, a case was resolved), turns its decisions into durable facts (case owner, routing
events on the timeline) and live events (offers to one agent, decisions for supervisors),
and fires its timers (offer timeouts, widening, overflow, wrap-up, callbacks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
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
)
from omnicenter.domain import Agent, AgentRole, Channel, Presence
from omnicenter.domain.ids import new_id
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
    SkillReq,
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
    queued_tasks,
    record_routing,
    routing_facts,
    waiting_work,
)
from omnicenter.services.desktop import latest_interaction
from omnicenter.services.promises import record_promise_outcome

__all__ = ["LiveRouter", "OfferError", "load_routing_config"]

log = logging.getLogger(__name__)

DEFERRED = (Channel.EMAIL, Channel.SMS, Channel.FORM)


class OfferError(ValueError):
    pass


def load_routing_config(path: str | None) -> dict[str, Any]:
    """The configured file, or the packaged default (examples/routing/demo.toml's twin)."""
    if path:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    default = Path(__file__).resolve().parent.parent / "config" / "routing.toml"
    with default.open("rb") as fh:
        return tomllib.load(fh)


@dataclass
class _Task:
    task_id: str
    work: WaitingWork
    queue: str
    channel: Channel  # routed as (a callback for a chat): offers say so
    agent_id: str | None = None
    promise_id: str | None = None  # a callback promise this task keeps


@dataclass(frozen=True, slots=True)
class _PromiseOf:
    """Whose promise an engine decision settles, read when it is made (the task may be
    completed before the decision is applied)."""

    promise_id: str
    interaction_id: str
    queue: str


class LiveRouter:
    def __init__(self, runtime: Runtime, config: RoutingConfig | dict[str, Any]) -> None:
        self.runtime = runtime
        self._last = time.time()
        self.engine = RoutingEngine(config, self._last)
        self._tasks: dict[str, _Task] = {}
        self._by_interaction: dict[str, str] = {}
        self._wake = asyncio.Event()
        self._decisions: asyncio.Queue[list[Decision]] = asyncio.Queue()
        self._runners: list[asyncio.Task[None]] = []  # the timer, decision and event loops
        self._writes: set[asyncio.Task[Any]] = set()  # facts written in the background
        self._echo: set[tuple[str, str]] = set()
        self._inbox: asyncio.Queue[BusEvent] = asyncio.Queue()
        self._gate: Callable[[str, str | None], bool] | None = None
        # Adjust what routing knows of an agent from facts it does not own (voice: a phone).
        self._spec_filters: list[Callable[[AgentSpec], AgentSpec]] = []
        self._settles: dict[int, _PromiseOf] = {}  # id(PromiseKept|PromiseBroken) -> promise
        # tasks recorded as queued before a restart: queued again under their ids, not
        # counted again (`queued_tasks`)
        self._counted: set[str] = set()

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

    def set_gate(self, gate: Callable[[str, str | None], bool] | None) -> None:
        """`gate(interaction_id, channel)` says whether a customer's contact goes to people
        now; the bot holds the contacts it is answering until it hands them over."""
        self._gate = gate

    def _open(self, interaction_id: str, channel: str | None) -> bool:
        return self._gate is None or self._gate(interaction_id, channel)

    def enqueue(self, event: BusEvent) -> None:
        """Bus subscriber: returns at once (a visitor's ack must not wait for routing); the
        events are handled in order by one loop."""
        self._inbox.put_nowait(event)

    async def _event_loop(self) -> None:
        while True:
            event = await self._inbox.get()
            try:
                await self.on_event(event)
            except Exception:
                log.exception("routing could not handle %s", event.type)

    # -- clock -----------------------------------------------------------------------------
    def now(self) -> float:
        """Epoch seconds that never go back (the engine refuses a clock that does)."""
        self._last = max(self._last, time.time())
        return self._last

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self, *, held: Collection[str] = ()) -> None:
        """Agents from the store, then the open work nobody owns, except `held` interactions
        (their callback promises are restored with their due time: `promises`)."""
        agents = await self.runtime.read(queries.list_agents)
        for row in agents:
            agent = await self.runtime.read(get_agent, row["id"])
            if agent is None:
                continue
            # Supervisors and admins take no routed work unless they have skills to offer.
            if agent.role in (AgentRole.ADMIN,) and not agent.skills:
                continue
            self.feed(self.engine.add_agent(self._spec(agent), self.now(), agent.presence))
        queued = await self.runtime.read(queued_tasks)
        self._counted = set(queued)
        known = {interaction: task_id for task_id, interaction in queued.items()}
        for work in await self.runtime.read(waiting_work):
            if work.interaction_id in held:
                continue
            if self._open(work.interaction_id, work.channel.value):
                self.submit(work, task_id=known.get(work.interaction_id))
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
            if event.author_type == "customer" and event.kind in ("message_in", "form"):
                if not self._open(event.interaction_id, event.channel):
                    return
                if event.interaction_id not in self._by_interaction:
                    work = await self.runtime.read(routing_facts, event.interaction_id)
                    if work is not None and event.interaction_id not in self._by_interaction:
                        self.submit(work)
            elif event.author_type == "agent" and event.kind == "message_out":
                task_id = self._by_interaction.get(event.interaction_id)
                task = self._tasks.get(task_id) if task_id else None
                channel = Channel(event.channel) if event.channel else None
                # A deferred contact is done when it is answered; a chat when it is resolved.
                if task and task.agent_id == event.author_id and channel in DEFERRED:
                    self.complete(task.task_id)
        elif isinstance(event, CaseUpdated) and event.status in ("resolved", "closed"):
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
        queues = self.engine.config.queues
        if work.queue_hint and work.queue_hint in queues:
            return work.queue_hint
        default = self.engine.config.engine.default_queue
        return default or next(iter(queues))

    def submit(
        self,
        work: WaitingWork,
        *,
        queue: str | None = None,
        channel: Channel | None = None,
        skills: tuple[SkillReq, ...] = (),
        priority: int = 2,
        callback_at: float | None = None,
        task_id: str | None = None,
        promise_id: str | None = None,
    ) -> str | None:
        """Queue `work` (a chat, an email, a call, a callback); returns the task id, or None
        when routing refuses it (logged). A callback keeps `promise_id` (default: its own
        id); `task_id` names the task (a promise restored after a restart keeps its id)."""
        if queue is None or queue not in self.engine.config.queues:
            queue = self.queue_for(work)
        channel = channel or work.channel
        task = _Task(task_id or new_id("tsk"), work, queue, channel)
        if callback_at is not None:
            task.promise_id = promise_id or task.task_id
        now = self.now()
        spec = TaskSpec(
            id=task.task_id,
            queue=queue,
            channel=channel,
            priority=priority,
            skills=skills,
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
        if task.task_id in self._counted:  # queued before a restart: counted then
            self._counted.discard(task.task_id)
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
        }
        self._background(self.runtime.write(record_routing, work.interaction_id, "queued", facts))
        self.feed(decisions)
        return task.task_id

    def task_for_interaction(self, interaction_id: str) -> str | None:
        return self._by_interaction.get(interaction_id)

    # -- agents' answers -------------------------------------------------------------------
    def accept(self, task_id: str, agent_id: str) -> None:
        self._answer(self.engine.accept, task_id, agent_id)

    def reject(self, task_id: str, agent_id: str) -> None:
        self._answer(self.engine.reject, task_id, agent_id)

    def _answer(self, fn: Any, task_id: str, agent_id: str) -> None:
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
        self._by_interaction.pop(task.work.interaction_id, None)
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
        return None if work is None else self.submit(work, queue=queue)

    def reconfigure(self, config: dict[str, Any]) -> None:
        self.feed(self.engine.reconfigure(config, self.now()))

    def task_for(self, task_id: str) -> _Task | None:
        return self._tasks.get(task_id)

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

    def _background(self, coro: Any) -> None:
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
                        channel=task.channel.value,
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
            await publish(
                [
                    TaskAssigned(
                        to_agent=d.agent_id,
                        task_id=d.task_id,
                        case_id=task.work.case_id,
                        channel=task.channel.value,
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
                        task_id=d.task_id, decision=type(d).__name__, explanation=d.explain()
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
                        task_id=d.task_id, decision=type(d).__name__, explanation=d.explain()
                    )
                ]
            )


async def _cancel(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
