"""Between the absolute interval grid (UTC) and local days of wall-clock slots.

Customers keep local hours: the morning peak is at 10:00 on the clock in summer and in
winter. A forecast learns its time-of-day profile per slot of the local day, so history is
folded onto local wall-clock slots (`to_local_days`) and the forecast unfolded back onto
the UTC grid (`to_utc_grid`). A day of a DST change has 23 or 25 hours: the slots of the
skipped hour stay empty; the repeated hour's contacts add up in its slots and, on the way
back, its forecast is shared between its two occurrences.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

import numpy as np

from omnicenter.planning.erlang import FloatArray

__all__ = ["to_local_days", "to_utc_grid"]


def _slot(t: datetime, tz: tzinfo, first: date, step: int) -> tuple[int, int]:
    local = t.astimezone(tz)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return (local.date() - first).days, seconds // step


def _grid(first: date, days: int, step: int, tz: tzinfo) -> list[datetime]:
    """UTC starts of every interval of the local days [first, first + days)."""
    start = datetime.combine(first, datetime.min.time(), tz).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=days), datetime.min.time(), tz).astimezone(UTC)
    n = int((end - start).total_seconds()) // step
    return [start + timedelta(seconds=i * step) for i in range(n)]


def to_local_days(series: FloatArray, first: date, days: int, step: int, tz: tzinfo) -> FloatArray:
    """`series[i]` counts the interval starting `i * step` s after local midnight of
    `first` (the absolute grid); the result's `[d, s]` is local slot s of day first + d."""
    per_day = 86400 // step
    out = np.zeros((days, per_day))
    for i, t in enumerate(_grid(first, days, step, tz)):
        if i >= series.size:
            break
        d, s = _slot(t, tz, first, step)
        out[d, s] += series[i]
    return out


def to_utc_grid(
    local: FloatArray, first: date, step: int, tz: tzinfo
) -> tuple[list[datetime], FloatArray]:
    """The UTC interval starts of the local days in `local` (days × slots) and the value
    of each: its slot's, shared between the occurrences of a repeated hour."""
    days = int(local.shape[0])
    grid = _grid(first, days, step, tz)
    slots = [_slot(t, tz, first, step) for t in grid]
    seen = np.zeros(local.shape)
    for d, s in slots:
        seen[d, s] += 1
    values = np.array([local[d, s] / seen[d, s] for d, s in slots])
    return grid, values
