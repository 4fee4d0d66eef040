"""Frequency caps per customer per channel: the last 24 hours and the last 7 days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from omnicenter.engagement.model import Caps

__all__ = ["cap_refusal"]

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def cap_refusal(sent_at: Iterable[datetime], now: datetime, caps: Caps) -> str | None:
    """None when one more message fits under the caps; else which cap it would break."""
    day = week = 0
    for at in sent_at:
        if now - WEEK < at <= now:
            week += 1
            if now - DAY < at:
                day += 1
    if day >= caps.per_day:
        return f"daily cap reached ({day} of {caps.per_day})"
    if week >= caps.per_week:
        return f"weekly cap reached ({week} of {caps.per_week})"
    return None
