"""What one engine turn produces, independent of any channel.

Renderers (`render.py`) turn these into buttons, numbered lists or speech prompts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omnicenter.flows.state import ConversationState

__all__ = [
    "HANDOVER_VALUE",
    "CallbackRequest",
    "Ended",
    "HandoverRequest",
    "Message",
    "Option",
    "Output",
    "Prompt",
    "Turn",
    "VerificationRequest",
]

HANDOVER_VALUE = "__handover__"  # the value of the "talk to a person" button / option 0


@dataclass(frozen=True, slots=True)
class Message:
    """Something the bot says. `facts` are the knowledge facts behind it, with sources."""

    text: str
    facts: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Option:
    number: int  # 1-based: the digit on the phone and the number in SMS and email
    value: str  # what a button sends back
    label: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """The bot waits for input: a choice among `options`, or a value of `expects`."""

    text: str
    step: str
    expects: str  # "choice", "text", or a collect kind such as "order_number"
    options: tuple[Option, ...] = ()
    handover_label: str = ""
    retry: bool = False  # repeated after input that was not understood


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """The customer asked to be called back; the service schedules it as a promise."""

    phone: str
    at: datetime | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class HandoverRequest:
    """Everything an agent needs so that they never ask again what the bot asked.

    `reason`: "requested" (the customer asked), "failures" (not understood twice),
    "low_confidence" (the best guess was too unsure), or "flow" (a handover step).
    """

    reason: str
    queue: str
    skills: tuple[str, ...]
    priority: str
    intent: str | None
    confidence: float | None
    fields: dict[str, str]
    transcript: tuple[tuple[str, str], ...]
    facts: tuple[dict[str, Any], ...]
    flow_id: str
    flow_version: int
    step: str | None
    channel: str
    customer_id: str | None
    lang: str
    text: str = ""

    def to_context(self) -> dict[str, Any]:
        """A JSON-able summary for the routing task and the agent desktop."""
        return {
            "reason": self.reason,
            "queue": self.queue,
            "skills": list(self.skills),
            "priority": self.priority,
            "intent": self.intent,
            "confidence": self.confidence,
            "fields": dict(self.fields),
            "transcript": [{"role": r, "text": t} for r, t in self.transcript],
            "facts": list(self.facts),
            "flow": {"id": self.flow_id, "version": self.flow_version, "step": self.step},
            "channel": self.channel,
            "customer_id": self.customer_id,
            "lang": self.lang,
        }


@dataclass(frozen=True, slots=True)
class VerificationRequest:
    """Send `code` to `address` (an email or a phone on the order), not to the
    conversation: the customer proves the order is theirs by typing it back. The service
    sends it on its own channel (email, or SMS for a phone); it is never shown in the
    conversation, on the timeline or to an agent."""

    kind: str  # "email" or "phone"
    address: str
    masked: str
    code: str
    lang: str
    text: str  # the message to send, code included


@dataclass(frozen=True, slots=True)
class Ended:
    text: str = ""


Output = Message | Prompt | CallbackRequest | HandoverRequest | VerificationRequest | Ended


@dataclass(frozen=True, slots=True)
class Turn:
    state: ConversationState
    outputs: tuple[Output, ...] = field(default_factory=tuple)

    @property
    def handover(self) -> HandoverRequest | None:
        return next((o for o in self.outputs if isinstance(o, HandoverRequest)), None)

    @property
    def verification(self) -> VerificationRequest | None:
        return next((o for o in self.outputs if isinstance(o, VerificationRequest)), None)

    @property
    def prompt(self) -> Prompt | None:
        return next((o for o in self.outputs if isinstance(o, Prompt)), None)

    @property
    def ended(self) -> bool:
        return any(isinstance(o, Ended) for o in self.outputs)

    @property
    def text(self) -> str:
        """All text of the turn, for logs and tests."""
        parts = [o.text for o in self.outputs if isinstance(o, Message | Prompt | Ended) and o.text]
        return "\n".join(parts)
