"""Voice channel: a SIP/RTP endpoint with IVR, queueing, callbacks and a B2BUA to agents.

Start with `VoiceEndpoint(VoiceSettings(...), service)`; `service` implements
`VoiceService` (the routing engine's adapter) or defaults to `SimpleVoiceService`.
`VoiceChannel` (adapter.py) is the channel adapter: a started call as an `InboundEvent`.
"""

from omnicenter.channels.voice.adapter import VoiceChannel, caller_identity_kind
from omnicenter.channels.voice.calls import CallState, InboundCall
from omnicenter.channels.voice.config import AgentAccount, VoiceSettings
from omnicenter.channels.voice.endpoint import VoiceEndpoint
from omnicenter.channels.voice.legs import CallFailed
from omnicenter.channels.voice.manifest import MANIFEST
from omnicenter.channels.voice.menu import (
    DEMO_MENU,
    MenuDefinition,
    MenuError,
    QueueSettings,
    load_menu,
)
from omnicenter.channels.voice.service import (
    AgentTarget,
    CallEvent,
    CallEventKind,
    CallInfo,
    QueueRequest,
    SimpleVoiceService,
    VoiceControl,
    VoiceService,
    normalise_number,
)

__all__ = [
    "DEMO_MENU",
    "MANIFEST",
    "AgentAccount",
    "AgentTarget",
    "CallEvent",
    "CallEventKind",
    "CallFailed",
    "CallInfo",
    "CallState",
    "InboundCall",
    "MenuDefinition",
    "MenuError",
    "QueueRequest",
    "QueueSettings",
    "SimpleVoiceService",
    "VoiceChannel",
    "VoiceControl",
    "VoiceEndpoint",
    "VoiceService",
    "VoiceSettings",
    "caller_identity_kind",
    "load_menu",
    "normalise_number",
]
