"""Entities of the contact center, as frozen values.

Services load them from the store, decide, and write new values back; nothing here talks
to a database or a network.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omnicenter.domain.channels import Channel

__all__ = [
    "OPEN_CASE_STATUSES",
    "Agent",
    "AgentRole",
    "AuthorType",
    "Case",
    "CaseStatus",
    "Customer",
    "EventKind",
    "Identity",
    "Interaction",
    "InteractionStatus",
    "Presence",
    "Priority",
    "TimelineEvent",
]


class AgentRole(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    PARTNER = "partner"  # outsourced team member: same work, less customer data


class Presence(enum.StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    AWAY = "away"
    OFFLINE = "offline"


class CaseStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting for the customer
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """Not yet settled: new, open, or pending (waiting for the customer)."""
        return self not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)

    @property
    def awaits_agent(self) -> bool:
        """Open and with the contact center's move to make: a pending case waits for the
        customer, so routing does not queue its work."""
        return self.is_open and self is not CaseStatus.PENDING


# The statuses `CaseStatus.is_open` accepts, for queries that filter on the stored value.
OPEN_CASE_STATUSES: tuple[CaseStatus, ...] = tuple(s for s in CaseStatus if s.is_open)


class InteractionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Priority(enum.IntEnum):
    LOW = 1
    NORMAL = 2
    HIGH = 3
    URGENT = 4


class AuthorType(enum.StrEnum):
    """Who wrote a timeline event."""

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"  # what the platform did by itself: routing facts, call events


class EventKind(enum.StrEnum):
    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"
    NOTE = "note"
    STATUS = "status"
    TRANSFER = "transfer"
    HOLD = "hold"
    BOT_STEP = "bot_step"
    WRAP_UP = "wrap_up"
    FORM = "form"
    MERGE = "merge"
    ROUTING = "routing"  # queued, offered, assigned, abandoned, overflowed: what the ACD did


@dataclass(frozen=True, slots=True)
class Identity:
    """One address of a customer on one channel kind, e.g. `phone:+48601234567`."""

    kind: str
    address: str
    customer_id: str
    verified: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.address}"


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    display_name: str | None
    created_at: datetime
    segment: str = "standard"
    value: float = 0.0
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    customer_id: str
    subject: str
    status: CaseStatus
    priority: Priority
    origin: Channel
    created_at: datetime
    updated_at: datetime
    owner_agent_id: str | None = None
    sla_due_at: datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Interaction:
    """One contact on one channel: a chat session, an email thread, an SMS exchange."""

    id: str
    case_id: str
    customer_id: str
    channel: Channel
    address: str  # the customer's address on this channel
    status: InteractionStatus
    created_at: datetime
    updated_at: datetime
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    id: str
    customer_id: str
    case_id: str | None
    interaction_id: str | None
    kind: EventKind
    channel: Channel | None
    body: str
    created_at: datetime
    author_type: AuthorType = AuthorType.CUSTOMER
    author_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Agent:
    """A person who handles work. Skills map a name to a level 1..5; capacity is per channel."""

    id: str
    username: str
    display_name: str
    role: AgentRole
    team: str = "default"
    partner: bool = False
    skills: dict[str, int] = field(default_factory=dict)
    channels: tuple[Channel, ...] = (Channel.WEBCHAT, Channel.EMAIL, Channel.SMS, Channel.FORM)
    capacity: dict[str, int] = field(default_factory=dict)
    max_total: int = 8
    presence: Presence = Presence.OFFLINE
    presence_reason: str | None = None
