"""Conversation state: everything the engine needs to continue, as JSON-able values.

The engine is a pure function of (flow version, state, input); the service stores
`state.to_json()` between turns, wherever it likes, and may resume on any node.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["ConversationState", "Status"]


class Status(enum.StrEnum):
    ACTIVE = "active"  # waiting for the customer at `step`
    HANDOVER = "handover"  # handed to a person; the bot no longer answers
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class ConversationState:
    conversation_id: str
    flow_id: str
    flow_version: int  # pinned at start: a newer flow version never changes this conversation
    channel: str
    lang: str
    customer_id: str | None = None
    lang_locked: bool = False  # the channel told us the language; do not guess it
    status: Status = Status.ACTIVE
    step: str | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # collected values and case fields
    intent: str | None = None
    confidence: float | None = None
    failures: int = 0
    low_confidence: bool = False  # the last failure was a guess below min_confidence
    transcript: tuple[tuple[str, str], ...] = ()  # (role, text): customer | bot
    facts: tuple[dict[str, Any], ...] = ()  # facts told: key, value, sources
    turn: int = 0
    # Who is asking, as the channel proved it (`kind:address`, see `knowledge.asker`), and
    # the identities a one-time code proved in this conversation.
    identities: tuple[str, ...] = ()
    verified: tuple[str, ...] = ()
    # Fields collected before this conversation (on the case, on another channel): a step
    # that would ask for one takes it instead, once.
    known: dict[str, str] = field(default_factory=dict)
    # A one-time code is awaited: step (the lookup to run again), kind, address, masked,
    # issued_at (ISO), attempts. Never the code itself.
    verify: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "flow_id": self.flow_id,
            "flow_version": self.flow_version,
            "channel": self.channel,
            "lang": self.lang,
            "customer_id": self.customer_id,
            "lang_locked": self.lang_locked,
            "status": self.status.value,
            "step": self.step,
            "vars": self.vars,
            "fields": self.fields,
            "intent": self.intent,
            "confidence": self.confidence,
            "failures": self.failures,
            "low_confidence": self.low_confidence,
            "transcript": [list(line) for line in self.transcript],
            "facts": list(self.facts),
            "turn": self.turn,
            "identities": list(self.identities),
            "verified": list(self.verified),
            "known": dict(self.known),
            "verify": dict(self.verify) if self.verify is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationState:
        return cls(
            conversation_id=data["conversation_id"],
            flow_id=data["flow_id"],
            flow_version=int(data["flow_version"]),
            channel=data["channel"],
            lang=data["lang"],
            customer_id=data.get("customer_id"),
            lang_locked=bool(data.get("lang_locked", False)),
            status=Status(data.get("status", "active")),
            step=data.get("step"),
            vars=dict(data.get("vars", {})),
            fields=dict(data.get("fields", {})),
            intent=data.get("intent"),
            confidence=data.get("confidence"),
            failures=int(data.get("failures", 0)),
            low_confidence=bool(data.get("low_confidence", False)),
            transcript=tuple((str(r), str(t)) for r, t in data.get("transcript", [])),
            facts=tuple(data.get("facts", [])),
            turn=int(data.get("turn", 0)),
            identities=tuple(str(i) for i in data.get("identities", [])),
            verified=tuple(str(i) for i in data.get("verified", [])),
            known={str(k): str(v) for k, v in (data.get("known") or {}).items()},
            verify=dict(data["verify"]) if data.get("verify") else None,
        )

    def evolve(self, **changes: Any) -> ConversationState:
        return replace(self, **changes)
