"""History folded onto local wall-clock slots and forecasts unfolded back, across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import numpy as np

from omnicenter.planning.forecast import History, fit
from omnicenter.planning.local_days import to_local_days, to_utc_grid

WARSAW = ZoneInfo("Europe/Warsaw")
STEP = 900
FIRST = date(2026, 10, 12)  # two weeks before, two weeks after the change of 25 October
DAYS = 28


def absolute_series(first: date, days: int, at: time) -> np.ndarray:
    """One contact a day at local wall time `at`, on the absolute grid from local midnight."""
    start = datetime.combine(first, time(), WARSAW).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=days), time(), WARSAW).astimezone(UTC)
    out = np.zeros(int((end - start).total_seconds()) // STEP)
    for d in range(days):
        local = datetime.combine(first + timedelta(days=d), at, WARSAW)
        out[int((local.astimezone(UTC) - start).total_seconds()) // STEP] += 1
    return out


def test_the_morning_peak_stays_at_ten_on_the_clock_across_the_change() -> None:
    series = absolute_series(FIRST, DAYS, time(10, 0))
    local = to_local_days(series, FIRST, DAYS, STEP, WARSAW)
    assert local.shape == (DAYS, 96) and local.sum() == DAYS
    assert set(np.argmax(local, axis=1)) == {40}  # 10:00 every day
    # the absolute grid cut in 96s drifts an hour after the change: what this replaces
    naive = series[: DAYS * 96].reshape(DAYS, 96)
    assert set(np.argmax(naive, axis=1)) == {40, 44}


def test_the_repeated_hour_adds_up_and_the_skipped_hour_stays_empty() -> None:
    # 25 October: 02:00-03:00 happens twice; every interval of the absolute grid is one
    autumn = to_local_days(np.ones(100), date(2026, 10, 25), 1, STEP, WARSAW)
    assert autumn.sum() == 100 and list(autumn[0, 8:12]) == [2, 2, 2, 2]
    # 28 March 2027: 02:00-03:00 does not exist
    spring = to_local_days(np.ones(92), date(2027, 3, 28), 1, STEP, WARSAW)
    assert spring.sum() == 92 and list(spring[0, 8:12]) == [0, 0, 0, 0]


def test_a_forecast_goes_back_to_every_utc_interval_once() -> None:
    local = np.tile(np.arange(96, dtype=float), (3, 1))  # slot number as the value
    times, values = to_utc_grid(local, date(2026, 10, 24), STEP, WARSAW)
    assert len(times) == 96 + 100 + 96  # the 25-hour day in the middle
    assert all(b - a == timedelta(seconds=STEP) for a, b in pairwise(times))
    for t, v in zip(times, values, strict=True):
        wall = t.astimezone(WARSAW)
        slot = (wall.hour * 3600 + wall.minute * 60) // STEP
        assert v == slot / (2 if wall.date() == date(2026, 10, 25) and wall.hour == 2 else 1)
    assert values.sum() == local.sum()  # the repeated hour's forecast is shared, not doubled
    spring_times, spring = to_utc_grid(local[:1], date(2027, 3, 28), STEP, WARSAW)
    assert len(spring_times) == 92 and spring.sum() == local[0].sum() - sum(range(8, 12))


def test_a_forecast_from_local_days_keeps_local_hours_after_the_change() -> None:
    series = absolute_series(FIRST, DAYS, time(10, 0))
    history = History(FIRST, to_local_days(series, FIRST, DAYS, STEP, WARSAW))
    after = FIRST + timedelta(days=DAYS)
    times, values = to_utc_grid(fit(history).predict(after, 7), after, STEP, WARSAW)
    peaks = [times[i].astimezone(WARSAW).time() for i in np.argsort(values)[-7:]]
    assert set(peaks) == {time(10, 0)}
