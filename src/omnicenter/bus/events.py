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
    "TimelineEventAdded",
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


BusEvent = Annotated[
    TimelineEventAdded
    | CaseUpdated
    | MessageDelivered
    | AgentPresenceChanged
    | CustomersMerged
    | CustomersUnmerged,
    Field(discriminator="type"),
]

bus_event_adapter: TypeAdapter[BusEvent] = TypeAdapter(BusEvent)
