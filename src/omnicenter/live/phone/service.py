"""The phone in the live service: calls become contacts, queue through the live router.

`LiveVoiceService` implements the endpoint's `VoiceService` seam: a call starts through the
one ingest like every contact (the caller is resolved by `phone:<E.164>`, the call joins
that customer's open case or opens one: `services.inbound`), every call event is a timeline
event (`services.calls`), queueing is a routing task (`Why.CALL`) whose offer is the agent's
phone ringing (answered = accepted, not answered = rejected), and a callback is the routing
engine's callback promise, kept by dialling agent then customer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from omnicenter.bus.events import AgentPresenceChanged, BusEvent, OfferEnded, TaskOffered
from omnicenter.channels.voice import (
    AgentAccount,
    AgentTarget,
    CallEvent,
    CallEventKind,
    CallInfo,
    QueueRequest,
    VoiceChannel,
    VoiceControl,
)
from omnicenter.domain import Channel
from omnicenter.domain.ids import new_id
from omnicenter.live.phone.accounts import sip_password
from omnicenter.live.phone.call_events import timeline_entry
from omnicenter.live.ports import Ingest, PhoneRouting
from omnicenter.live.work import OfferError, RouteRequest, Why
from omnicenter.routing import AgentSpec, Offered
from omnicenter.routing.skills import SkillReq
from omnicenter.runtime import Runtime
from omnicenter.services import queries
from omnicenter.services.agents import get_agent
from omnicenter.services.assignments import WaitingWork, record_routing, routing_facts
from omnicenter.services.calls import CallRecord, close_call, record_call_event
from omnicenter.services.promises import promise_made_meta, record_promise_made
from omnicenter.services.transfers import latest_interaction
from omnicenter.services.uow import UnitOfWork

if TYPE_CHECKING:
    from omnicenter.channels.voice.ivr import Ivr
    from omnicenter.live.phone.flow_ivr import FlowIvr

__all__ = ["LiveVoiceService"]

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


@dataclass(eq=False)
class _Call:
    info: CallInfo
    rec: CallRecord
    channel: Channel = Channel.VOICE
    queue: str | None = None  # routing queue
    task_id: str | None = None
    offer: str | None = None  # agent the routing task is offered to now
    offered: asyncio.Event = field(default_factory=asyncio.Event)
    agent_id: str | None = None  # connected agent
    requeued: bool = False  # transferred to a queue: not sticky to the agent who let go
    promise_due: float | None = None


@dataclass(eq=False)
class _Promise:
    task_id: str
    number: str
    queue: str
    case_id: str
    arrived_at: datetime
    failed: bool = False
    promise_id: str = ""  # the promise the task keeps (a retry is a new task): its id


class LiveVoiceService:
    """The routing engine and the timeline behind the voice endpoint (a `VoiceService`)."""

    def __init__(
        self,
        runtime: Runtime,
        router: PhoneRouting | None,
        *,
        ingest: Ingest,
        secret: bytes,
        accounts: tuple[AgentAccount, ...] = (),
        require_ivr_skills: bool = False,
    ) -> None:
        self.runtime = runtime
        self.router = router
        self.ingest = ingest
        self.secret = secret
        self.adapter = VoiceChannel()  # a call's start as the contact the ingest takes
        self.control: VoiceControl | None = None
        self.require_ivr_skills = require_ivr_skills
        self.calls: dict[str, _Call] = {}
        self.abandoned = 0
        self.answered = 0
        self.callbacks_requested = 0
        self._explicit = {a.username: a for a in accounts}
        self._agents: dict[str, str] = {}  # username -> agent id (omnicenter agents)
        self._phones: dict[str, str] = {}  # agent id -> username, phones registered now
        self._by_task: dict[str, str] = {}  # routing task -> call id
        self._promises: dict[str, _Promise] = {}  # callback task -> promise
        self._dialling: dict[str, _Promise] = {}  # number -> promise being kept
        self._bg: set[asyncio.Task[Any]] = set()
        self._loops: set[asyncio.Task[Any]] = set()
        self._closed = False
        self.flow_ivr: FlowIvr | None = None  # the phone runs a flow (`live.phone.flow_ivr`)

    async def load_agents(self) -> None:
        for row in await self.runtime.read(queries.list_agents):
            self._agents[str(row["username"])] = str(row["id"])

    def known_agents(self) -> set[str]:
        """Ids of the omnicenter agents whose phones may log in."""
        return set(self._agents.values())

    def account(self, username: str) -> AgentAccount | None:
        """Configured accounts first; otherwise any omnicenter agent, with `sip_password`."""
        if username in self._explicit:
            return self._explicit[username]
        agent_id = self._agents.get(username)
        if agent_id is None:
            return None
        return AgentAccount(username, sip_password(self.secret, username), agent_id)

    async def drain(self) -> None:
        """Wait for the callbacks being kept now (tests, and a graceful stop)."""
        while self._bg:
            await asyncio.gather(*self._bg, return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        for task in [*self._bg, *self._loops]:
            task.cancel()
        await asyncio.gather(*self._bg, *self._loops, return_exceptions=True)

    # --- VoiceService ----------------------------------------------------------------------

    async def call_started(self, call: CallInfo) -> None:
        promise = self._dialling.get(call.caller) if call.direction == "outbound" else None
        channel = Channel.CALLBACK if promise else Channel.VOICE
        contact = self.adapter.receive(
            call,
            received_at=call.started_at,
            callback=channel is Channel.CALLBACK,
            case_id=promise.case_id if promise else None,
        )
        # finishes even when the caller hangs up meanwhile: the call is on the timeline
        started = await asyncio.shield(self.ingest(contact))
        self.calls[call.call_id] = _Call(call, CallRecord.of(started), channel)

    async def enqueue(self, call: CallInfo, request: QueueRequest) -> None:
        c = self.calls.get(call.call_id)
        if c is None or self.router is None:
            return
        c.queue = self._routing_queue(request.queue)
        if c.requeued and c.task_id is not None:
            c.requeued = False  # the transferred task waits in its new queue already
            return
        skills: tuple[SkillReq, ...] = ()
        if self.require_ivr_skills:
            skills = tuple(SkillReq(k, v) for k, v in request.skills.items())
        work = await self.runtime.read(routing_facts, c.rec.interaction_id)
        if work is None:
            return
        c.task_id = self.router.route(RouteRequest(Why.CALL, work, queue=c.queue, skills=skills))
        if c.task_id is not None:
            self._by_task[c.task_id] = call.call_id

    async def wait_for_agent(self, call_id: str) -> AgentTarget:
        c = self.calls[call_id]
        while True:
            await c.offered.wait()
            c.offered.clear()
            agent_id, c.offer = c.offer, None
            if agent_id is None:
                continue
            username = self._phones.get(agent_id)
            if username is not None:
                return AgentTarget(agent_id, username)
            self._answer(c.task_id, agent_id, accept=False)  # no phone: someone else

    async def estimated_wait(self, call_id: str) -> float | None:
        c = self.calls.get(call_id)
        if c is None or c.queue is None or self.router is None:
            return None
        return self.router.estimated_wait(c.queue, Channel.VOICE)

    async def request_callback(self, call: CallInfo, number: str, queue: str) -> str:
        self.callbacks_requested += 1
        c = self.calls.get(call.call_id)
        router = self.router
        if c is None or router is None:
            return new_id("prm")
        if c.task_id is None:  # asked for in the IVR, before queueing
            await self.enqueue(call, QueueRequest(queue))
        task_id = c.task_id
        if task_id is None:
            return new_id("prm")
        if c.offer is not None:  # a ring was on its way: the offer goes back first
            self._answer(task_id, c.offer, accept=False)
            c.offer = None
        c.promise_due = router.keep_place_as_callback(task_id)
        if c.promise_due is None:
            return task_id
        self._by_task.pop(task_id, None)
        c.task_id = None
        promise = _Promise(task_id, number, c.queue or queue, c.rec.case_id, call.started_at)
        self._promises[task_id] = promise
        if c.promise_due is not None:  # the fact that makes it count, and survive a restart
            work = await self.runtime.read(routing_facts, c.rec.interaction_id)
            if work is not None:
                due_at = datetime.fromtimestamp(c.promise_due, UTC)
                meta = promise_made_meta(
                    work, task_id, promise.queue, due_at, number, "phone menu", ""
                )
                await self._write(record_promise_made, c.rec.interaction_id, meta)
        return task_id

    async def leave_queue(self, call_id: str, reason: str) -> None:
        c = self.calls.get(call_id)
        if reason == "abandoned":
            self.abandoned += 1
        if c is not None and reason == "abandoned" and c.task_id is not None:
            self._by_task.pop(c.task_id, None)
            if self.router is not None:
                self.router.complete(c.task_id)  # not assigned: the router cancels it
            c.task_id = None

    async def on_event(self, event: CallEvent) -> None:
        c = self.calls.get(event.call_id)
        if c is None:
            self._callback_outcome(event)
            return
        kind = event.kind
        if kind is CallEventKind.STARTED:
            return  # `call_started` wrote it, with the interaction
        if kind is CallEventKind.CONNECTED:
            self.answered += 1
            c.agent_id = event.agent_id
            if c.task_id is not None and event.agent_id is not None:
                self._answer(c.task_id, event.agent_id, accept=True)
        elif kind is CallEventKind.NO_ANSWER and event.agent_id is not None:
            if c.task_id is not None:
                self._answer(c.task_id, event.agent_id, accept=False)
        elif kind is CallEventKind.TRANSFERRED:
            # The first agent's capacity frees. To a queue, the routing task moves there
            # (never back to that agent); to an agent, routing hands it to them.
            to_queue, to_agent = event.data.get("to_queue"), event.data.get("to_agent")
            c.agent_id = to_agent if isinstance(to_agent, str) else None
            c.requeued = isinstance(to_queue, str) and self._transfer_task(c, to_queue=to_queue)
            moved = c.requeued or (
                c.agent_id is not None and self._transfer_task(c, to_agent=c.agent_id)
            )
            if not moved:
                self._finish_task(c)
        elif kind is CallEventKind.RECORDING:
            event = replace(
                event, data={**event.data, "url": f"/api/v1/calls/{event.call_id}/recording"}
            )
        elif kind is CallEventKind.CALLBACK_REQUESTED and c.promise_due is not None:
            event = replace(
                event,
                data={**event.data, "due_at": datetime.fromtimestamp(c.promise_due, UTC)},
            )
        if kind is CallEventKind.ENDED and event.data.get("reason") != "transferred":
            await self._ended(c, event)
            return
        entry = timeline_entry(event)
        await self._write(record_call_event, c.rec, c.channel, entry.kind, entry.body, entry.meta)

    def agent_phone(self, agent_id: str, username: str, registered: bool) -> None:
        had = agent_id in self._phones
        if registered:
            self._phones[agent_id] = username
        else:
            self._phones.pop(agent_id, None)
        if had != registered and self.router is not None:
            self._spawn(self.router.refresh_agent(agent_id))

    def phone_capacity(self, spec: AgentSpec) -> AgentSpec:
        """Voice capacity follows the phone: none without a registered one (a routing spec
        filter, so routing never offers a call to an agent who cannot ring)."""
        if spec.id in self._phones:
            return spec
        return replace(spec, capacity={**spec.capacity, Channel.VOICE: 0, Channel.CALLBACK: 0})

    def ivr_for(self, call: CallInfo) -> Ivr | None:
        """The flow IVR for this call when one is attached (`IvrProvider`), else the menu."""
        c = self.calls.get(call.call_id)
        if self.flow_ivr is None or c is None:
            return None
        return self.flow_ivr.for_call(call, c.rec)

    def adopt_promise(
        self, task_id: str, number: str, queue: str, case_id: str, arrived_at: datetime
    ) -> None:
        """A callback promised elsewhere (a flow on chat or the phone): keep it like ours."""
        self._promises[task_id] = _Promise(task_id, number, queue, case_id, arrived_at)

    # --- internals -------------------------------------------------------------------------

    def _routing_queue(self, menu_queue: str) -> str:
        assert self.router is not None
        return self.router.queue_named(menu_queue)

    def _answer(self, task_id: str | None, agent_id: str, *, accept: bool) -> None:
        if task_id is None or self.router is None:
            return
        try:
            if accept:
                self.router.accept(task_id, agent_id)
            else:
                self.router.reject(task_id, agent_id)
        except OfferError as exc:  # the offer timed out or was withdrawn meanwhile
            log.warning("call task %s: %s", task_id, exc)

    def _transfer_task(
        self, c: _Call, *, to_queue: str | None = None, to_agent: str | None = None
    ) -> bool:
        """Move the call's routing task (`engine.transfer`); to an agent, whose phone has
        the call already, the offer is accepted at once. False when routing cannot."""
        router, task_id = self.router, c.task_id
        if router is None or task_id is None:
            return False
        queue = self._routing_queue(to_queue) if to_queue is not None else None
        # to an agent away or full in routing's eyes, the task just ends here
        decisions = router.move_task(task_id, to_queue=queue, to_agent=to_agent)
        if decisions is None:
            return False
        if to_agent is None:
            return True
        if any(isinstance(d, Offered) and d.agent_id == to_agent for d in decisions):
            self._answer(task_id, to_agent, accept=True)
            return True
        return False  # they have no room in routing's eyes: the task waits for them

    def _finish_task(self, c: _Call) -> None:
        if c.task_id is not None:
            self._by_task.pop(c.task_id, None)
            if self.router is not None:
                self.router.complete(c.task_id)
            c.task_id = None

    async def _ended(self, c: _Call, event: CallEvent) -> None:
        self.calls.pop(c.info.call_id, None)
        self._finish_task(c)
        entry = timeline_entry(event)
        await self._write(close_call, c.rec, c.channel, entry.kind, entry.body, entry.meta)

    def phone_of(self, agent_id: str) -> AgentTarget | None:
        """The agent's registered phone as a target to ring, None without one."""
        username = self._phones.get(agent_id)
        return AgentTarget(agent_id, username) if username is not None else None

    def case_of(self, call_id: str) -> str | None:
        """The case a live call is on (the desktop's call bar links it)."""
        c = self.calls.get(call_id)
        return c.rec.case_id if c is not None else None

    def on_bus(self, event: BusEvent) -> None:
        """Bus subscriber: offers of call tasks ring phones; agents appear."""
        if self._closed:
            return
        if isinstance(event, TaskOffered):
            call_id = self._by_task.get(event.task_id)
            if call_id is not None and call_id in self.calls:
                c = self.calls[call_id]
                if c.agent_id != event.to_agent:  # not the transfer to who has it already
                    c.offer = event.to_agent
                    c.offered.set()
            elif event.task_id in self._promises:
                self._spawn(self._keep_promise(self._promises[event.task_id], event.to_agent))
        elif isinstance(event, OfferEnded):
            call_id = self._by_task.get(event.task_id)
            ended = self.calls.get(call_id) if call_id else None
            if ended is not None and ended.offer == event.to_agent:
                ended.offer = None
        elif (
            isinstance(event, AgentPresenceChanged) and event.agent_id not in self._agents.values()
        ):
            self._spawn(self._learn_agent(event.agent_id))

    async def _learn_agent(self, agent_id: str) -> None:
        agent = await self.runtime.read(get_agent, agent_id)
        if agent is not None:
            self._agents[agent.username] = agent.id

    async def _keep_promise(self, promise: _Promise, agent_id: str) -> None:
        """Routing chose an agent for a callback: ring them, then dial the customer."""
        username = self._phones.get(agent_id)
        if username is None or self.control is None or self.router is None:
            self._answer(promise.task_id, agent_id, accept=False)
            return
        self._answer(promise.task_id, agent_id, accept=True)
        self._dialling[promise.number] = promise
        try:
            await self.control.place_callback(promise.number, AgentTarget(agent_id, username))
        finally:
            self._dialling.pop(promise.number, None)
            self._promises.pop(promise.task_id, None)
            self.router.complete(promise.task_id)
        if promise.failed:  # the agent did not pick up: the promise goes back to the queue
            await self._retry(promise)

    async def _retry(self, promise: _Promise) -> None:
        assert self.router is not None
        work = await self._work_for_case(promise.case_id)
        if work is None:
            return
        promise_id = promise.promise_id or promise.task_id
        # owed again: a restart from here on schedules it anew (`promises.open_promises`)
        meta = {"fact": "callback_failed", "promise_id": promise_id, "number": promise.number}
        await self._write(record_routing, work.interaction_id, "callback not answered", meta)
        request = RouteRequest(
            Why.CALLBACK,
            replace(work, arrived_at=promise.arrived_at),
            queue=promise.queue,
            channel=Channel.CALLBACK,
            callback_at=self.router.now(),
            promise_id=promise_id,
        )
        task_id = self.router.route(request)
        if task_id is None:
            log.error("routing refused the callback retry on %s", work.interaction_id)
            return
        self._promises[task_id] = replace(
            promise, task_id=task_id, failed=False, promise_id=promise_id
        )

    async def _work_for_case(self, case_id: str) -> WaitingWork | None:
        interaction_id = await self.runtime.read(latest_interaction, case_id)
        return await self.runtime.read(routing_facts, interaction_id) if interaction_id else None

    def _callback_outcome(self, event: CallEvent) -> None:
        number = event.data.get("callback")
        promise = self._dialling.get(number) if isinstance(number, str) else None
        if promise is not None and event.kind is CallEventKind.NO_ANSWER:
            promise.failed = True

    async def _write(
        self, fn: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """A write that finishes even when the call's script is cancelled (the caller hung
        up): the timeline must not lose the event, and the writer must not answer a
        cancelled future."""
        return await asyncio.shield(self.runtime.write(fn, *args, **kwargs))

    def keep_running(self, coro: Coroutine[Any, Any, None]) -> None:
        """A service loop (the retention sweep) that ends when the service closes."""
        task = asyncio.get_running_loop().create_task(coro)
        self._loops.add(task)
        task.add_done_callback(self._loops.discard)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._bg.add(task)
        task.add_done_callback(self._bg.discard)
