"""The domain core: entities and value objects shared by every part of omnicenter.

Plain Python over frozen dataclasses: no I/O, no framework imports.
"""

from omnicenter.domain.channels import Channel, ChannelManifest, SecurityLevel
from omnicenter.domain.ids import new_id
from omnicenter.domain.messages import Attachment, InboundEvent, OutboundMessage
from omnicenter.domain.model import (
    Agent,
    AgentRole,
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
    "Case",
    "CaseStatus",
    "Channel",
    "ChannelManifest",
    "Customer",
    "EventKind",
    "Identity",
    "InboundEvent",
    "Interaction",
    "InteractionStatus",
    "OutboundMessage",
    "Presence",
    "Priority",
    "SecurityLevel",
    "TimelineEvent",
    "new_id",
]
