"""Contacts per interval from history: trend × weekday level × intraday profile × events.

The model is multiplicative and fitted in two steps, numpy only and deterministic:

1. Daily totals: least squares of log(total) on [1, day number, weekday dummies], so the
   trend is a growth rate and each weekday has its own level.
2. Intraday profile: for each weekday, the share of the day's contacts in each interval,
   averaged over the weeks with recent weeks weighted more (exponential half-life).

Holidays and known peaks (a sale) are `Event`s: a day with a multiplier. Past event days
are divided by their multiplier before fitting; an event given without a multiplier has it
estimated from history (actual over fitted on its past days, by name) and reused for its
future days, so "Black Friday" learned last year lifts this year's forecast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from omnicenter.planning.erlang import FloatArray

__all__ = ["Event", "ForecastModel", "History", "fit", "seasonal_naive"]


@dataclass(frozen=True, slots=True)
class History:
    """Contacts of one channel: `counts[d, i]` is interval i of day `start + d` (UTC days)."""

    start: date
    counts: FloatArray

    def __post_init__(self) -> None:
        if self.counts.ndim != 2 or self.counts.shape[0] < 7:
            raise ValueError("history needs a (days, intervals) array of at least one week")

    @property
    def days(self) -> int:
        return int(self.counts.shape[0])

    @property
    def intervals_per_day(self) -> int:
        return int(self.counts.shape[1])

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=d) for d in range(self.days)]

    def split(self, holdout_days: int) -> tuple[History, History]:
        """(training, held out): the last `holdout_days` days are held out."""
        cut = self.days - holdout_days
        return (
            History(self.start, self.counts[:cut]),
            History(self.start + timedelta(days=cut), self.counts[cut:]),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """A holiday (multiplier < 1) or a known peak (> 1) on one day; None: learn it."""

    name: str
    day: date
    multiplier: float | None = None


@dataclass(frozen=True, slots=True)
class ForecastModel:
    origin: date  # day number 0 of the trend
    intervals_per_day: int
    coef: FloatArray  # [intercept, slope per day, weekday 1..6 offsets] in log space
    profile: FloatArray  # (7, intervals_per_day), each row sums to 1
    learned: dict[str, float] = field(default_factory=dict)

    def daily_total(self, day: date) -> float:
        t = (day - self.origin).days
        x = np.zeros(8)
        x[0], x[1] = 1.0, t
        if day.weekday() > 0:
            x[1 + day.weekday()] = 1.0
        return float(np.exp(x @ self.coef))

    def predict(self, start: date, days: int, events: Iterable[Event] = ()) -> FloatArray:
        """Expected contacts, shaped (days, intervals_per_day)."""
        mult = _multipliers(events, self.learned)
        out = np.empty((days, self.intervals_per_day))
        for d in range(days):
            day = start + timedelta(days=d)
            out[d] = self.daily_total(day) * mult.get(day, 1.0) * self.profile[day.weekday()]
        return out


def _multipliers(events: Iterable[Event], learned: dict[str, float]) -> dict[date, float]:
    out: dict[date, float] = {}
    for e in events:
        m = e.multiplier if e.multiplier is not None else learned.get(e.name, 1.0)
        out[e.day] = out.get(e.day, 1.0) * m
    return out


def fit(
    history: History, events: Sequence[Event] = (), half_life_weeks: float = 4.0
) -> ForecastModel:
    """Fit the model; days of events without a multiplier are left out and then learned."""
    days = history.dates()
    known = _multipliers([e for e in events if e.multiplier is not None], {})
    unknown = {e.day for e in events if e.multiplier is None}
    counts = history.counts / np.array([known.get(d, 1.0) for d in days])[:, None]
    totals = counts.sum(axis=1)
    use = np.array([d not in unknown for d in days]) & (totals > 0)
    t = np.arange(history.days, dtype=np.float64)
    wd = np.array([d.weekday() for d in days])
    x = np.zeros((history.days, 8))
    x[:, 0], x[:, 1] = 1.0, t
    later = wd > 0  # Monday is the base level: no dummy column
    x[np.flatnonzero(later), 1 + wd[later]] = 1.0
    coef, *_ = np.linalg.lstsq(x[use], np.log(totals[use]), rcond=None)
    weights = 0.5 ** ((t.max() - t) / (7.0 * half_life_weeks))
    profile = np.empty((7, history.intervals_per_day))
    for w in range(7):
        rows = use & (wd == w)
        if not rows.any():
            profile[w] = 1.0 / history.intervals_per_day
            continue
        shares = counts[rows] / totals[rows, None]
        profile[w] = np.average(shares, axis=0, weights=weights[rows])
    model = ForecastModel(days[0], history.intervals_per_day, coef, profile)
    learned: dict[str, list[float]] = {}
    for e in events:
        if e.multiplier is None and history.start <= e.day < history.start + timedelta(
            history.days
        ):
            actual = float(history.counts[(e.day - history.start).days].sum())
            learned.setdefault(e.name, []).append(actual / model.daily_total(e.day))
    model.learned.update({k: float(np.mean(v)) for k, v in learned.items()})
    return model


def seasonal_naive(history: History, days: int) -> FloatArray:
    """The baseline to beat: each day repeats the same weekday of the last observed week."""
    last_week = history.counts[-7:]
    reps = -(-days // 7)
    # Align weekdays: the day after history ends has the weekday of history.counts[-7].
    return np.tile(last_week, (reps, 1))[:days]
