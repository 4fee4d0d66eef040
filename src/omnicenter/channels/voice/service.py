"""The seam between the voice endpoint and the rest of omnicenter.

The endpoint speaks SIP and RTP; everything a business decides (who is the caller, which
queue, which agent, how long the wait, when to call back) goes through `VoiceService`.
`SimpleVoiceService` is the built-in stand-in: a FIFO queue that rings the first registered
idle agent phone. The service layer replaces it with the routing engine by implementing
the same Protocol.
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from omnicenter.domain import Priority, new_id
from omnicenter.identity import InvalidAddress, normalize_phone

__all__ = [
    "AgentTarget",
    "CallEvent",
    "CallEventKind",
    "CallInfo",
    "QueueRequest",
    "SimpleVoiceService",
    "VoiceControl",
    "VoiceService",
    "normalise_number",
]


def normalise_number(raw: str, region: str = "PL") -> str:
    """The caller's number in E.164 when it reads as a phone number (the identity package's
    rule, so a caller and their SMS are one identity), else as received (a SIP user)."""
    try:
        return normalize_phone(raw, region)
    except InvalidAddress:
        return raw


@dataclass(frozen=True, slots=True)
class CallInfo:
    call_id: str  # omnicenter's id for the call (`call_...`), not the SIP Call-ID
    caller: str  # E.164 when possible: the identity `phone:<caller>`
    called: str
    started_at: datetime
    caller_name: str | None = None
    sip_call_id: str | None = None
    direction: str = "inbound"


@dataclass(frozen=True, slots=True)
class QueueRequest:
    """What the IVR learnt: the routing task's queue and skills."""

    queue: str
    skills: dict[str, int] = field(default_factory=dict)
    priority: Priority = Priority.NORMAL
    ivr_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgentTarget:
    """An agent to ring, and the SIP account their phone registered with."""

    agent_id: str
    username: str


class CallEventKind(enum.StrEnum):
    STARTED = "started"
    IVR_CHOICE = "ivr_choice"
    QUEUED = "queued"
    RINGING = "ringing"  # an agent's phone rings
    NO_ANSWER = "no_answer"  # the agent did not take it; the call goes back to the queue
    CONNECTED = "connected"
    HOLD = "hold"
    RESUME = "resume"
    TRANSFERRED = "transferred"
    CONSULT = "consult"  # the agent rings another agent, the caller on hold
    CONSULT_ENDED = "consult_ended"  # back to the caller (cancelled, failed, hung up)
    RECORDING = "recording"
    CALLBACK_REQUESTED = "callback_requested"
    ABANDONED = "abandoned"  # the caller hung up before reaching an agent
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class CallEvent:
    kind: CallEventKind
    call_id: str
    at: datetime
    agent_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


class VoiceService(Protocol):
    """What the endpoint asks of the service layer. All methods are called on the event loop."""

    async def call_started(self, call: CallInfo) -> None:
        """A call arrived: identify the caller (`phone:<E.164>`) and open an interaction."""

    async def enqueue(self, call: CallInfo, request: QueueRequest) -> None:
        """Make the call a routing task."""

    async def wait_for_agent(self, call_id: str) -> AgentTarget:
        """Resolve when routing assigns an agent. Cancelled when the caller hangs up."""
        ...

    async def estimated_wait(self, call_id: str) -> float | None:
        """Seconds the caller is expected to wait, None when unknown."""
        ...

    async def request_callback(self, call: CallInfo, number: str, queue: str) -> str:
        """Record a callback promise; return its id. The call then leaves the queue."""
        ...

    async def leave_queue(self, call_id: str, reason: str) -> None:
        """The call left the queue: `abandoned`, `callback` or `hangup` (before queueing)."""

    async def on_event(self, event: CallEvent) -> None:
        """Timeline and state: ringing, connected, hold, transfer, ended, abandoned..."""

    def agent_phone(self, agent_id: str, username: str, registered: bool) -> None:
        """An agent's phone registered (or its registration ended)."""


class VoiceControl(Protocol):
    """What the service may ask of the endpoint (callbacks and proactive calls)."""

    async def place_callback(
        self, number: str, agent: AgentTarget, *, caller_id: str | None = None
    ) -> str: ...


@dataclass
class _Waiter:
    call_id: str
    queue: str
    future: asyncio.Future[AgentTarget] | None = None
    skipped: set[str] = field(default_factory=set)


class SimpleVoiceService:
    """In-memory FIFO queue and agent list; enough to run the demo and the tests."""

    def __init__(self, *, average_handle_time: float = 180.0) -> None:
        self.control: VoiceControl | None = None
        self.calls: dict[str, CallInfo] = {}
        self.events: list[CallEvent] = []
        self.callbacks: deque[tuple[str, str, str]] = deque()  # (promise id, number, queue)
        self.abandoned = 0
        self.answered = 0
        self._aht = average_handle_time
        self._agents: dict[str, str] = {}  # agent id -> username, in registration order
        self._busy: set[str] = set()
        self._queue: deque[_Waiter] = deque()
        self._waiters: dict[str, _Waiter] = {}
        self._event_waiters: list[tuple[CallEventKind, asyncio.Future[CallEvent]]] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- VoiceService ----------------------------------------------------------------------

    async def call_started(self, call: CallInfo) -> None:
        self.calls[call.call_id] = call

    async def enqueue(self, call: CallInfo, request: QueueRequest) -> None:
        waiter = _Waiter(call.call_id, request.queue)
        self._waiters[call.call_id] = waiter
        self._queue.append(waiter)

    async def wait_for_agent(self, call_id: str) -> AgentTarget:
        waiter = self._waiters[call_id]
        waiter.future = asyncio.get_running_loop().create_future()
        if waiter not in self._queue:
            self._queue.appendleft(waiter)  # back from an agent who did not answer
        self._dispatch()
        return await waiter.future

    async def estimated_wait(self, call_id: str) -> float | None:
        position = next((i for i, w in enumerate(self._queue) if w.call_id == call_id), 0)
        agents = max(len(self._agents), 1)
        if len(self._agents) > len(self._busy) and position == 0:
            return 0.0
        return (position + 1) * self._aht / agents

    async def request_callback(self, call: CallInfo, number: str, queue: str) -> str:
        promise = new_id("prm")
        self.callbacks.append((promise, number, queue))
        self._dispatch()
        return promise

    async def leave_queue(self, call_id: str, reason: str) -> None:
        waiter = self._waiters.pop(call_id, None)
        if waiter is not None and waiter in self._queue:
            self._queue.remove(waiter)
        if reason == "abandoned":
            self.abandoned += 1

    async def on_event(self, event: CallEvent) -> None:
        self.events.append(event)
        if event.kind is CallEventKind.CONNECTED:
            self.answered += 1
            self._waiters.pop(event.call_id, None)
        elif event.kind is CallEventKind.NO_ANSWER and event.agent_id is not None:
            self._busy.discard(event.agent_id)
            waiter = self._waiters.get(event.call_id)
            if waiter is not None:
                waiter.skipped.add(event.agent_id)
        elif event.kind is CallEventKind.ENDED and event.agent_id is not None:
            self._busy.discard(event.agent_id)
            self._dispatch()
        for kind, future in list(self._event_waiters):
            if kind is event.kind and not future.done():
                future.set_result(event)

    def agent_phone(self, agent_id: str, username: str, registered: bool) -> None:
        if registered:
            self._agents[agent_id] = username
            self._dispatch()
        else:
            self._agents.pop(agent_id, None)

    # --- helpers ---------------------------------------------------------------------------

    def idle_agents(self) -> list[str]:
        return [a for a in self._agents if a not in self._busy]

    def queued(self) -> list[str]:
        return [w.call_id for w in self._queue]

    async def next_event(self, kind: CallEventKind) -> CallEvent:
        """Wait for the next event of `kind` (tests and the demo console use it)."""
        future: asyncio.Future[CallEvent] = asyncio.get_running_loop().create_future()
        self._event_waiters.append((kind, future))
        try:
            return await future
        finally:
            self._event_waiters.remove((kind, future))

    def _dispatch(self) -> None:
        for waiter in list(self._queue):
            if waiter.future is None or waiter.future.done():
                continue
            idle = self.idle_agents()
            if not idle:
                return
            choice = [a for a in idle if a not in waiter.skipped]
            if not choice:  # everyone free has let it ring: try them again
                waiter.skipped.clear()
                choice = idle
            agent = choice[0]
            self._busy.add(agent)
            self._queue.remove(waiter)
            waiter.future.set_result(AgentTarget(agent, self._agents[agent]))
        if not self._queue and self.callbacks and self.control is not None:
            idle = self.idle_agents()
            if idle:
                promise, number, _queue = self.callbacks.popleft()
                agent = idle[0]
                self._busy.add(agent)
                task = asyncio.get_running_loop().create_task(
                    self.control.place_callback(number, AgentTarget(agent, self._agents[agent]))
                )
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                self.events.append(
                    CallEvent(
                        CallEventKind.CALLBACK_REQUESTED,
                        promise,
                        datetime.now(UTC),
                        agent,
                        {"number": number, "state": "dialling"},
                    )
                )
