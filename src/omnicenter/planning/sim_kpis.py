"""The live KPIs, computed from a simulation's per-contact outcomes.

Definitions match the ones the live metrics use (see docs/planning.md):
offered = contacts arrived; handled = answered; abandoned = gave up while waiting;
service level = answered within the queue's target time / offered (abandons count against);
ASA = mean wait of answered contacts; AHT = mean handle time of answered contacts;
occupancy = capacity in use / capacity staffed (a chat at concurrency 3 uses a third).
Contacts arriving before the model's warm-up are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from omnicenter.planning.erlang import FloatArray
from omnicenter.planning.simulation import ABANDONED, HANDLED, SimResult

__all__ = ["Kpis", "batch_means", "kpis", "kpis_by_queue", "service_level_by_interval"]


@dataclass(frozen=True, slots=True)
class Kpis:
    offered: int
    handled: int
    abandoned: int
    service_level: float
    asa: float
    aht: float
    occupancy: float

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.offered if self.offered else 0.0


def _mask(res: SimResult, queues: list[int] | None) -> np.ndarray:
    m = res.arrival >= res.model.warmup
    if queues is not None:
        m &= np.isin(res.queue, queues)
    return m


def kpis(res: SimResult, queues: list[int] | None = None) -> Kpis:
    """KPIs over the given queues (all when None); occupancy is over all agents."""
    m = _mask(res, queues)
    sl_time = np.array([q.sl_time for q in res.model.queues])[res.queue[m]]
    out, wait, handle = res.outcome[m], res.wait[m], res.handle[m]
    answered = out == HANDLED
    offered = int(m.sum())
    staffed = float(res.staffed.sum())
    return Kpis(
        offered=offered,
        handled=int(answered.sum()),
        abandoned=int((out == ABANDONED).sum()),
        service_level=float((answered & (wait <= sl_time)).sum() / offered) if offered else 1.0,
        asa=float(wait[answered].mean()) if answered.any() else 0.0,
        aht=float(handle[answered].mean()) if answered.any() else 0.0,
        occupancy=float(res.work[_mask(res, None)].sum() / staffed) if staffed else 0.0,
    )


def kpis_by_queue(res: SimResult) -> dict[str, Kpis]:
    return {q.name: kpis(res, [i]) for i, q in enumerate(res.model.queues)}


def service_level_by_interval(res: SimResult, queue: int, interval: float = 900.0) -> FloatArray:
    """Service level of contacts arriving in each interval of the horizon (nan: none arrived)."""
    bins = int(np.ceil(res.model.horizon / interval))
    sel = res.queue == queue
    idx = np.minimum((res.arrival[sel] // interval).astype(np.int64), bins - 1)
    good = (res.outcome[sel] == HANDLED) & (res.wait[sel] <= res.model.queues[queue].sl_time)
    offered = np.bincount(idx, minlength=bins).astype(np.float64)
    met = np.bincount(idx, weights=good.astype(np.float64), minlength=bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(offered > 0, met / offered, np.nan)
    return out


def batch_means(values: FloatArray, batches: int = 20) -> tuple[float, float]:
    """Mean and 95 % half-width by batch means over consecutive contacts (Student t)."""
    from scipy import stats

    v = np.asarray(values, dtype=np.float64)
    usable = (v.size // batches) * batches
    means = v[:usable].reshape(batches, -1).mean(axis=1)
    half = float(stats.t.ppf(0.975, batches - 1) * means.std(ddof=1) / np.sqrt(batches))
    return float(means.mean()), half
