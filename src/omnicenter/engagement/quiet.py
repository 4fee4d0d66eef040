"""Quiet hours in the customer's local time: which zone, and when the window opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_zones

from omnicenter.engagement.model import QuietHours

__all__ = ["customer_zone", "quiet_until"]


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def customer_zone(stored: str | None, phone: str | None, default: str) -> ZoneInfo:
    """A stored zone first, then the phone number's (when the number has exactly one:
    a country with several zones gives no answer), then the default."""
    zone = _zone(stored)
    if zone is not None:
        return zone
    if phone:
        try:
            names = phone_zones.time_zones_for_number(phonenumbers.parse(phone, None))
        except phonenumbers.NumberParseException:
            names = ()
        if len(names) == 1:
            zone = _zone(names[0])
            if zone is not None:
                return zone
    return _zone(default) or ZoneInfo("UTC")


def quiet_until(now: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime | None:
    """When the quiet window open at `now` ends (UTC), or None when it is not quiet."""
    if quiet is None:
        return None
    local = now.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return None
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    # a wall time a DST change skips is normalised by the round trip through UTC
    return end.astimezone(UTC)
