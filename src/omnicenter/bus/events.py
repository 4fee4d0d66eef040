"""Every event that crosses the bus or a WebSocket, declared once, typed, with no extra fields.

A malformed event fails validation in the tests instead of confusing a browser. Fields that
take one of a known set of values are typed as that set (the domain's enums, or a `Literal`);
on the wire (`model_dump(mode="json")`) an enum is its plain string or number value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from omnicenter.domain.channels import Channel
from omnicenter.domain.messages import DeliveryStatus
from omnicenter.domain.model import AuthorType, CaseStatus, EventKind, Presence, Priority

__all__ = [
    "ROUTING_DECISIONS",
    "AgentPresenceChanged",
    "BusEvent",
    "CaseUpdated",
    "CustomersMerged",
    "CustomersUnmerged",
    "MessageDelivered",
    "OfferEnded",
    "RoutingDecisionMade",
    "RoutingDecisionName",
    "TaskAssigned",
    "TaskOffered",
    "TimelineEventAdded",
    "TypingIndicator",
    "bus_event_adapter",
    "routing_decision_name",
]


# The routing engine's decision types (`omnicenter.routing.decisions`), by class name: what
# `RoutingDecisionMade.decision` says. A test keeps the two lists equal.
RoutingDecisionName = Literal[
    "AgentStateChanged",
    "Assigned",
    "CallbackDue",
    "CallbackOffered",
    "CallbackScheduled",
    "ChannelOffered",
    "OfferWithdrawn",
    "Offered",
    "Overflowed",
    "PromiseBroken",
    "PromiseKept",
    "Requeued",
    "Transferred",
    "Widened",
]
ROUTING_DECISIONS: frozenset[str] = frozenset(get_args(RoutingDecisionName))


def routing_decision_name(name: str) -> RoutingDecisionName:
    """`name` (a decision's class name) as a `RoutingDecisionName`; ValueError otherwise."""
    if name not in ROUTING_DECISIONS:
        raise ValueError(f"not a routing decision: {name!r}")
    return cast(RoutingDecisionName, name)


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimelineEventAdded(_Event):
    """Something new on a customer's timeline: a message in or out, a note, a form."""

    type: Literal["timeline_event"] = "timeline_event"
    event_id: str
    customer_id: str
    case_id: str | None
    interaction_id: str | None
    kind: EventKind
    channel: Channel | None
    author_type: AuthorType
    author_id: str | None
    body: str
    created_at: datetime
    meta: dict[str, Any] = Field(default_factory=dict)
    new_case: bool = False


class CaseUpdated(_Event):
    type: Literal["case_updated"] = "case_updated"
    case_id: str
    customer_id: str  # the merge root: agents and the desktop key customers by it
    status: CaseStatus
    priority: Priority
    owner_agent_id: str | None
    subject: str


class MessageDelivered(_Event):
    """The outbox handed a message to its channel (or failed to)."""

    type: Literal["message_delivered"] = "message_delivered"
    event_id: str
    outbox_id: str
    interaction_id: str
    channel: Channel
    status: DeliveryStatus
    error: str | None = None


class AgentPresenceChanged(_Event):
    type: Literal["agent_presence"] = "agent_presence"
    agent_id: str
    presence: Presence
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
    channel: Channel
    queue: str
    expires_at: datetime
    explanation: str


class TaskAssigned(_Event):
    type: Literal["task_assigned"] = "task_assigned"
    to_agent: str
    task_id: str
    case_id: str | None
    channel: Channel
    queue: str
    explanation: str


class OfferEnded(_Event):
    """An offer is off the agent's screen: rejected, timed out, or the customer left.

    `reason` is the engine's words, free text: some name a queue or a presence."""

    type: Literal["offer_ended"] = "offer_ended"
    to_agent: str
    task_id: str
    reason: str


class RoutingDecisionMade(_Event):
    """Everything else routing decides (overflow, widening, callbacks, promises), for
    supervisors' wallboards."""

    type: Literal["routing_decision"] = "routing_decision"
    task_id: str
    decision: RoutingDecisionName
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
