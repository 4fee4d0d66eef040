"""Business hours and holidays of a queue, in the queue's own timezone.

The engine's clock is UTC epoch seconds; only this module converts to local time, and it
answers with the next change so callers cache the answer until then instead of converting
on every task.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from omnicenter.routing.errors import ConfigError

__all__ = ["WEEKDAYS", "BusinessHours", "parse_hours"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_LOOKAHEAD_DAYS = 400  # a queue closed for more than a year is treated as closed "forever"


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Weekly opening spans in minutes since local midnight (end may be 1440), plus holidays."""

    timezone: str
    weekly: tuple[tuple[tuple[int, int], ...], ...]  # 7 entries, Monday first
    holidays: frozenset[date] = frozenset()

    def _spans(self, day: date) -> tuple[tuple[int, int], ...]:
        return () if day in self.holidays else self.weekly[day.weekday()]

    def is_open(self, now: float) -> bool:
        local = datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute + local.second / 60
        return any(a <= minute < b for a, b in self._spans(local.date()))

    def next_change(self, now: float) -> float:
        """The first instant after `now` at which `is_open` flips (inf if it never does)."""
        tz = ZoneInfo(self.timezone)
        is_open = self.is_open(now)
        day = datetime.fromtimestamp(now, tz).date()
        for offset in range(_LOOKAHEAD_DAYS):
            current = day + timedelta(days=offset)
            for start, end in _merged(self._spans(current)):
                for minute in (start, end):
                    at = _at(current, minute, tz)
                    if at > now and self.is_open(at) != is_open:
                        return at
        return float("inf")

    def describe(self, now: float) -> str:
        local = datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        state = "open" if self.is_open(now) else "closed"
        holiday = " (holiday)" if local.date() in self.holidays else ""
        return f"{state} at {local:%a %H:%M} {self.timezone}{holiday}"


def _merged(spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _at(day: date, minute: int, tz: ZoneInfo) -> float:
    if minute >= 1440:
        return datetime.combine(day + timedelta(days=1), time(0), tz).timestamp()
    return datetime.combine(day, time(minute // 60, minute % 60), tz).timestamp()


def _parse_span(text: object, path: str) -> tuple[int, int]:
    match = _SPAN_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ConfigError(path, f"expected 'HH:MM-HH:MM', got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or end > 1440 or end <= start:
        raise ConfigError(path, f"bad span {text!r}: start must be before end, end at most 24:00")
    return start, end


def parse_hours(raw: object, path: str) -> BusinessHours:
    """`{timezone = "Europe/Warsaw", mon = "08:00-18:00", sat = ["09:00-12:00"], holidays = [...]}`.

    Days not named are closed; `weekdays` sets Monday to Friday at once.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(path, "expected a table")
    known = {"timezone", "holidays", "weekdays", *WEEKDAYS}
    for key in raw:
        if key not in known:
            raise ConfigError(f"{path}.{key}", f"unknown key; expected one of {sorted(known)}")
    tz_name = raw.get("timezone", "UTC")
    try:
        ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{path}.timezone", f"unknown timezone {tz_name!r}") from exc
    weekly: list[tuple[tuple[int, int], ...]] = []
    for i, day in enumerate(WEEKDAYS):
        value = raw.get(day, raw.get("weekdays") if i < 5 else None)
        key = day if day in raw else "weekdays"
        if value is None:
            weekly.append(())
            continue
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ConfigError(f"{path}.{key}", "expected a span or a list of spans")
        weekly.append(tuple(_parse_span(s, f"{path}.{key}") for s in items))
    holidays: set[date] = set()
    raw_holidays = raw.get("holidays", [])
    if not isinstance(raw_holidays, list):
        raise ConfigError(f"{path}.holidays", "expected a list of dates")
    for i, item in enumerate(raw_holidays):
        try:
            holidays.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError as exc:
            raise ConfigError(f"{path}.holidays[{i}]", f"bad date {item!r} (YYYY-MM-DD)") from exc
    return BusinessHours(str(tz_name), tuple(weekly), frozenset(holidays))
