"""The flow language as typed values: a `Flow` is a set of named steps and intents.

Parsed from YAML by `parser.py`; every step remembers the line it was written on, so
that runtime messages and checks can point back at the file.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "STEP_TYPES",
    "Ask",
    "Branch",
    "Callback",
    "Choice",
    "Choose",
    "Collect",
    "CollectKind",
    "Condition",
    "End",
    "Flow",
    "FlowSettings",
    "Handover",
    "Intent",
    "Localized",
    "Lookup",
    "LookupKind",
    "Say",
    "SetFields",
    "Step",
    "When",
    "targets",
]


@dataclass(frozen=True, slots=True)
class Localized:
    """Text in several languages; falls back to English, then to any language given."""

    texts: Mapping[str, str]

    def get(self, lang: str) -> str:
        if lang in self.texts:
            return self.texts[lang]
        if "en" in self.texts:
            return self.texts["en"]
        return next(iter(self.texts.values()), "")

    @classmethod
    def of(cls, text: str) -> Localized:
        return cls({"*": text})


class CollectKind(enum.StrEnum):
    ORDER_NUMBER = "order_number"
    EMAIL = "email"
    DATE = "date"
    DATETIME = "datetime"
    PHONE = "phone"
    TEXT = "text"
    NUMBER = "number"


class LookupKind(enum.StrEnum):
    PRICE = "price"
    STOCK = "stock"
    ORDER_STATUS = "order_status"
    RETURN_POLICY = "return_policy"
    EXCHANGE_POLICY = "exchange_policy"
    COMPLAINT_POLICY = "complaint_policy"
    OPENING_HOURS = "opening_hours"
    FAQ = "faq"
    PRODUCT = "product"


@dataclass(frozen=True, slots=True)
class Intent:
    """A named thing a customer may want, recognised from phrases in any language."""

    name: str
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: Localized
    next: str
    keywords: tuple[str, ...] = ()
    line: int = 0

    def as_intent(self) -> Intent:
        return Intent(self.id, (self.id, *self.label.texts.values(), *self.keywords))


@dataclass(frozen=True, slots=True)
class Condition:
    """`var` compared with `equals` / `not_equals` / `one_of`, or tested by `exists`;
    or `intent` equal to the detected intent."""

    var: str | None = None
    equals: str | None = None
    not_equals: str | None = None
    one_of: tuple[str, ...] | None = None
    exists: bool | None = None
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class When:
    condition: Condition
    next: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Say:
    id: str
    text: Localized
    next: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Ask:
    """Free text. With `routes` the text is classified into an intent that picks the next
    step; `otherwise` takes the text when no intent is confident enough."""

    id: str
    var: str
    text: Localized
    next: str | None
    routes: Mapping[str, str] = field(default_factory=dict)
    otherwise: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Choose:
    id: str
    var: str
    text: Localized
    options: tuple[Choice, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Collect:
    id: str
    kind: CollectKind
    field: str
    text: Localized
    next: str
    error: Localized | None = None
    pattern: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Lookup:
    id: str
    kind: LookupKind
    args: Mapping[str, str]
    var: str
    next: str
    not_found: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class SetFields:
    id: str
    values: Mapping[str, str]
    next: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Branch:
    id: str
    cases: tuple[When, ...]
    otherwise: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Handover:
    id: str
    queue: str
    text: Localized | None = None
    skills: tuple[str, ...] = ()
    priority: str = "normal"
    line: int = 0


@dataclass(frozen=True, slots=True)
class Callback:
    id: str
    phone: str  # a template, usually "{phone}"
    at: str  # a template naming a collected datetime, usually "{callback_at}"
    next: str
    text: Localized | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class End:
    id: str
    text: Localized | None = None
    line: int = 0


Step = Say | Ask | Choose | Collect | Lookup | SetFields | Branch | Handover | Callback | End

STEP_TYPES: dict[str, type[Step]] = {
    "say": Say,
    "ask": Ask,
    "choose": Choose,
    "collect": Collect,
    "lookup": Lookup,
    "set": SetFields,
    "branch": Branch,
    "handover": Handover,
    "callback": Callback,
    "end": End,
}


@dataclass(frozen=True, slots=True)
class FlowSettings:
    max_failures: int = 2
    min_confidence: float = 0.6
    handover_queue: str = "default"
    timezone: str = "Europe/Warsaw"
    escape_words: tuple[str, ...] = ()  # added to the built-in ones


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    version: int
    start: str
    steps: Mapping[str, Step]
    intents: Mapping[str, Intent] = field(default_factory=dict)
    langs: tuple[str, ...] = ("pl", "en")
    default_lang: str = "pl"
    settings: FlowSettings = field(default_factory=FlowSettings)
    texts: Mapping[str, Localized] = field(default_factory=dict)  # overrides of built-in texts
    name: str = ""
    source: str = ""
    start_line: int = 1

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


def targets(step: Step) -> list[tuple[str, int]]:
    """Every step id `step` can continue to, with the line that names it."""
    match step:
        case Say() | Collect() | SetFields() | Callback():
            return [(step.next, step.line)]
        case Ask():
            out = [(t, step.line) for t in step.routes.values()]
            out += [(t, step.line) for t in (step.next, step.otherwise) if t is not None]
            return out
        case Choose():
            return [(c.next, c.line or step.line) for c in step.options]
        case Lookup():
            out = [(step.next, step.line)]
            return out + ([(step.not_found, step.line)] if step.not_found else [])
        case Branch():
            return [(w.next, w.line or step.line) for w in step.cases] + [
                (step.otherwise, step.line)
            ]
        case Handover() | End():
            return []
