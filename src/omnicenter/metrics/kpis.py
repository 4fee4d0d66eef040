"""KPIs from counters, and roll-ups of buckets to any grain and dimensions.

Formulas (docs/metrics.md explains each): service level and abandon rate are shares of
the *settled* contacts (answered or abandoned, short abandons left out), so a contact still
waiting is not judged yet; on a finished day (every contact settled) and with
`short_abandon_s = 0` the service level is the one the planning simulator reports
(answered within target / offered). Occupancy is handle time over handle plus available
time (None when no agent time was recorded).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo

from omnicenter.metrics.config import local_floor
from omnicenter.metrics.counters import DIMENSIONS, BucketKey, Counters

__all__ = ["Grain", "Kpis", "RollupKey", "handle_s", "kpis", "rollup"]


class Grain(enum.IntEnum):
    """Interval length in seconds; TOTAL folds all intervals into one."""

    QUARTER = 900
    HOUR = 3600
    DAY = 86400
    TOTAL = 0


def _ratio(num: float, den: float, empty: float = 0.0) -> float:
    return num / den if den else empty


@dataclass(frozen=True, slots=True)
class Kpis:
    offered: int
    handled: int
    abandoned: int
    short_abandoned: int
    service_level: float
    abandon_rate: float
    asa: float
    avg_abandon_time: float
    aht: float
    avg_talk: float
    avg_hold: float
    avg_wrap: float
    fcr: float
    transfers: int
    transfer_rate: float
    occupancy: float | None
    utilisation: float | None
    csat: float
    csat_avg: float
    csat_response_rate: float
    resolved: int
    promises_made: int
    promises_kept: int
    promises_broken: int
    promise_kept_rate: float


def _share(num: float, den: float) -> float | None:
    return num / den if den else None


def handle_s(c: Counters) -> float:
    """Agent time spent on contacts: talk, hold and after-contact work."""
    return c.talk_s + c.hold_s + c.wrap_s


def kpis(c: Counters) -> Kpis:
    # Settled contacts: a contact still waiting has neither met nor missed its target yet.
    counted = c.handled + c.abandoned - c.short_abandoned
    handle = handle_s(c)
    settled = c.promises_kept + c.promises_broken
    return Kpis(
        offered=round(c.offered),
        handled=round(c.handled),
        abandoned=round(c.abandoned),
        short_abandoned=round(c.short_abandoned),
        service_level=_ratio(c.answered_in_sl, counted, 1.0),
        abandon_rate=_ratio(c.abandoned - c.short_abandoned, counted),
        asa=_ratio(c.wait_answered_s, c.handled),
        avg_abandon_time=_ratio(c.wait_abandoned_s, c.abandoned),
        aht=_ratio(handle, c.ended),
        avg_talk=_ratio(c.talk_s, c.ended),
        avg_hold=_ratio(c.hold_s, c.ended),
        avg_wrap=_ratio(c.wrap_s, c.ended),
        fcr=_ratio(c.handled - c.repeats, c.handled, 1.0),
        transfers=round(c.transfers),
        transfer_rate=_ratio(c.transfers, c.handled),
        occupancy=_share(handle, handle + c.available_s) if c.available_s else None,
        utilisation=(
            _share(handle, handle + c.available_s + c.away_s) if c.available_s or c.away_s else None
        ),
        csat=_ratio(c.csat_satisfied, c.csat_responses),
        csat_avg=_ratio(c.csat_score_sum, c.csat_responses),
        csat_response_rate=_ratio(c.csat_responses, c.handled),
        resolved=round(c.resolved),
        promises_made=round(c.promises_made),
        promises_kept=round(c.promises_kept),
        promises_broken=round(c.promises_broken),
        promise_kept_rate=_ratio(c.promises_kept, settled, 1.0),
    )


RollupKey = tuple[int | str, ...]


def rollup(
    buckets: Mapping[BucketKey, Counters],
    by: Sequence[str] = (),
    grain: Grain = Grain.TOTAL,
    where: Mapping[str, str] | None = None,
    tz: tzinfo = UTC,
) -> dict[RollupKey, Counters]:
    """Sum buckets into (interval start, *dimension values in `by`) keys.

    `where` keeps only buckets whose dimensions equal the given values. With
    `grain=TOTAL` the interval part of the key is 0. Hours and days are those of `tz`.
    """
    bad = [d for d in (*by, *(where or {})) if d not in DIMENSIONS]
    if bad:
        raise ValueError(f"unknown dimensions {bad}; use {DIMENSIONS}")
    idx = [BucketKey._fields.index(d) for d in by]
    flt = [(BucketKey._fields.index(d), v) for d, v in (where or {}).items()]
    out: dict[RollupKey, Counters] = {}
    for key, c in buckets.items():
        if any(key[i] != v for i, v in flt):
            continue
        start = _floor(key.start, grain, tz)
        rk: RollupKey = (start, *(key[i] for i in idx))
        acc = out.get(rk)
        if acc is None:
            acc = out[rk] = Counters()
        acc.add(c)
    return out


def _floor(start: int, grain: Grain, tz: tzinfo) -> int:
    if not grain:
        return 0
    if tz is UTC or grain is Grain.QUARTER:
        return start // grain * grain
    return local_floor(start, grain, tz)
