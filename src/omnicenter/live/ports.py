"""What one live component needs of another, as typed ports.

Bootstrap builds each live component with the concrete others it needs; the components
themselves only know these protocols, so each can be tested with a small fake and none
reaches into another's internals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from omnicenter.domain import Channel, InboundEvent
from omnicenter.flows import CallbackRequest
from omnicenter.live.work import RouteRequest, Why
from omnicenter.routing import AgentSpec, Decision
from omnicenter.services.inbound import IngestResult

__all__ = [
    "Admission",
    "CallbackDesk",
    "ContactGate",
    "Ingest",
    "Outbox",
    "PhoneRouting",
    "PromiseKeeper",
    "Routing",
]


class Ingest(Protocol):
    """The one ingest, with the installation's settings (`Services.ingest`)."""

    async def __call__(self, event: InboundEvent, /) -> IngestResult: ...


class Outbox(Protocol):
    """Hands a committed outbound message to its channel (`live.outbox.Dispatcher`)."""

    def kick(self, *outbox_ids: str) -> None: ...


class Admission(Protocol):
    """Routes an interaction's work once it is read (a contact, a bot's handover)."""

    def admit(self, interaction_id: str, why: Why) -> None: ...


class ContactGate(Protocol):
    """Whether a customer's contact goes to people now: the bot holds the conversations
    it is answering until it hands them over."""

    def should_route(self, interaction_id: str, channel: Channel | None) -> bool: ...


class PromiseKeeper(Protocol):
    """Keeps a callback promise by calling the customer (the phone)."""

    def adopt_promise(
        self, task_id: str, number: str, queue: str, case_id: str, arrived_at: datetime
    ) -> None: ...


class CallbackDesk(Protocol):
    """Schedules a callback a flow promised (`live.callbacks.Callbacks`)."""

    async def schedule(
        self, interaction_id: str, request: CallbackRequest, queue: str, *, source: str = "flow"
    ) -> object | None: ...


class Routing(Admission, Protocol):
    """The live router as work and callbacks see it."""

    def now(self) -> float: ...

    def route(self, request: RouteRequest) -> str | None: ...

    def queue_named(self, name: str | None) -> str: ...

    def routed_queue(self, task_id: str) -> str | None: ...

    def callback_grace(self, queue: str) -> float: ...

    def task_for_interaction(self, interaction_id: str) -> str | None: ...

    def is_waiting(self, task_id: str) -> bool: ...

    def keep_place_as_callback(self, task_id: str) -> float | None: ...

    def complete(self, task_id: str) -> None: ...


class PhoneRouting(Routing, Protocol):
    """The live router as the phone sees it: a call's offer is the agent's phone ringing."""

    @property
    def offer_timeout(self) -> float: ...

    def accept(self, task_id: str, agent_id: str) -> None: ...

    def reject(self, task_id: str, agent_id: str) -> None: ...

    def estimated_wait(self, queue: str, channel: Channel) -> float | None: ...

    def move_task(
        self, task_id: str, *, to_queue: str | None = None, to_agent: str | None = None
    ) -> list[Decision] | None: ...

    def add_spec_filter(self, adjust: _SpecFilter) -> None: ...

    async def refresh_agent(self, agent_id: str) -> None: ...


class _SpecFilter(Protocol):
    def __call__(self, spec: AgentSpec, /) -> AgentSpec: ...
