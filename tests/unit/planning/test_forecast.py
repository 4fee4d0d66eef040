from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from omnicenter.planning.accuracy import backtest, mape, wape
from omnicenter.planning.forecast import Event, History, fit, seasonal_naive
from omnicenter.planning.synthetic import WEEKDAY_LEVELS, synthetic_history

START = date(2024, 1, 1)  # a Monday


def test_beats_seasonal_naive_on_seasonal_trending_data() -> None:
    h = synthetic_history(START, 12, growth_per_week=0.03, seed=3)
    report = backtest(h, holdout_weeks=2)
    assert report.beats_naive
    assert report.model.wape < 0.8 * report.naive.wape


def test_recovers_trend_and_weekday_levels() -> None:
    h = synthetic_history(START, 10, daily_contacts=5000, growth_per_week=0.05, seed=1)
    m = fit(h)
    assert m.coef[1] == pytest.approx(math.log(1.05) / 7, rel=0.1)
    ratio = m.daily_total(START + timedelta(days=6)) / m.daily_total(START + timedelta(days=7))
    expected = WEEKDAY_LEVELS[6] / WEEKDAY_LEVELS[0] / 1.05 ** (1 / 7)
    assert ratio == pytest.approx(expected, rel=0.05)
    assert np.allclose(m.profile.sum(axis=1), 1.0)


def test_is_deterministic() -> None:
    h = synthetic_history(START, 6, seed=9)
    a = fit(h).predict(date(2024, 2, 12), 7)
    b = fit(h).predict(date(2024, 2, 12), 7)
    assert np.array_equal(a, b)


def test_holiday_multiplier_is_applied_and_removed_from_fit() -> None:
    xmas = Event("christmas", date(2024, 1, 24), 0.2)
    h = synthetic_history(START, 8, growth_per_week=0.0, events=[xmas], seed=2)
    with_event = fit(h, [xmas])
    without = fit(h)
    day = date(2024, 1, 31)  # same weekday one week later
    # Knowing the holiday keeps the following Wednesday's forecast unbiased.
    assert with_event.daily_total(day) > without.daily_total(day)
    future = Event("christmas", date(2024, 3, 6), 0.2)
    plain = with_event.predict(future.day, 1).sum()
    assert with_event.predict(future.day, 1, [future]).sum() == pytest.approx(0.2 * plain)


def test_peak_multiplier_is_learned_by_name() -> None:
    sale = Event("sale", date(2024, 1, 26))
    truth = Event("sale", sale.day, 3.0)
    h = synthetic_history(START, 8, growth_per_week=0.0, events=[truth], seed=4)
    m = fit(h, [sale])
    assert m.learned["sale"] == pytest.approx(3.0, rel=0.05)
    next_sale = Event("sale", date(2024, 3, 1))
    lifted = m.predict(next_sale.day, 1, [next_sale]).sum()
    assert lifted == pytest.approx(m.learned["sale"] * m.predict(next_sale.day, 1).sum())


def test_seasonal_naive_repeats_last_week_by_weekday() -> None:
    counts = np.arange(10 * 4, dtype=float).reshape(10, 4)
    base = seasonal_naive(History(START, counts), 8)
    assert np.array_equal(base[0], counts[3]) and np.array_equal(base[7], counts[3])


def test_error_measures() -> None:
    actual = np.array([10.0, 0.0, 30.0])
    fc = np.array([12.0, 5.0, 27.0])
    assert mape(actual, fc) == pytest.approx((0.2 + 0.1) / 2)
    assert wape(actual, fc) == pytest.approx(10 / 40)


def test_short_history_is_rejected() -> None:
    with pytest.raises(ValueError):
        History(START, np.ones((3, 96)))
