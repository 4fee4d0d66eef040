"""The records knowledge is made of, and the one schema that parses them.

Every record kind has one parser that accepts a flat row (from CSV, where every value is
a string, or from JSON, where values are typed) and one serialiser that writes the same
shape back. Imports, snapshots and connectors all go through these parsers, so a value
is validated the same way whichever door it came in by.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Generic, TypeVar

from omnicenter.knowledge.money import minor_to_decimal, parse_money

__all__ = [
    "KINDS",
    "DiscountKind",
    "DiscountRule",
    "FaqArticle",
    "KindSpec",
    "LoyaltyAccount",
    "LoyaltyTier",
    "OpeningHours",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Policy",
    "PolicyKind",
    "Product",
    "Record",
    "RowError",
    "StockLevel",
    "Variant",
    "normalize_order_number",
    "parse_row",
    "parse_timestamp",
    "to_row",
]

Row = Mapping[str, Any]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RowError(ValueError):
    """A row that cannot become a record; the message is shown to whoever imported it."""


class DiscountKind(enum.StrEnum):
    PERCENT = "percent"  # value % off
    AMOUNT = "amount"  # value (money) off each unit
    FIXED_PRICE = "fixed_price"  # the unit costs value (a sale price)


class OrderStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    REFUNDED = "refunded"
    ON_HOLD = "on_hold"
    FAILED = "failed"


class PolicyKind(enum.StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    COMPLAINT = "complaint"


# ---------------------------------------------------------------- field parsers


def _text(row: Row, name: str, *, required: bool = True, default: str = "") -> str:
    value = row.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowError(f"missing required field '{name}'")
        return default
    if isinstance(value, dict | list):
        raise RowError(f"field '{name}' must be text, not {type(value).__name__}")
    return str(value).strip()


def _int(row: Row, name: str, *, required: bool = True, default: int = 0, minimum: int = 0) -> int:
    raw = row.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise RowError(f"missing required field '{name}'")
        return default
    if isinstance(raw, bool):
        raise RowError(f"field '{name}' must be a whole number, got {raw!r}")
    try:
        value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except ValueError:
        raise RowError(f"field '{name}' must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise RowError(f"field '{name}' must be at least {minimum}, got {value}")
    return value


def _number(row: Row, name: str) -> float:
    raw = row.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()) or isinstance(raw, bool):
        raise RowError(f"missing required field '{name}'")
    try:
        return float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise RowError(f"field '{name}' must be a number, got {raw!r}") from None


def _money(row: Row, name: str, *, required: bool = True) -> int:
    raw = row.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise RowError(f"missing required field '{name}'")
        return 0
    try:
        value = parse_money(raw)
    except ValueError as exc:
        raise RowError(f"field '{name}': {exc}") from None
    if value < 0:
        raise RowError(f"field '{name}' cannot be negative")
    return value


def _bool(row: Row, name: str, default: bool) -> bool:
    raw = row.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "tak", "y", "t"):
        return True
    if text in ("0", "false", "no", "nie", "n", "f"):
        return False
    raise RowError(f"field '{name}' must be true or false, got {raw!r}")


def _list(row: Row, name: str) -> tuple[str, ...]:
    """A JSON list or a `;`-separated CSV cell."""
    raw = row.get(name)
    if raw is None or raw == "":
        return ()
    items = raw if isinstance(raw, list) else str(raw).split(";")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _mapping(row: Row, name: str) -> dict[str, str]:
    """A JSON object or a CSV cell like `color=red;size=M`."""
    raw = row.get(name)
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    out: dict[str, str] = {}
    for part in str(raw).split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise RowError(f"field '{name}' must look like key=value;key=value, got {part!r}")
        out[key.strip()] = value.strip()
    return out


def parse_timestamp(raw: object, name: str = "timestamp") -> datetime:
    """ISO 8601 with a zone, or a bare date meaning midnight UTC; always returned in UTC."""
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            raise RowError(f"field '{name}' needs a time zone")
        return raw.astimezone(UTC)
    text = str(raw).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"field '{name}' is not an ISO 8601 date or time: {text!r}") from None
    if value.tzinfo is None:
        raise RowError(f"field '{name}' needs a time zone (add Z for UTC): {text!r}")
    return value.astimezone(UTC)


def _when(row: Row, name: str) -> datetime | None:
    raw = row.get(name)
    if raw is None or raw == "":
        return None
    return parse_timestamp(raw, name)


_E = TypeVar("_E", bound=enum.Enum)


def _enum(row: Row, name: str, kind: type[_E], default: _E | None = None) -> _E:
    raw = row.get(name)
    if (raw is None or raw == "") and default is not None:
        return default
    text = _text(row, name).lower().replace("-", "_")
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise RowError(f"field '{name}' must be one of {allowed}; got {text!r}") from None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name_pl: str
    name_en: str
    category: str = ""
    description_pl: str = ""
    description_en: str = ""
    origin: str = ""  # where the record came from: "products.csv:12", "woocommerce:#51"

    @property
    def key(self) -> str:
        return self.id

    def name(self, lang: str) -> str:
        return self.name_pl if lang == "pl" else self.name_en


@dataclass(frozen=True, slots=True)
class Variant:
    sku: str
    product_id: str
    price_minor: int
    currency: str = "PLN"
    attributes: dict[str, str] = field(default_factory=dict)
    active: bool = True
    origin: str = ""

    @property
    def key(self) -> str:
        return self.sku


@dataclass(frozen=True, slots=True)
class StockLevel:
    sku: str
    location: str
    quantity: int
    reserved: int = 0
    origin: str = ""

    @property
    def key(self) -> str:
        return f"{self.sku}@{self.location}"

    @property
    def available(self) -> int:
        return max(0, self.quantity - self.reserved)


@dataclass(frozen=True, slots=True)
class DiscountRule:
    """A price rule. It applies to listed SKUs, to listed categories, or to everything.

    `bundle` names SKUs that must all be in the basket too; `tier` restricts the rule to
    loyalty members of that tier or a higher one. Non-stackable rules compete (the best
    one for the customer wins); stackable rules then apply in priority order.
    """

    id: str
    kind: DiscountKind
    value_minor_or_percent: float
    label_pl: str
    label_en: str
    skus: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    bundle: tuple[str, ...] = ()
    tier: str | None = None
    min_quantity: int = 1
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    stackable: bool = False
    priority: int = 100
    origin: str = ""

    @property
    def key(self) -> str:
        return self.id

    def active_at(self, at: datetime) -> bool:
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until

    def label(self, lang: str) -> str:
        return self.label_pl if lang == "pl" else self.label_en


@dataclass(frozen=True, slots=True)
class LoyaltyTier:
    name: str
    min_points: int
    percent: float = 0.0  # the tier's own discount, applied after the best promotion
    label_pl: str = ""
    label_en: str = ""
    origin: str = ""

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class LoyaltyAccount:
    customer_id: str
    points: int
    tier: str | None = None  # an explicit tier overrides the one earned by points
    # Whose account it is, beyond the shop's own id: the account follows the person who
    # writes from this address or number (see `asker.py`).
    email: str = ""
    phone: str = ""
    origin: str = ""

    @property
    def key(self) -> str:
        return self.customer_id


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Order:
    number: str
    status: OrderStatus
    placed_at: datetime
    customer_id: str = ""
    email: str = ""
    phone: str = ""
    lines: tuple[OrderLine, ...] = ()
    total_minor: int = 0
    currency: str = "PLN"
    carrier: str = ""
    tracking: str = ""
    tracking_url: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    origin: str = ""

    @property
    def key(self) -> str:
        return normalize_order_number(self.number)


@dataclass(frozen=True, slots=True)
class Policy:
    kind: PolicyKind
    days: int
    counted_from: str  # "delivery" or "purchase"
    conditions_pl: str
    conditions_en: str
    origin: str = ""

    @property
    def key(self) -> str:
        return self.kind.value

    def conditions(self, lang: str) -> str:
        return self.conditions_pl if lang == "pl" else self.conditions_en


@dataclass(frozen=True, slots=True)
class FaqArticle:
    id: str
    question_pl: str
    question_en: str
    answer_pl: str
    answer_en: str
    keywords: tuple[str, ...] = ()
    origin: str = ""

    @property
    def key(self) -> str:
        return self.id

    def answer(self, lang: str) -> str:
        return self.answer_pl if lang == "pl" else self.answer_en

    def question(self, lang: str) -> str:
        return self.question_pl if lang == "pl" else self.question_en


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Hours of one location on a weekday ("mon") or on one date ("2025-12-24").

    A date entry overrides the weekday; empty `opens` means closed that day.
    """

    location: str
    day: str
    opens: str
    closes: str
    timezone: str = "Europe/Warsaw"
    origin: str = ""

    @property
    def key(self) -> str:
        return f"{self.location}/{self.day}"

    @property
    def closed(self) -> bool:
        return not self.opens


Record = (
    Product
    | Variant
    | StockLevel
    | DiscountRule
    | LoyaltyTier
    | LoyaltyAccount
    | Order
    | Policy
    | FaqArticle
    | OpeningHours
)


def normalize_order_number(number: str) -> str:
    """ "#1042", " wc-1042 " and "WC-1042" are the same order."""
    return number.strip().lstrip("#").upper()


# ---------------------------------------------------------------- row parsers


def parse_product(row: Row) -> Product:
    name_en = _text(row, "name_en", required=False)
    name_pl = _text(row, "name_pl", required=not name_en, default=name_en)
    return Product(
        id=_text(row, "id"),
        name_pl=name_pl,
        name_en=name_en or name_pl,
        category=_text(row, "category", required=False),
        description_pl=_text(row, "description_pl", required=False),
        description_en=_text(row, "description_en", required=False),
    )


def parse_variant(row: Row) -> Variant:
    currency = _text(row, "currency", required=False, default="PLN").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise RowError(f"field 'currency' must be an ISO 4217 code like PLN, got {currency!r}")
    return Variant(
        sku=_text(row, "sku"),
        product_id=_text(row, "product_id"),
        price_minor=_money(row, "price"),
        currency=currency,
        attributes=_mapping(row, "attributes"),
        active=_bool(row, "active", True),
    )


def parse_stock(row: Row) -> StockLevel:
    quantity = _int(row, "quantity")
    reserved = _int(row, "reserved", required=False)
    if reserved > quantity:
        raise RowError(f"field 'reserved' ({reserved}) exceeds 'quantity' ({quantity})")
    return StockLevel(
        sku=_text(row, "sku"), location=_text(row, "location"), quantity=quantity, reserved=reserved
    )


def parse_rule(row: Row) -> DiscountRule:
    kind = _enum(row, "kind", DiscountKind)
    if kind is DiscountKind.PERCENT:
        value = _number(row, "value")
        if not 0 < value <= 100:
            raise RowError(f"a percent discount must be in (0, 100], got {value}")
    else:
        value = float(_money(row, "value"))
    label_en = _text(row, "label_en", required=False)
    label_pl = _text(row, "label_pl", required=not label_en, default=label_en)
    valid_from, valid_until = _when(row, "valid_from"), _when(row, "valid_until")
    if valid_from and valid_until and valid_until <= valid_from:
        raise RowError("'valid_until' must be after 'valid_from'")
    tier = _text(row, "tier", required=False) or None
    return DiscountRule(
        id=_text(row, "id"),
        kind=kind,
        value_minor_or_percent=value,
        label_pl=label_pl,
        label_en=label_en or label_pl,
        skus=_list(row, "skus"),
        categories=_list(row, "categories"),
        bundle=_list(row, "bundle"),
        tier=tier,
        min_quantity=_int(row, "min_quantity", required=False, default=1, minimum=1),
        valid_from=valid_from,
        valid_until=valid_until,
        stackable=_bool(row, "stackable", False),
        priority=_int(row, "priority", required=False, default=100),
    )


def parse_tier(row: Row) -> LoyaltyTier:
    percent = float(row["percent"]) if row.get("percent") not in (None, "") else 0.0
    if not 0 <= percent < 100:
        raise RowError(f"field 'percent' must be in [0, 100), got {percent}")
    name = _text(row, "name")
    return LoyaltyTier(
        name=name,
        min_points=_int(row, "min_points"),
        percent=percent,
        label_pl=_text(row, "label_pl", required=False, default=name),
        label_en=_text(row, "label_en", required=False, default=name),
    )


def parse_account(row: Row) -> LoyaltyAccount:
    return LoyaltyAccount(
        customer_id=_text(row, "customer_id"),
        points=_int(row, "points"),
        tier=_text(row, "tier", required=False) or None,
        email=_text(row, "email", required=False).lower(),
        phone=_text(row, "phone", required=False),
    )


def _order_lines(row: Row) -> tuple[OrderLine, ...]:
    raw = row.get("lines")
    if raw is None or raw == "":
        return ()
    lines: list[OrderLine] = []
    if isinstance(raw, list):
        for item in raw:
            if not isinstance(item, dict):
                raise RowError("field 'lines' must be a list of {sku, quantity}")
            lines.append(OrderLine(_text(item, "sku"), _int(item, "quantity", minimum=1)))
        return tuple(lines)
    for part in str(raw).split(";"):
        sku, _, qty = part.partition(":")
        if not sku.strip():
            continue
        try:
            quantity = int(qty) if qty.strip() else 1
        except ValueError:
            raise RowError(f"field 'lines' must look like SKU:2;SKU:1, got {part!r}") from None
        lines.append(OrderLine(sku.strip(), quantity))
    return tuple(lines)


def parse_order(row: Row) -> Order:
    return Order(
        number=normalize_order_number(_text(row, "number")),
        status=_enum(row, "status", OrderStatus),
        placed_at=parse_timestamp(_text(row, "placed_at"), "placed_at"),
        customer_id=_text(row, "customer_id", required=False),
        email=_text(row, "email", required=False).lower(),
        phone=_text(row, "phone", required=False),
        lines=_order_lines(row),
        total_minor=_money(row, "total", required=False),
        currency=_text(row, "currency", required=False, default="PLN").upper(),
        carrier=_text(row, "carrier", required=False),
        tracking=_text(row, "tracking", required=False),
        tracking_url=_text(row, "tracking_url", required=False),
        shipped_at=_when(row, "shipped_at"),
        delivered_at=_when(row, "delivered_at"),
    )


def parse_policy(row: Row) -> Policy:
    counted_from = _text(row, "counted_from", required=False, default="delivery")
    if counted_from not in ("delivery", "purchase"):
        raise RowError(f"field 'counted_from' must be delivery or purchase, got {counted_from!r}")
    conditions_en = _text(row, "conditions_en", required=False)
    conditions_pl = _text(row, "conditions_pl", required=not conditions_en, default=conditions_en)
    return Policy(
        kind=_enum(row, "kind", PolicyKind),
        days=_int(row, "days"),
        counted_from=counted_from,
        conditions_pl=conditions_pl,
        conditions_en=conditions_en or conditions_pl,
    )


def parse_faq(row: Row) -> FaqArticle:
    q_en, a_en = _text(row, "question_en", required=False), _text(row, "answer_en", required=False)
    q_pl = _text(row, "question_pl", required=not q_en, default=q_en)
    a_pl = _text(row, "answer_pl", required=not a_en, default=a_en)
    return FaqArticle(
        id=_text(row, "id"),
        question_pl=q_pl,
        question_en=q_en or q_pl,
        answer_pl=a_pl,
        answer_en=a_en or a_pl,
        keywords=_list(row, "keywords"),
    )


def _clock(row: Row, name: str) -> str:
    text = _text(row, name, required=False)
    if not text:
        return ""
    try:
        return time.fromisoformat(text).strftime("%H:%M")
    except ValueError:
        raise RowError(f"field '{name}' must be a time like 09:00, got {text!r}") from None


def parse_hours(row: Row) -> OpeningHours:
    day = _text(row, "day").lower()
    if day not in WEEKDAYS:
        try:
            date.fromisoformat(day)
        except ValueError:
            raise RowError(f"field 'day' must be mon..sun or a date, got {day!r}") from None
    opens, closes = _clock(row, "opens"), _clock(row, "closes")
    if bool(opens) != bool(closes):
        raise RowError("give both 'opens' and 'closes', or neither for a closed day")
    if opens and closes <= opens:
        raise RowError("'closes' must be after 'opens'")
    tz = _text(row, "timezone", required=False, default="Europe/Warsaw")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise RowError(f"unknown time zone {tz!r}") from None
    return OpeningHours(
        location=_text(row, "location", required=False, default="shop"),
        day=day,
        opens=opens,
        closes=closes,
        timezone=tz,
    )


# ---------------------------------------------------------------- serialisers


def to_row(record: Record) -> dict[str, Any]:
    """The JSON row a parser reads back into an equal record (origin included)."""
    row: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, datetime):
            value = _iso(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = [dataclasses.asdict(v) if isinstance(v, OrderLine) else v for v in value]
        elif isinstance(value, dict):
            value = dict(value)
        row[f.name] = value
    # Money goes out as an exact decimal string, the same shape a person writes in a CSV.
    if isinstance(record, Variant):
        row["price"] = minor_to_decimal(row.pop("price_minor"))
    elif isinstance(record, DiscountRule):
        value = row.pop("value_minor_or_percent")
        row["value"] = value if record.kind is DiscountKind.PERCENT else minor_to_decimal(value)
    elif isinstance(record, Order):
        row["total"] = minor_to_decimal(row.pop("total_minor"))
    return row


R = TypeVar("R", bound=Record)


@dataclass(frozen=True, slots=True)
class KindSpec(Generic[R]):
    """How one record kind is parsed, and what it must refer to."""

    kind: str
    parse: Callable[[Row], R]


KINDS: dict[str, KindSpec[Any]] = {
    "products": KindSpec("products", parse_product),
    "variants": KindSpec("variants", parse_variant),
    "stock": KindSpec("stock", parse_stock),
    "rules": KindSpec("rules", parse_rule),
    "tiers": KindSpec("tiers", parse_tier),
    "accounts": KindSpec("accounts", parse_account),
    "orders": KindSpec("orders", parse_order),
    "policies": KindSpec("policies", parse_policy),
    "faq": KindSpec("faq", parse_faq),
    "hours": KindSpec("hours", parse_hours),
}


def parse_row(kind: str, row: Row, origin: str) -> Record:
    """Parse one row of `kind`, stamping where it came from."""
    spec = KINDS.get(kind)
    if spec is None:
        raise RowError(f"unknown record kind {kind!r}; known: {', '.join(KINDS)}")
    record: Record = spec.parse(row)
    return dataclasses.replace(record, origin=origin)
