"""Every event that crosses the bus or a WebSocket, declared once, typed, with no extra fields.

A malformed event fails validation in the tests instead of confusing a browser.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "AgentPresenceChanged",
    "BusEvent",
    "CaseUpdated",
    "CustomersMerged",
    "CustomersUnmerged",
    "MessageDelivered",
    "OfferEnded",
    "RoutingDecisionMade",
    "TaskAssigned",
    "TaskOffered",
    "TimelineEventAdded",
    "TypingIndicator",
    "bus_event_adapter",
]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimelineEventAdded(_Event):
    """Something new on a customer's timeline: a message in or out, a note, a form."""

    type: Literal["timeline_event"] = "timeline_event"
    event_id: str
    customer_id: str
    case_id: str | None
    interaction_id: str | None
    kind: str
    channel: str | None
    author_type: str
    author_id: str | None
    body: str
    created_at: datetime
    meta: dict[str, Any] = Field(default_factory=dict)
    new_case: bool = False


class CaseUpdated(_Event):
    type: Literal["case_updated"] = "case_updated"
    case_id: str
    customer_id: str
    status: str
    priority: int
    owner_agent_id: str | None
    subject: str


class MessageDelivered(_Event):
    """The outbox handed a message to its channel (or failed to)."""

    type: Literal["message_delivered"] = "message_delivered"
    event_id: str
    outbox_id: str
    interaction_id: str
    channel: str
    status: str
    error: str | None = None


class AgentPresenceChanged(_Event):
    type: Literal["agent_presence"] = "agent_presence"
    agent_id: str
    presence: str
    reason: str | None = None


class CustomersMerged(_Event):
    type: Literal["customers_merged"] = "customers_merged"
    merge_id: str
    source_id: str
    target_id: str
    reason: str


class CustomersUnmerged(_Event):
    type: Literal["customers_unmerged"] = "customers_unmerged"
    merge_id: str
    source_id: str
    target_id: str


class TaskOffered(_Event):
    """Routing offers work to one agent (`to_agent`); accept or reject before `expires_at`."""

    type: Literal["task_offered"] = "task_offered"
    to_agent: str
    task_id: str
    case_id: str | None
    customer_id: str | None
    channel: str
    queue: str
    expires_at: datetime
    explanation: str


class TaskAssigned(_Event):
    type: Literal["task_assigned"] = "task_assigned"
    to_agent: str
    task_id: str
    case_id: str | None
    channel: str
    queue: str
    explanation: str


class OfferEnded(_Event):
    """An offer is off the agent's screen: rejected, timed out, or the customer left."""

    type: Literal["offer_ended"] = "offer_ended"
    to_agent: str
    task_id: str
    reason: str


class RoutingDecisionMade(_Event):
    """Everything else routing decides (overflow, widening, callbacks, promises), for
    supervisors' wallboards."""

    type: Literal["routing_decision"] = "routing_decision"
    task_id: str
    decision: str
    explanation: str


class TypingIndicator(_Event):
    """Someone is typing in a chat: a visitor (to the agents' queues) or an agent (to the
    visitor's socket). Ephemeral: pushed live, never stored or replayed as a fact."""

    type: Literal["typing"] = "typing"
    interaction_id: str
    author_type: Literal["customer", "agent"]


BusEvent = Annotated[
    TimelineEventAdded
    | CaseUpdated
    | MessageDelivered
    | AgentPresenceChanged
    | CustomersMerged
    | CustomersUnmerged
    | TaskOffered
    | TaskAssigned
    | OfferEnded
    | RoutingDecisionMade
    | TypingIndicator,
    Field(discriminator="type"),
]

bus_event_adapter: TypeAdapter[BusEvent] = TypeAdapter(BusEvent)
