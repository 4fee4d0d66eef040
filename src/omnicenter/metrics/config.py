"""Thresholds that decide how facts are counted (changing them means re-aggregating)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "INTERVAL_S",
    "SERVICE_LEVEL_TARGET",
    "MetricsConfig",
    "day_bounds",
    "interval_start",
    "local_floor",
    "zone",
]

INTERVAL_S = 900  # the base bucket: 15 minutes; hours and days are sums of these
SERVICE_LEVEL_TARGET = 0.8  # the target line of service-level charts (routing's default)


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    short_abandon_s: float = 5.0  # abandons quicker than this are neither offered nor lost
    fcr_window_s: float = 7 * 86400.0  # a repeat contact on the case within it breaks FCR
    satisfied_score: int = 4  # CSAT: share of answers at or above this score (1..5 scale)


def interval_start(at: datetime | float) -> int:
    """Epoch seconds of the 15-minute interval holding `at` (UTC)."""
    ts = at.astimezone(UTC).timestamp() if isinstance(at, datetime) else at
    return int(ts // INTERVAL_S) * INTERVAL_S


# Buckets are 15-minute UTC intervals; every zone's offset is a multiple of 15 minutes, so
# they are also local quarters, and local hours and days are sums of them: the time zone
# is a reading setting, not a counting one (changing it needs no re-aggregation).


def zone(name: str) -> tzinfo:
    """The IANA time zone `name` (e.g. "Europe/Warsaw"), with a clear error when unknown."""
    if name.upper() == "UTC":
        return UTC  # the fast path of the queries
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name like Europe/Warsaw"
        ) from exc


def day_bounds(day: date, tz: tzinfo = UTC) -> tuple[datetime, datetime]:
    """Start and end (UTC) of a local calendar day: 23 or 25 hours on a DST change."""
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def local_floor(ts: int, grain: int, tz: tzinfo) -> int:
    """Epoch seconds of the start of the local hour (grain 3600) or day (86400) holding ts."""
    local = datetime.fromtimestamp(ts, tz)
    if grain >= 86400:
        return int(datetime.combine(local.date(), time(), tz).timestamp())
    # keeps `fold`, so the repeated hour of a DST change stays the right one
    return int(local.replace(minute=0, second=0, microsecond=0).timestamp())
