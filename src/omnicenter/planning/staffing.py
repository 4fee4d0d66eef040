"""Agents needed per interval for every channel, from forecast volumes.

One `ChannelSpec` per channel says how its work behaves:

* `erlang_c`: real-time work where nobody hangs up (calls with a long patience): Erlang C
  against a service-level target (or an ASA target when `target_asa` is set).
* `erlang_a`: real-time work where customers give up (chats, calls with short patience):
  Erlang A with the channel's mean patience, optionally capping the abandon rate.
* `deferred`: work that can wait (email, forms): staffing that follows the arrivals and
  finishes every item before its deadline, given an opening backlog (`planning/deferred.py`).

`concurrency` > 1 (chats) turns agents into that many parallel slots: the queue is solved
for slots, and agents = ceil(slots / concurrency). Shrinkage (breaks, training, absence)
turns agents on contacts into agents scheduled: ceil(productive / (1 - shrinkage)).
All real-time channels are solved in one vectorised call per method.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from omnicenter.planning.deferred import (
    deferred_agents,
    deferred_capacity,
    deferred_service_level,
)
from omnicenter.planning.erlang import (
    FloatArray,
    IntArray,
    agents_for_asa,
    agents_for_service_level,
    asa,
    occupancy,
    service_level,
)
from omnicenter.planning.erlang_a import agents_for_erlang_a, erlang_a

__all__ = ["ChannelSpec", "Method", "StaffingPlan", "deferred_agents", "staff"]


class Method(enum.StrEnum):
    ERLANG_C = "erlang_c"
    ERLANG_A = "erlang_a"
    DEFERRED = "deferred"


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """How one channel's work is staffed. Times in seconds."""

    name: str
    aht: float
    method: Method = Method.ERLANG_C
    target_sl: float = 0.8
    target_time: float = 20.0
    target_asa: float | None = None
    patience: float | None = None
    max_abandon: float = 1.0
    concurrency: int = 1
    max_occupancy: float = 1.0
    deadline: float | None = None
    backlog: float = 0.0
    shrinkage: float | None = None  # None: the plan's shrinkage

    def __post_init__(self) -> None:
        if self.aht <= 0 or self.concurrency < 1:
            raise ValueError(f"{self.name}: aht must be > 0 and concurrency >= 1")
        if self.method is Method.ERLANG_A and (self.patience is None or self.patience <= 0):
            raise ValueError(f"{self.name}: erlang_a needs a positive patience")
        if self.method is Method.DEFERRED and (self.deadline is None or self.deadline <= 0):
            raise ValueError(f"{self.name}: deferred work needs a positive deadline")


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    """Arrays are shaped (channels, intervals), in the order of `channels`."""

    channels: tuple[str, ...]
    interval_seconds: float
    volumes: FloatArray
    productive: IntArray  # agents on contacts
    scheduled: IntArray  # agents rostered, after shrinkage
    service_level: FloatArray  # expected; deferred: share of items done by their deadline
    occupancy: FloatArray
    asa: FloatArray

    @property
    def total_scheduled(self) -> IntArray:
        """Agents rostered per interval if every channel had its own agents."""
        out: IntArray = self.scheduled.sum(axis=0)
        return out

    def row(self, channel: str) -> int:
        return self.channels.index(channel)

    def expected_service_level(self, channel: str) -> float:
        """The channel's service level over the horizon, weighted by contacts (as measured)."""
        i = self.row(channel)
        total = float(self.volumes[i].sum())
        if total <= 0:
            return 1.0
        return float((self.volumes[i] * self.service_level[i]).sum() / total)


def _shrink(productive: IntArray, shrinkage: FloatArray) -> IntArray:
    if np.any(shrinkage < 0) or np.any(shrinkage >= 1):
        raise ValueError("shrinkage must be in [0, 1)")
    out: IntArray = np.ceil(productive / (1.0 - shrinkage)).astype(np.int64)
    return out


def staff(
    volumes: Mapping[str, Sequence[float] | FloatArray],
    specs: Sequence[ChannelSpec],
    interval_seconds: float = 900.0,
    shrinkage: float = 0.0,
    open_mask: np.ndarray | None = None,
) -> StaffingPlan:
    """Agents needed per channel per interval; `volumes` maps channel name to contacts per interval.

    `open_mask` (bool per interval) limits when deferred work is done; real-time channels
    are staffed wherever they have volume.
    """
    names = tuple(s.name for s in specs)
    missing = [n for n in names if n not in volumes]
    if missing:
        raise KeyError(f"no volumes for channels: {missing}")
    vol = np.vstack([np.asarray(volumes[n], dtype=np.float64) for n in names])
    if np.any(vol < 0):
        raise ValueError("volumes must be >= 0")
    k, m = vol.shape

    def col(f: Callable[[ChannelSpec], float]) -> FloatArray:
        return np.array([[f(s)] for s in specs], dtype=np.float64)

    aht = col(lambda s: s.aht)
    conc = col(lambda s: s.concurrency)
    lam = vol / interval_seconds
    traffic = lam * aht
    slots = np.zeros((k, m), dtype=np.int64)
    sl = np.ones((k, m))
    wait = np.zeros((k, m))
    occ = np.zeros((k, m))

    by_method = {meth: [i for i, s in enumerate(specs) if s.method is meth] for meth in Method}
    c_rows = by_method[Method.ERLANG_C]
    sl_rows = [i for i in c_rows if specs[i].target_asa is None]
    asa_rows = [i for i in c_rows if specs[i].target_asa is not None]
    if sl_rows:
        r = np.array(sl_rows)
        slots[r] = agents_for_service_level(
            traffic[r],
            aht[r],
            col(lambda s: s.target_time)[r],
            col(lambda s: s.target_sl)[r],
            col(lambda s: s.max_occupancy)[r],
        )
    if asa_rows:
        r = np.array(asa_rows)
        slots[r] = agents_for_asa(
            traffic[r],
            aht[r],
            col(lambda s: s.target_asa or 0.0)[r],
            col(lambda s: s.max_occupancy)[r],
        )

    def staffed(r: IntArray) -> IntArray:
        # What is promised is what the rostered agents give: with concurrency, whole agents
        # bring up to `concurrency - 1` slots more than the queue needs.
        out: IntArray = (np.ceil(slots[r] / conc[r]) * conc[r]).astype(np.int64)
        return out

    if c_rows:
        r = np.array(c_rows)
        got = staffed(r)
        sl[r] = service_level(got, traffic[r], aht[r], col(lambda s: s.target_time)[r])
        wait[r] = asa(got, traffic[r], aht[r])
        occ[r] = occupancy(got, traffic[r])
    a_rows = by_method[Method.ERLANG_A]
    if a_rows:
        r = np.array(a_rows)
        pat = col(lambda s: s.patience or 1.0)[r]
        tt = col(lambda s: s.target_time)[r]
        need = agents_for_erlang_a(
            lam[r], aht[r], pat, tt, col(lambda s: s.target_sl)[r], col(lambda s: s.max_abandon)[r]
        )
        # With abandonment fewer slots than Erlangs can meet the target, so the occupancy
        # cap (on offered load, a conservative bound) only applies when one is set.
        max_occ = col(lambda s: s.max_occupancy)[r]
        by_occ = np.where(max_occ < 1.0, np.ceil(traffic[r] / max_occ), 0).astype(np.int64)
        slots[r] = np.maximum(need, by_occ)
        res = erlang_a(staffed(r), lam[r], aht[r], pat, tt)
        sl[r], wait[r], occ[r] = res.service_level, res.asa, res.occupancy
    for i in by_method[Method.DEFERRED]:
        s = specs[i]
        d = int(np.floor((s.deadline or 0.0) / interval_seconds))
        slots[i] = deferred_agents(
            vol[i], s.aht, d, interval_seconds, s.backlog, s.max_occupancy, open_mask
        )
        played = deferred_service_level(vol[i], s.aht, d, slots[i], interval_seconds, s.backlog)
        sl[i], wait[i] = played.on_time, played.wait
        with np.errstate(divide="ignore", invalid="ignore"):
            worked = deferred_capacity(vol[i], s.aht, d, s.backlog, open_mask) / interval_seconds
            occ[i] = np.where(slots[i] > 0, np.minimum(worked / slots[i], 1.0), 0.0)
    productive = np.ceil(slots / conc).astype(np.int64)
    shrink = col(lambda s: shrinkage if s.shrinkage is None else s.shrinkage)
    return StaffingPlan(
        channels=names,
        interval_seconds=interval_seconds,
        volumes=vol,
        productive=productive,
        scheduled=_shrink(productive, np.broadcast_to(shrink, productive.shape)),
        service_level=sl,
        occupancy=occ,
        asa=wait,
    )
