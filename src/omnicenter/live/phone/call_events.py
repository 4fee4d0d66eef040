"""What the endpoint reports of a call, as the timeline shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from omnicenter.channels.voice import CallEvent, CallEventKind
from omnicenter.domain import EventKind

__all__ = ["TimelineEntry", "timeline_entry"]

# Timeline kinds for call events: existing EventKind values; `meta["call"]` names the event.
_KINDS: dict[CallEventKind, EventKind] = {
    CallEventKind.IVR_CHOICE: EventKind.BOT_STEP,
    CallEventKind.HOLD: EventKind.HOLD,
    CallEventKind.RESUME: EventKind.HOLD,
    CallEventKind.TRANSFERRED: EventKind.TRANSFER,
}

_BODIES = {
    CallEventKind.STARTED: "call started",
    CallEventKind.QUEUED: "call queued",
    CallEventKind.RINGING: "agent phone ringing",
    CallEventKind.NO_ANSWER: "agent did not answer",
    CallEventKind.CONNECTED: "call connected to an agent",
    CallEventKind.HOLD: "call on hold",
    CallEventKind.RESUME: "call resumed",
    CallEventKind.TRANSFERRED: "call transferred",
    CallEventKind.CONSULT: "agent consulting another agent",
    CallEventKind.CONSULT_ENDED: "consultation ended",
    CallEventKind.RECORDING: "call recorded",
    CallEventKind.CALLBACK_REQUESTED: "callback promised",
    CallEventKind.ABANDONED: "caller hung up while waiting",
    CallEventKind.ENDED: "call ended",
}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    kind: EventKind
    body: str
    meta: dict[str, Any]


def timeline_entry(event: CallEvent) -> TimelineEntry:
    """The event's kind, sentence and JSON-safe facts (`meta.call` names the call event)."""
    data = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in event.data.items()}
    meta: dict[str, Any] = {"call": event.kind.value, "call_id": event.call_id, **data}
    if event.agent_id:
        meta["agent_id"] = event.agent_id
    return TimelineEntry(_KINDS.get(event.kind, EventKind.STATUS), _body(event), meta)


def _body(event: CallEvent) -> str:
    if event.kind is CallEventKind.IVR_CHOICE:
        path = " ".join(str(p) for p in event.data.get("path", ()))
        target = event.data.get("target")
        return f"IVR {path}: {event.data.get('action')}{f' {target}' if target else ''}"
    return _BODIES.get(event.kind, event.kind.value)
