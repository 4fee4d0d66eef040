"""Money as integer minor units (grosze, cents): exact, fast, and JSON-friendly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["format_money", "minor_to_decimal", "parse_money", "percent_of"]


def parse_money(value: object) -> int:
    """ "129.99", "129,99", 129.99 or 129 (all in major units) -> minor units."""
    if isinstance(value, bool):
        raise ValueError("a price cannot be a boolean")
    text = str(value).strip().replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minor_to_decimal(amount_minor: int | float) -> str:
    """12999 -> "129.99": exact, and read back by `parse_money`."""
    return str((Decimal(int(amount_minor)) / 100).quantize(Decimal("0.01")))


def percent_of(amount_minor: int, percent: float) -> int:
    """`percent` % of an amount, rounded half up to a minor unit."""
    exact = Decimal(amount_minor) * Decimal(str(percent)) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(amount_minor: int, currency: str, lang: str = "en") -> str:
    """Polish style "1 299,99 zł" or English style "PLN 1,299.99"."""
    sign = "-" if amount_minor < 0 else ""
    units, cents = divmod(abs(amount_minor), 100)
    if lang == "pl":
        grouped = f"{units:,}".replace(",", " ")
        symbol = "zł" if currency == "PLN" else currency
        return f"{sign}{grouped},{cents:02d} {symbol}"
    return f"{sign}{currency} {units:,}.{cents:02d}"
