"""Questions one may ask knowledge, and the typed facts it answers with.

Every fact names its `sources` (which record, from which import line or shop system, at
which knowledge revision), so an agent can see where an answer came from, and exposes a
`key` and a JSON-able `value` that the answer audit compares across channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from omnicenter.knowledge.asker import Asker
from omnicenter.knowledge.records import OrderStatus, PolicyKind

__all__ = [
    "AppliedDiscount",
    "Fact",
    "FaqFact",
    "FaqQuery",
    "HoursFact",
    "HoursQuery",
    "NotFound",
    "OrderFact",
    "OrderQuery",
    "PolicyFact",
    "PolicyQuery",
    "PriceFact",
    "PriceQuery",
    "ProductFact",
    "ProductQuery",
    "Query",
    "Source",
    "StockFact",
    "StockQuery",
    "VerifyContact",
]


@dataclass(frozen=True, slots=True)
class Source:
    """One record a fact was derived from."""

    kind: str  # record kind: "variants", "rules", ...
    key: str  # the record's key
    origin: str  # "variants.csv:14", "woocommerce:product/799"
    revision: int  # the knowledge revision the answer was computed at

    def describe(self) -> str:
        return f"{self.kind}/{self.key} ({self.origin or 'unknown origin'}, rev {self.revision})"


# ---------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class PriceQuery:
    """Price of one unit of `sku` for `customer_id` at time `at` (None: now)."""

    sku: str
    customer_id: str | None = None
    at: datetime | None = None
    quantity: int = 1
    basket: tuple[str, ...] = ()  # other SKUs in the basket, for bundle rules
    asker: Asker | None = None  # whose loyalty account applies, when not `customer_id`'s


@dataclass(frozen=True, slots=True)
class StockQuery:
    sku: str
    location: str | None = None


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """An order by number; when `email` is given it must match, so a guess reveals nothing.

    With an `asker` (a customer), the order is answered only when it is theirs (`asker.py`);
    otherwise the answer is `NotFound("verification_required")` naming where a one-time
    code can be sent. Without one the reader is the business itself (an agent, the API).
    """

    number: str
    email: str | None = None
    customer_id: str | None = None
    asker: Asker | None = None


@dataclass(frozen=True, slots=True)
class PolicyQuery:
    """A policy; with an order number the deadline date is computed for that order."""

    kind: PolicyKind
    order_number: str | None = None
    at: datetime | None = None
    asker: Asker | None = None  # with an order: only its owner learns its deadline


@dataclass(frozen=True, slots=True)
class HoursQuery:
    at: datetime | None = None
    location: str = "shop"


@dataclass(frozen=True, slots=True)
class FaqQuery:
    text: str
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """Find a product variant by SKU or by words from its name and attributes."""

    text: str


Query = PriceQuery | StockQuery | OrderQuery | PolicyQuery | HoursQuery | FaqQuery | ProductQuery


# ---------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class AppliedDiscount:
    rule_id: str
    label_pl: str
    label_en: str
    amount_minor: int  # how much this rule took off one unit

    def label(self, lang: str) -> str:
        return self.label_pl if lang == "pl" else self.label_en


@dataclass(frozen=True, slots=True)
class PriceFact:
    sku: str
    customer_id: str | None
    currency: str
    list_minor: int
    final_minor: int
    discounts: tuple[AppliedDiscount, ...]
    tier: str | None
    product_name_pl: str
    product_name_en: str
    at: datetime
    valid_until: datetime | None  # the next moment a rule starts or ends for this SKU
    sources: tuple[Source, ...]

    @property
    def key(self) -> str:
        return f"price:{self.sku}:{self.customer_id or '-'}"

    @property
    def value(self) -> dict[str, Any]:
        return {"currency": self.currency, "final_minor": self.final_minor}


@dataclass(frozen=True, slots=True)
class StockFact:
    sku: str
    location: str | None
    available: int
    per_location: tuple[tuple[str, int], ...]
    product_name_pl: str
    product_name_en: str
    sources: tuple[Source, ...]

    @property
    def key(self) -> str:
        return f"stock:{self.sku}:{self.location or '*'}"

    @property
    def value(self) -> dict[str, Any]:
        return {"available": self.available}

    @property
    def in_stock(self) -> bool:
        return self.available > 0


@dataclass(frozen=True, slots=True)
class OrderFact:
    number: str
    status: OrderStatus
    placed_at: datetime
    carrier: str
    tracking: str
    tracking_url: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    total_minor: int
    currency: str
    sources: tuple[Source, ...]

    @property
    def key(self) -> str:
        return f"order:{self.number}"

    @property
    def value(self) -> dict[str, Any]:
        return {"status": self.status.value, "tracking": self.tracking}


@dataclass(frozen=True, slots=True)
class PolicyFact:
    kind: PolicyKind
    days: int
    counted_from: str
    conditions_pl: str
    conditions_en: str
    order_number: str | None
    deadline: date | None  # last day to act for that order, when one was given
    sources: tuple[Source, ...]

    @property
    def key(self) -> str:
        return f"policy:{self.kind.value}:{self.order_number or '-'}"

    @property
    def value(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }

    def conditions(self, lang: str) -> str:
        return self.conditions_pl if lang == "pl" else self.conditions_en


@dataclass(frozen=True, slots=True)
class HoursFact:
    location: str
    is_open: bool
    today_opens: str
    today_closes: str
    timezone: str
    week: tuple[tuple[str, str, str], ...]  # (day, opens, closes); empty opens: closed
    sources: tuple[Source, ...]

    @property
    def key(self) -> str:
        return f"hours:{self.location}"

    @property
    def value(self) -> dict[str, Any]:
        return {"week": [list(day) for day in self.week]}


@dataclass(frozen=True, slots=True)
class FaqFact:
    article_id: str
    question_pl: str
    question_en: str
    answer_pl: str
    answer_en: str
    score: float
    sources: tuple[Source, ...]

    @property
    def key(self) -> str:
        return f"faq:{self.article_id}"

    @property
    def value(self) -> dict[str, Any]:
        return {"article": self.article_id}

    def answer(self, lang: str) -> str:
        return self.answer_pl if lang == "pl" else self.answer_en


@dataclass(frozen=True, slots=True)
class ProductFact:
    sku: str
    product_id: str
    name_pl: str
    name_en: str
    attributes: tuple[tuple[str, str], ...]
    score: float
    sources: tuple[Source, ...]

    @property
    def key(self) -> str:
        return f"product:{self.sku}"

    @property
    def value(self) -> dict[str, Any]:
        return {"sku": self.sku}

    def name(self, lang: str) -> str:
        return self.name_pl if lang == "pl" else self.name_en


Fact = PriceFact | StockFact | OrderFact | PolicyFact | HoursFact | FaqFact | ProductFact


@dataclass(frozen=True, slots=True)
class VerifyContact:
    """Where a one-time code can prove that an order is the asker's: an address on the
    order. `masked` is what the customer may be shown ("a***@example.com")."""

    kind: str  # "email" or "phone"
    address: str
    masked: str


@dataclass(frozen=True, slots=True)
class NotFound:
    """No fact: `reason` is a stable code ("unknown_sku", "verification_failed", ...).

    - "verification_required": the fact exists but is not the asker's; `verify` lists the
      order's contacts a one-time code may go to (empty: only a person can help).
    - "no_variant": the product exists but not as asked (`missing`: the colour or size
      asked for, e.g. "black"); `options` are the variants that do exist.
    """

    query: Query
    reason: str
    verify: tuple[VerifyContact, ...] = ()
    options: tuple[ProductFact, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"missing:{self.reason}"
