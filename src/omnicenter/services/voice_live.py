"""Voice in the live service: calls become interactions, queue through the live router.

`LiveVoiceService` implements the endpoint's `VoiceService` seam on top of the real
services: the caller is resolved by `phone:<E.164>` and the call joins that customer's open
case (or opens one), every call event is a timeline event, queueing is a routing task whose
offer is the agent's phone ringing (answered = accepted, not answered = rejected), and a
callback is the routing engine's callback promise, kept by dialling agent then customer.
`attach_voice(services)` starts the endpoint; agents' phones log in with their omnicenter
username and a SIP password derived from the server secret (`sip_password`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, desc, select, update

from omnicenter.bus.events import (
    AgentPresenceChanged,
    BusEvent,
    OfferEnded,
    TaskOffered,
)
from omnicenter.channels.voice import (
    AgentAccount,
    AgentTarget,
    CallEvent,
    CallEventKind,
    CallInfo,
    QueueRequest,
    VoiceControl,
    VoiceEndpoint,
    VoiceSettings,
)
from omnicenter.channels.voice.retention import (
    Recording,
    delete_recordings,
    expired_by_queue,
)
from omnicenter.domain import Channel, EventKind, Presence
from omnicenter.domain.ids import new_id
from omnicenter.routing import (
    AgentSpec,
    CallbackScheduled,
    Decision,
    Offered,
    RoutingError,
)
from omnicenter.routing.skills import SkillReq
from omnicenter.services import queries
from omnicenter.services.agents import get_agent
from omnicenter.services.assignments import WaitingWork, record_routing, routing_facts
from omnicenter.services.identity import Claim, resolve_customer
from omnicenter.services.promises import promise_made_meta, record_promise_made
from omnicenter.services.routing_live import LiveRouter, OfferError
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.settings import Settings
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

if TYPE_CHECKING:
    from omnicenter.bootstrap import Services
    from omnicenter.channels.voice.ivr import Ivr
    from omnicenter.runtime import Runtime
    from omnicenter.services.voice_flows import FlowIvr

__all__ = [
    "CallRecord",
    "LiveVoiceService",
    "VoiceHandle",
    "attach_voice",
    "close_call",
    "expire_recording",
    "open_call",
    "purge_recordings",
    "record_call_event",
    "recording_known",
    "sip_password",
    "submit_call_task",
    "voice_settings_for",
]

log = logging.getLogger(__name__)

_OPEN_CASE = ("new", "open", "pending")
_CALL_CHANNELS = (Channel.VOICE.value, Channel.CALLBACK.value)
# Timeline kinds for call events: existing EventKind values; `meta["call"]` names the event.
_KINDS: dict[CallEventKind, EventKind] = {
    CallEventKind.IVR_CHOICE: EventKind.BOT_STEP,
    CallEventKind.HOLD: EventKind.HOLD,
    CallEventKind.RESUME: EventKind.HOLD,
    CallEventKind.TRANSFERRED: EventKind.TRANSFER,
}


def sip_password(secret: bytes, username: str) -> str:
    """An agent's SIP digest password: derived from the server secret, so nothing is stored
    and rotating `secret_key` rotates every phone's password."""
    mac = hmac.new(secret, b"sip-password:" + username.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac)[:20].decode()


# --- units of work (run by `runtime.write`) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallRecord:
    customer_id: str
    case_id: str
    interaction_id: str
    new_case: bool = False


def _open_case_of(conn: Connection, family: list[str]) -> str | None:
    row = conn.execute(
        select(t.cases.c.id)
        .where(t.cases.c.customer_id.in_(family), t.cases.c.status.in_(_OPEN_CASE))
        .order_by(desc(t.cases.c.updated_at))
        .limit(1)
    ).first()
    return str(row.id) if row else None


def _add(
    uow: UnitOfWork,
    rec: CallRecord,
    channel: Channel,
    kind: EventKind,
    body: str,
    meta: dict[str, Any],
    *,
    new_case: bool = False,
) -> str:
    event_id = add_timeline_event(
        uow, customer_id=rec.customer_id, case_id=rec.case_id,
        interaction_id=rec.interaction_id, kind=kind.value, channel=channel,
        author_type="system", author_id=None, body=body, meta=meta, new_case=new_case,
    )  # fmt: skip
    cases_repo.touch(uow.conn, uow.now, rec.case_id, rec.interaction_id)
    return event_id


def open_call(
    uow: UnitOfWork,
    call: CallInfo,
    *,
    region: str = "PL",
    case_id: str | None = None,
    channel: Channel = Channel.VOICE,
) -> CallRecord:
    """Who calls (`phone:<E.164>`, or `sip:<user>` for a non-number), which case (the given
    one, the customer's open case, or a new one), and a new interaction with its first event."""
    kind = "phone" if call.caller.startswith("+") else "sip"
    customer_id = resolve_customer(uow, [Claim(kind, call.caller)], call.caller_name, region)
    new_case = False
    if case_id is None:
        family = customers_repo.customer_family(uow.conn, customer_id)
        case_id = _open_case_of(uow.conn, family)
    if case_id is None:
        subject = f"Call from {call.caller}"
        case_id = cases_repo.create_case(uow.conn, uow.now, customer_id, subject, channel)
        new_case = True
    interaction_id = cases_repo.create_interaction(
        uow.conn, uow.now, case_id, customer_id, channel, call.caller, None, None
    )
    rec = CallRecord(customer_id, case_id, interaction_id, new_case)
    meta = {
        "call": CallEventKind.STARTED.value,
        "call_id": call.call_id,
        "direction": call.direction,
        "from": call.caller,
        "to": call.called,
    }
    body = "callback call started" if channel is Channel.CALLBACK else "call started"
    _add(uow, rec, channel, EventKind.STATUS, body, meta, new_case=new_case)
    return rec


def record_call_event(
    uow: UnitOfWork, rec: CallRecord, channel: Channel, event: CallEvent, body: str
) -> str:
    meta: dict[str, Any] = {"call": event.kind.value, "call_id": event.call_id, **event.data}
    if event.agent_id:
        meta["agent_id"] = event.agent_id
    return _add(uow, rec, channel, _KINDS.get(event.kind, EventKind.STATUS), body, meta)


def close_call(uow: UnitOfWork, rec: CallRecord, channel: Channel, event: CallEvent) -> None:
    """The last event of a call; a call's interaction is over when the call is."""
    record_call_event(uow, rec, channel, event, "call ended")
    uow.conn.execute(
        update(t.interactions)
        .where(t.interactions.c.id == rec.interaction_id)
        .values(status="closed", closed_at=uow.now)
    )


def expire_recording(uow: UnitOfWork, call_id: str, path: str) -> bool:
    """A deleted recording: a `recording_expired` event next to the call's `recording` one,
    so the timeline says why its link is gone. False when the call is unknown here."""
    row = uow.conn.execute(
        select(t.events)
        .where(t.events.c.meta["call_id"].as_string() == call_id)
        .order_by(desc(t.events.c.created_at))
        .limit(1)
    ).first()
    if row is None:
        return False
    meta = {"call": "recording_expired", "call_id": call_id, "path": path}
    body = "call recording expired (retention)"
    add_timeline_event(
        uow, customer_id=row.customer_id, case_id=row.case_id,
        interaction_id=row.interaction_id, kind=EventKind.STATUS.value,
        channel=Channel(row.channel) if row.channel else Channel.VOICE,
        author_type="system", author_id=None, body=body, meta=meta,
    )  # fmt: skip
    return True


def recording_known(conn: Connection, call_id: str) -> bool:
    """Whether the timeline has a `recording` of this call (its file may be gone)."""
    row = conn.execute(
        select(t.events.c.id)
        .where(
            t.events.c.meta["call_id"].as_string() == call_id,
            t.events.c.meta["call"].as_string() == CallEventKind.RECORDING.value,
        )
        .limit(1)
    ).first()
    return row is not None


def retention_by_queue(settings: VoiceSettings) -> dict[str, int]:
    """Queues that keep their recordings for a time of their own."""
    return {
        name: q.retention_days
        for name, q in settings.menu.queues.items()
        if q.retention_days is not None
    }


def expired_for(settings: VoiceSettings, now: datetime) -> list[Recording]:
    """Recordings past their retention: their queue's, else `recordings_retention_days`."""
    days, per_queue = settings.recordings_retention_days, retention_by_queue(settings)
    return expired_by_queue(settings.recordings_dir, days, per_queue, now)


def keeps_forever(settings: VoiceSettings) -> bool:
    """No retention anywhere: the sweep has nothing to do."""
    days = [settings.recordings_retention_days, *retention_by_queue(settings).values()]
    return all(d <= 0 for d in days)


async def purge_recordings(
    runtime: Runtime,
    settings: VoiceSettings,
    *,
    now: datetime | None = None,
    on_deleted: Callable[[Recording], None] | None = None,
) -> list[Recording]:
    """Delete recordings past their retention (the queue's, else
    `recordings_retention_days`) and mark them on the timeline."""
    when = now or datetime.now(UTC)
    old = await asyncio.to_thread(expired_for, settings, when)
    deleted = await asyncio.to_thread(delete_recordings, old, on_deleted)
    for rec in deleted:
        if rec.call_id is not None:
            await runtime.write(expire_recording, rec.call_id, str(rec.path))
    return deleted


async def sweep_recordings(runtime: Runtime, settings: VoiceSettings) -> None:
    """The running service's periodic retention sweep."""
    while True:
        try:
            deleted = await purge_recordings(runtime, settings)
        except Exception:  # a failed sweep must not end the sweeps
            log.exception("recording retention sweep failed")
        else:
            if deleted:
                log.info("deleted %d expired call recordings", len(deleted))
        await asyncio.sleep(settings.recordings_sweep_interval)


def close_stale_calls(uow: UnitOfWork) -> list[str]:
    """No call survives a restart: close call interactions left open by the last run."""
    ids = [
        str(r.id)
        for r in uow.conn.execute(
            select(t.interactions.c.id).where(
                t.interactions.c.status == "open", t.interactions.c.channel.in_(_CALL_CHANNELS)
            )
        )
    ]
    if ids:
        uow.conn.execute(
            update(t.interactions)
            .where(t.interactions.c.id.in_(ids))
            .values(status="closed", closed_at=uow.now)
        )
    return ids


# --- routing -----------------------------------------------------------------------------------


def submit_call_task(
    router: LiveRouter,
    work: WaitingWork,
    *,
    queue: str,
    channel: Channel = Channel.VOICE,
    skills: tuple[SkillReq, ...] = (),
    callback_at: float | None = None,
    promise_id: str | None = None,
) -> str:
    """Submit a call (or callback) to the live router; return its task id."""
    task_id = router.submit(
        work,
        queue=queue,
        channel=channel,
        skills=skills,
        callback_at=callback_at,
        promise_id=promise_id,
    )
    if task_id is None:
        raise RuntimeError(f"routing refused the call on {work.interaction_id}")
    return task_id


def feed(router: LiveRouter, decisions: list[Decision]) -> None:
    """Hand decisions of a direct engine call to the router's decision loop."""
    router.feed(decisions)


# --- the service -------------------------------------------------------------------------------


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
        services: Services,
        *,
        accounts: tuple[AgentAccount, ...] = (),
        require_ivr_skills: bool = False,
    ) -> None:
        self.runtime = services.runtime
        self.router: LiveRouter | None = services.router
        self.region = services.settings.default_region
        self.secret = services.secret
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
        self.flow_ivr: FlowIvr | None = None  # the phone runs a flow (`attach_flow_ivr`)
        services.bus.subscribe(self._on_bus)

    async def load_agents(self) -> None:
        for row in await self.runtime.read(queries.list_agents):
            self._agents[str(row["username"])] = str(row["id"])

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
        rec = await self._write(
            open_call,
            call,
            region=self.region,
            case_id=promise.case_id if promise else None,
            channel=channel,
        )
        self.calls[call.call_id] = _Call(call, rec, channel)

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
        try:
            c.task_id = submit_call_task(self.router, work, queue=c.queue, skills=skills)
        except RoutingError:
            log.exception("routing refused call %s", call.call_id)
            return
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
        router = self.router
        try:
            return router.engine.estimated_wait(c.queue, Channel.VOICE, router.now())
        except RoutingError:
            return None

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
        try:
            decisions = router.engine.request_callback(task_id, router.now())
        except RoutingError:
            log.exception("routing could not take the callback for %s", call.call_id)
            return task_id
        feed(router, decisions)
        c.promise_due = next(
            (d.due_at for d in decisions if isinstance(d, CallbackScheduled)), None
        )
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
        await self._write(record_call_event, c.rec, c.channel, _jsonable(event), _body(event))

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
        config = self.router.engine.config
        if menu_queue in config.queues:
            return menu_queue
        return config.engine.default_queue or next(iter(config.queues))

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
        try:
            if to_agent is not None and router.engine.agent(to_agent).state is not (
                Presence.AVAILABLE
            ):
                return False  # away or full in routing's eyes: the task just ends here
            decisions = router.engine.transfer(
                task_id, router.now(), to_queue=queue, to_agent=to_agent
            )
        except RoutingError:
            log.warning("routing could not transfer the task of call %s", c.info.call_id)
            return False
        task = router.task_for(task_id)
        if task is not None:
            task.agent_id = None  # nobody has it until the next agent accepts
        feed(router, decisions)
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
        await self._write(close_call, c.rec, c.channel, _jsonable(event))

    def phone_of(self, agent_id: str) -> AgentTarget | None:
        """The agent's registered phone as a target to ring, None without one."""
        username = self._phones.get(agent_id)
        return AgentTarget(agent_id, username) if username is not None else None

    def case_of(self, call_id: str) -> str | None:
        """The case a live call is on (the desktop's call bar links it)."""
        c = self.calls.get(call_id)
        return c.rec.case_id if c is not None else None

    def _on_bus(self, event: BusEvent) -> None:
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
        task_id = submit_call_task(
            self.router,
            replace(work, arrived_at=promise.arrived_at),
            queue=promise.queue,
            channel=Channel.CALLBACK,
            callback_at=self.router.now(),
            promise_id=promise_id,
        )
        self._promises[task_id] = replace(
            promise, task_id=task_id, failed=False, promise_id=promise_id
        )

    async def _work_for_case(self, case_id: str) -> WaitingWork | None:
        def latest(conn: Connection) -> str | None:
            row = conn.execute(
                select(t.interactions.c.id)
                .where(t.interactions.c.case_id == case_id)
                .order_by(desc(t.interactions.c.created_at))
                .limit(1)
            ).first()
            return str(row.id) if row else None

        interaction_id = await self.runtime.read(latest)
        return await self.runtime.read(routing_facts, interaction_id) if interaction_id else None

    def _callback_outcome(self, event: CallEvent) -> None:
        number = event.data.get("callback")
        promise = self._dialling.get(number) if isinstance(number, str) else None
        if promise is not None and event.kind is CallEventKind.NO_ANSWER:
            promise.failed = True

    async def _write(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """A write that finishes even when the call's script is cancelled (the caller hung
        up): the timeline must not lose the event, and the writer must not answer a
        cancelled future."""
        return await asyncio.shield(self.runtime.write(fn, *args, **kwargs))

    def keep_running(self, coro: Any) -> None:
        """A service loop (the retention sweep) that ends when the service closes."""
        task = asyncio.get_running_loop().create_task(coro)
        self._loops.add(task)
        task.add_done_callback(self._loops.discard)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._bg.add(task)
        task.add_done_callback(self._bg.discard)


def _jsonable(event: CallEvent) -> CallEvent:
    data = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in event.data.items()}
    return replace(event, data=data)


_BODIES = {
    CallEventKind.STARTED: "call started",
    CallEventKind.QUEUED: "call queued",
    CallEventKind.RINGING: "agent phone ringing",
    CallEventKind.NO_ANSWER: "agent did not answer",
    CallEventKind.CONNECTED: "call connected to an agent",
    CallEventKind.HOLD: "call on hold",
    CallEventKind.RESUME: "call resumed",
    CallEventKind.TRANSFERRED: "call transferred",
    CallEventKind.CONSULT: "agent consulting another agent",
    CallEventKind.CONSULT_ENDED: "consultation ended",
    CallEventKind.RECORDING: "call recorded",
    CallEventKind.CALLBACK_REQUESTED: "callback promised",
    CallEventKind.ABANDONED: "caller hung up while waiting",
    CallEventKind.ENDED: "call ended",
}


def _body(event: CallEvent) -> str:
    if event.kind is CallEventKind.IVR_CHOICE:
        path = " ".join(str(p) for p in event.data.get("path", ()))
        target = event.data.get("target")
        return f"IVR {path}: {event.data.get('action')}{f' {target}' if target else ''}"
    return _BODIES.get(event.kind, event.kind.value)


# --- wiring ------------------------------------------------------------------------------------


class _LiveEndpoint(VoiceEndpoint):
    """The endpoint, with agents' SIP accounts read from the service."""

    def account(self, username: str) -> AgentAccount | None:
        service = self.service
        assert isinstance(service, LiveVoiceService)
        return service.account(username)


@dataclass
class VoiceHandle:
    endpoint: VoiceEndpoint
    service: LiveVoiceService

    async def close(self) -> None:
        await self.endpoint.aclose()
        await self.service.close()


def voice_settings_for(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> VoiceSettings:
    """`[voice]` of the TOML file named by `OMNICENTER_VOICE_CONFIG` (if any), with the
    product's SIP host/port, region and data dir, then `OMNICENTER_SIP_*`/`..._VOICE_*`."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    path = env.get("OMNICENTER_VOICE_CONFIG") or settings.voice_config
    if path:
        with open(path, "rb") as fh:
            data = dict(tomllib.load(fh).get("voice", {}))
    data.setdefault("host", settings.sip_host)
    data.setdefault("port", settings.sip_port)
    data.setdefault("region", settings.default_region)
    data.setdefault("data_dir", str(Path(settings.data_dir) / "voice"))
    return VoiceSettings.from_mapping(data).with_env(env)


async def attach_voice(
    services: Services,
    voice: VoiceSettings | None = None,
    *,
    require_ivr_skills: bool = False,
) -> VoiceHandle:
    """Start the SIP endpoint on the live services; `await handle.close()` stops it."""
    settings = voice if voice is not None else voice_settings_for(services.settings)
    router = services.router
    if router is not None and router.engine.config.engine.offer_timeout > 0:
        # The ring is the offer: give up ringing before routing gives up the offer.
        ring = min(settings.ring_timeout, max(1.0, router.engine.config.engine.offer_timeout - 1))
        settings = replace(settings, ring_timeout=ring)
    stale = await services.runtime.write(close_stale_calls)
    if router is not None:
        for interaction_id in stale:
            task_id = router.task_for_interaction(interaction_id)
            if task_id is not None:
                router.complete(task_id)
    service = LiveVoiceService(
        services, accounts=settings.accounts, require_ivr_skills=require_ivr_skills
    )
    await service.load_agents()
    if router is not None:
        # Agents routing holds already get the filter now; later ones as they are added.
        router.add_spec_filter(service.phone_capacity)
        for agent_id in set(service._agents.values()):
            await router.refresh_agent(agent_id)
    endpoint = _LiveEndpoint(settings, service)
    service.control = endpoint
    await endpoint.start()
    if settings.recordings_sweep_interval > 0 and not keeps_forever(settings):
        service.keep_running(sweep_recordings(services.runtime, settings))
    return VoiceHandle(endpoint, service)
