"""Forecast accuracy on held-out weeks, against the seasonal naive baseline.

MAPE = mean over intervals with actual > 0 of |actual - forecast| / actual (intervals with
no contacts have no percentage error and are left out). WAPE = sum |actual - forecast| /
sum actual: the volume-weighted error planners trust, because quiet night intervals do not
dominate it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from omnicenter.planning.erlang import FloatArray
from omnicenter.planning.forecast import Event, History, fit, seasonal_naive

__all__ = ["Accuracy", "Backtest", "backtest", "mape", "wape"]


def mape(actual: FloatArray, forecast: FloatArray) -> float:
    a, f = np.asarray(actual, dtype=np.float64), np.asarray(forecast, dtype=np.float64)
    nz = a > 0
    return float(np.mean(np.abs(a[nz] - f[nz]) / a[nz])) if nz.any() else 0.0


def wape(actual: FloatArray, forecast: FloatArray) -> float:
    a, f = np.asarray(actual, dtype=np.float64), np.asarray(forecast, dtype=np.float64)
    total = a.sum()
    return float(np.abs(a - f).sum() / total) if total > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Accuracy:
    mape: float
    wape: float


@dataclass(frozen=True, slots=True)
class Backtest:
    holdout_weeks: int
    model: Accuracy
    naive: Accuracy
    forecast: FloatArray
    baseline: FloatArray
    actual: FloatArray

    @property
    def beats_naive(self) -> bool:
        return self.model.wape < self.naive.wape and self.model.mape < self.naive.mape


def backtest(history: History, holdout_weeks: int = 2, events: Sequence[Event] = ()) -> Backtest:
    """Fit on all but the last `holdout_weeks` weeks and score both forecasts on them."""
    train, test = history.split(7 * holdout_weeks)
    model = fit(train, events)
    pred = model.predict(test.start, test.days, events)
    base = seasonal_naive(train, test.days)
    return Backtest(
        holdout_weeks,
        Accuracy(mape(test.counts, pred), wape(test.counts, pred)),
        Accuracy(mape(test.counts, base), wape(test.counts, base)),
        pred,
        base,
        test.counts,
    )
