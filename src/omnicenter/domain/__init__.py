"""The domain core: entities and value objects shared by every part of omnicenter.

Plain Python over frozen dataclasses: no I/O, no framework imports.
"""

from omnicenter.domain.channels import (
    Channel,
    ChannelManifest,
    OverLength,
    RichElement,
    SecurityLevel,
    TooLong,
)
from omnicenter.domain.ids import new_id
from omnicenter.domain.messages import Attachment, DeliveryStatus, InboundEvent, OutboundMessage
from omnicenter.domain.model import (
    Agent,
    AgentRole,
    AuthorType,
    Case,
    CaseStatus,
    Customer,
    EventKind,
    Identity,
    Interaction,
    InteractionStatus,
    Presence,
    Priority,
    TimelineEvent,
)

__all__ = [
    "Agent",
    "AgentRole",
    "Attachment",
    "AuthorType",
    "Case",
    "CaseStatus",
    "Channel",
    "ChannelManifest",
    "Customer",
    "DeliveryStatus",
    "EventKind",
    "Identity",
    "InboundEvent",
    "Interaction",
    "InteractionStatus",
    "OutboundMessage",
    "OverLength",
    "Presence",
    "Priority",
    "RichElement",
    "SecurityLevel",
    "TimelineEvent",
    "TooLong",
    "new_id",
]
