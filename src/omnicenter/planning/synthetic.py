"""Synthetic contact histories with known structure: for tests, benchmarks and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from omnicenter.planning.erlang import FloatArray
from omnicenter.planning.forecast import Event, History

__all__ = ["WEEKDAY_LEVELS", "intraday_shape", "synthetic_history"]

WEEKDAY_LEVELS = (1.15, 1.05, 1.0, 1.0, 0.95, 0.55, 0.35)  # Monday .. Sunday


def intraday_shape(intervals_per_day: int = 96) -> FloatArray:
    """Relative volume through a UTC day: closed-ish at night, peaks late morning and afternoon."""
    h = (np.arange(intervals_per_day) + 0.5) * 24.0 / intervals_per_day
    s = np.exp(-((h - 10.5) ** 2) / 6.0) + 0.75 * np.exp(-((h - 15.5) ** 2) / 5.0) + 0.02
    out: FloatArray = s / s.sum()
    return out


def synthetic_history(
    start: date,
    weeks: int,
    daily_contacts: float = 2000.0,
    growth_per_week: float = 0.02,
    intervals_per_day: int = 96,
    events: Sequence[Event] = (),
    seed: int = 0,
) -> History:
    """Poisson counts around trend × weekday level × intraday shape × event multipliers."""
    rng = np.random.default_rng(seed)
    shape = intraday_shape(intervals_per_day)
    mult = {e.day: (e.multiplier if e.multiplier is not None else 1.0) for e in events}
    days = 7 * weeks
    mean = np.empty((days, intervals_per_day))
    for d in range(days):
        day = start + timedelta(days=d)
        level = daily_contacts * (1.0 + growth_per_week) ** (d / 7.0)
        mean[d] = level * WEEKDAY_LEVELS[day.weekday()] * mult.get(day, 1.0) * shape
    return History(start, rng.poisson(mean).astype(np.float64))
