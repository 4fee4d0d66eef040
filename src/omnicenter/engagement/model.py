"""Engagement rules and business events as plain values (see docs/engagement.md)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from omnicenter.domain import Channel, SecurityLevel
from omnicenter.engagement.expr import Expression

__all__ = [
    "BusinessEvent",
    "Caps",
    "Conversion",
    "CustomerRef",
    "FactLookup",
    "Purpose",
    "QuietHours",
    "Rule",
    "RuleSet",
    "RuleSettings",
    "Template",
]


class Purpose(enum.StrEnum):
    """Why a message is sent; consent is given per channel and purpose."""

    SERVICE = "service"  # about something the customer has: an order, an appointment
    MARKETING = "marketing"  # an offer: never without opt-in
    SURVEYS = "surveys"


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """Who a business event is about: our id, or addresses the shop knows."""

    customer_id: str | None = None
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    timezone: str | None = None  # IANA name, when the shop knows it
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class BusinessEvent:
    """Something that happened at the shop or bank (order delayed, payment made, ...)."""

    id: str  # the sender's id: the same id twice is one event
    type: str
    occurred_at: datetime
    customer: CustomerRef
    fields: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Template:
    body: str
    subject: str | None = None  # email only


@dataclass(frozen=True, slots=True)
class FactLookup:
    """A fact from knowledge a template quotes: `name` is how the template calls it."""

    name: str
    kind: str  # order | return_policy | price
    args: Mapping[str, str]  # argument -> dotted path into the event (or a literal)


@dataclass(frozen=True, slots=True)
class Conversion:
    """A business event that counts as the rule's success when it follows within `within`."""

    event_type: str
    within: timedelta


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    trigger: str  # business event type
    purpose: Purpose
    channels: tuple[Channel, ...]  # preference order
    templates: Mapping[tuple[str, str], Template]  # (lang, channel value or "default")
    condition: Expression | None = None
    delay: timedelta = timedelta(0)
    priority: int = 0
    holdout: float = 0.0  # share of eligible customers who are deliberately not sent
    min_security: SecurityLevel = SecurityLevel.PUBLIC
    caps_exempt: bool = False  # only a service rule may say so
    expires_after: timedelta = timedelta(hours=48)
    once_within: timedelta | None = None  # audience limit: once per customer in this time
    facts: tuple[FactLookup, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)  # constants, e.g. a discount code
    conversion: Conversion | None = None
    line: int = 0  # where it starts in its file

    def template_for(self, channel: Channel, lang: str, default_lang: str) -> Template | None:
        for key in ((lang, channel.value), (lang, "default")):
            if key in self.templates:
                return self.templates[key]
        if lang != default_lang:
            return self.template_for(channel, default_lang, default_lang)
        return None


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local times between which nothing is sent; `start > end` wraps over midnight."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True, slots=True)
class Caps:
    """Proactive messages per customer per channel, over the last day and the last week."""

    per_day: int = 2
    per_week: int = 5


@dataclass(frozen=True, slots=True)
class RuleSettings:
    quiet_hours: QuietHours | None = QuietHours(time(21, 0), time(8, 0))
    caps: Caps = Caps()
    # purposes sent on a legal basis without an opt-in (unless the customer withdrew);
    # marketing can never be one of them
    legal_basis: frozenset[Purpose] = frozenset({Purpose.SERVICE})
    default_lang: str = "pl"
    default_timezone: str = "Europe/Warsaw"


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: int = 0
    settings: RuleSettings = RuleSettings()
    rules: tuple[Rule, ...] = ()

    def for_event(self, event_type: str) -> list[Rule]:
        """The rules an event type triggers, highest priority first."""
        hits = [r for r in self.rules if r.trigger == event_type]
        return sorted(hits, key=lambda r: -r.priority)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)
