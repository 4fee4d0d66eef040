"""Validation of collected values: order number, email, phone, date, date and time.

Each validator returns the normalised value (what an agent and the knowledge base
expect) or None when the text is not such a value. `now` and the time zone come from
the caller, so that results are reproducible.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from omnicenter.flows.model import CollectKind
from omnicenter.identity.normalize import InvalidAddress, normalize_phone
from omnicenter.knowledge.text import fold

__all__ = ["validate"]

_ORDER = re.compile(r"^(?:nr\.?\s*|no\.?\s*|#\s*)?([a-z]{0,4}-?\d{3,12})$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_RELATIVE = {
    "dzis": 0,
    "dzisiaj": 0,
    "today": 0,
    "jutro": 1,
    "tomorrow": 1,
    "pojutrze": 2,
}
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})$|(\d{1,2})$")


def _date(text: str, today: date) -> date | None:
    folded = fold(text).strip()
    if folded in _RELATIVE:
        return today + timedelta(days=_RELATIVE[folded])
    try:
        return date.fromisoformat(folded)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2,4}))?", folded)
    if match is None:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else today.year
    if year < 100:
        year += 2000
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if match.group(3) is None and value < today:  # "05.01" in December means next January
        value = date(year + 1, month, day)
    return value


def _datetime(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """ "jutro 15:00", "2025-03-21 15:30", "21.03 9" -> an aware UTC datetime."""
    local_now = now.astimezone(tz)
    parts = text.strip().rsplit(" ", 1)
    if len(parts) != 2:
        return None
    day = _date(parts[0], local_now.date())
    clock = _TIME.fullmatch(parts[1].strip().lower().removesuffix("h"))
    if day is None or clock is None:
        return None
    hour = int(clock.group(1) or clock.group(3))
    minute = int(clock.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    value = datetime.combine(day, time(hour, minute), tzinfo=tz)
    return value if value > local_now else None


def validate(
    kind: CollectKind,
    text: str,
    *,
    now: datetime,
    timezone: str = "Europe/Warsaw",
    pattern: str | None = None,
    region: str = "PL",
) -> str | None:
    value = text.strip()
    if not value:
        return None
    if pattern is not None and re.fullmatch(pattern, value) is None:
        return None
    match kind:
        case CollectKind.ORDER_NUMBER:
            found = _ORDER.match(value.replace(" ", "") if len(value) < 24 else value)
            return found.group(1).upper() if found else None
        case CollectKind.EMAIL:
            return value.lower() if _EMAIL.match(value) else None
        case CollectKind.PHONE:
            try:  # a number to call back on: it must exist, not only look possible
                return normalize_phone(value, region, strict=True)
            except InvalidAddress:
                return None
        case CollectKind.DATE:
            day = _date(value, now.astimezone(ZoneInfo(timezone)).date())
            return day.isoformat() if day else None
        case CollectKind.DATETIME:
            moment = _datetime(value, now, ZoneInfo(timezone))
            return moment.astimezone(ZoneInfo("UTC")).isoformat() if moment else None
        case CollectKind.NUMBER:
            return value.replace(",", ".") if _NUMBER.match(value) else None
        case CollectKind.TEXT:
            return value
