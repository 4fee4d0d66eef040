"""The voice channel adapter: the start of a call as the `InboundEvent` every contact is.

The SIP/RTP endpoint runs the call (endpoint.py, calls.py); this adapter only says, in the
one shape every channel has, that a call began and who is calling. A call carries no text,
so `send` refuses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import SendError
from omnicenter.channels.voice.manifest import MANIFEST
from omnicenter.channels.voice.service import CallEventKind, CallInfo
from omnicenter.domain import Channel, ChannelManifest, InboundEvent, OutboundMessage

__all__ = ["VoiceChannel", "caller_identity_kind"]


def caller_identity_kind(caller: str) -> str:
    """`phone` for a number (the endpoint writes numbers in E.164), `sip` for a SIP user
    (a softphone calling as `alice`): the identity kind the caller is known by."""
    return "phone" if caller.startswith("+") else "sip"


class VoiceChannel:
    """`receive(CallInfo)`: a call that started, inbound (`voice`) or a callback the center
    placed (`callback`); `send` raises `SendError`: talk, or answer on another channel."""

    manifest: ChannelManifest = MANIFEST

    def receive(
        self,
        raw: CallInfo,
        *,
        received_at: datetime,
        callback: bool | None = None,
        case_id: str | None = None,
    ) -> InboundEvent:
        """`callback`: whether the call keeps a callback promise; by default, whether the
        center placed it (`raw.direction == "outbound"`). `case_id`: the case the callback
        was promised on, which the call joins."""
        if callback is None:
            callback = raw.direction == "outbound"
        meta: dict[str, Any] = {
            "call": CallEventKind.STARTED.value,
            "call_id": raw.call_id,
            "direction": raw.direction,
        }
        if case_id is not None:
            meta["case_id"] = case_id
        return InboundEvent(
            channel=Channel.CALLBACK if callback else Channel.VOICE,
            sender=raw.caller,
            sender_name=raw.caller_name,
            sender_kind=caller_identity_kind(raw.caller),
            recipient=raw.called or None,
            subject=f"Call from {raw.caller}",
            body="callback call started" if callback else "call started",
            received_at=received_at,
            idempotency_key=raw.call_id,
            message_ref=raw.sip_call_id,
            meta=meta,
        )

    async def send(self, msg: OutboundMessage) -> Delivery:
        raise SendError("a phone call carries no text messages", temporary=False)
