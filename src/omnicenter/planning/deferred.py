"""Staffing for deferred work (email, forms): every item done by its deadline.

An item arriving in interval `i` may be worked from that interval on and must be done by
the end of interval `i + d - 1` (`d` = deadline in whole intervals, at least 1): wherever in
interval `i` it arrived, it is then done within its deadline (the simulator's test: waited
no longer than the deadline). The plan spreads each interval's work evenly over the open
intervals of its window `[i, i + d - 1]`, so staffing follows the
arrivals, lagged and smoothed by the deadline, and no capacity is planned where there is
nothing yet to work on. (Cumulative capacity from the start of the horizon is not enough:
an idle night cannot be banked for the next morning's mail.) Windows are cut at the end of
the horizon, so the plan leaves no backlog behind it; an opening backlog is spread over the
open intervals before the first deadline.

`deferred_service_level` plays the plan back as a fluid first-come-first-served queue and
gives, per arrival interval, the share of the work finished by its deadline and its mean
wait: what the plan promises, and what the simulator measures with random arrivals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from omnicenter.planning.erlang import FloatArray, IntArray

__all__ = ["DeferredOutcome", "deferred_agents", "deferred_capacity", "deferred_service_level"]


def _open_mask(n: int, open_mask: np.ndarray | None) -> np.ndarray:
    return np.ones(n, dtype=bool) if open_mask is None else np.asarray(open_mask, dtype=bool)


def deferred_capacity(
    volumes: FloatArray,
    aht: float,
    deadline_intervals: int,
    backlog: float = 0.0,
    open_mask: np.ndarray | None = None,
) -> FloatArray:
    """Work-seconds to plan per interval so that every item is done by its deadline."""
    work = np.asarray(volumes, dtype=np.float64) * aht
    n = work.size
    is_open = _open_mask(n, open_mask)
    w = max(int(deadline_intervals), 1)  # window length, in intervals
    opened = np.concatenate(([0], np.cumsum(is_open)))
    idx = np.arange(n)
    last = np.minimum(idx + w - 1, n - 1)
    slots = opened[last + 1] - opened[idx]  # open intervals in each window
    rate = np.where(slots > 0, work / np.maximum(slots, 1), 0.0)
    # capacity[k] = open[k] * Σ_{i = k-w+1 .. k} rate[i]: a moving sum, by cumulative sums
    acc = np.concatenate(([0.0], np.cumsum(rate)))
    cap = np.where(is_open, acc[idx + 1] - acc[np.maximum(idx - w + 1, 0)], 0.0)
    # A window with no open interval: the work is done in the next open interval, late.
    for i in np.flatnonzero((slots == 0) & (work > 0)):
        later = np.flatnonzero(is_open[i:])
        if later.size:
            cap[i + later[0]] += work[i]
    if backlog > 0:
        first = np.flatnonzero(is_open[:w])
        if first.size == 0:
            first = np.flatnonzero(is_open)[:1]
        if first.size:
            cap[first] += backlog * aht / first.size
    out: FloatArray = cap
    return out


def deferred_agents(
    volumes: FloatArray,
    aht: float,
    deadline_intervals: int,
    interval_seconds: float,
    backlog: float = 0.0,
    max_occupancy: float = 1.0,
    open_mask: np.ndarray | None = None,
) -> IntArray:
    """Agents per interval (zero where closed) that finish every item by its deadline."""
    cap = deferred_capacity(volumes, aht, deadline_intervals, backlog, open_mask)
    out: IntArray = np.ceil(cap / (interval_seconds * max_occupancy) - 1e-9).astype(np.int64)
    return out


@dataclass(frozen=True, slots=True)
class DeferredOutcome:
    """Per arrival interval: share of the work done by its deadline, mean wait (seconds)."""

    on_time: FloatArray
    wait: FloatArray


def deferred_service_level(
    volumes: FloatArray,
    aht: float,
    deadline_intervals: int,
    agents: IntArray,
    interval_seconds: float,
    backlog: float = 0.0,
) -> DeferredOutcome:
    """Play the plan back first come, first served, as a fluid (work in seconds)."""
    work = np.asarray(volumes, dtype=np.float64) * aht
    n = work.size
    w = max(int(deadline_intervals), 1)
    done_on_time = np.zeros(n)
    waited = np.zeros(n)  # Σ work-seconds × wait, per arrival interval
    queue: list[list[float]] = [[-1.0, backlog * aht]] if backlog > 0 else []
    for k in range(n):
        if work[k] > 0:
            queue.append([float(k), float(work[k])])
        cap = float(agents[k]) * interval_seconds
        while queue and cap > 1e-9:
            cohort = queue[0]
            take = min(cap, cohort[1])
            cohort[1] -= take
            cap -= take
            i = int(cohort[0])
            if i >= 0:
                if k <= i + w - 1:
                    done_on_time[i] += take
                # fluid: the cohort arrives mid-interval and is worked mid-interval
                waited[i] += take * (k - i) * interval_seconds
            if cohort[1] <= 1e-9:
                queue.pop(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        on_time = np.where(work > 0, done_on_time / np.where(work > 0, work, 1.0), 1.0)
        wait = np.where(work > 0, waited / np.where(work > 0, work, 1.0), 0.0)
    return DeferredOutcome(on_time=np.minimum(on_time, 1.0), wait=wait)
