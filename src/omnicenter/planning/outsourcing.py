"""What a partner team must cover: the gap between agents needed and the in-house roster.

Per interval, in-house agents on shift are allocated to channels greedily, scarcest channel
first (the channel the fewest rostered agents can serve), each agent to one channel; the
shortfall per channel is the partner's. Contiguous shortfall intervals with the same reason become blocks
with their agent-hours and why they fall outside in-house cover (night, weekend, holiday, peak),
and `partner_agents` turns the blocks into a roster the simulator can check against the SLA.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from omnicenter.planning.erlang import IntArray
from omnicenter.planning.sim_model import AgentSpec

__all__ = ["GapBlock", "OutsourcingPlan", "Reason", "outsourcing_plan", "partner_agents"]


class Reason(enum.StrEnum):
    HOLIDAY = "holiday"
    PEAK = "peak"
    WEEKEND = "weekend"
    NIGHT = "night"
    DAYTIME = "daytime"  # in-house is short even in normal hours


@dataclass(frozen=True, slots=True)
class GapBlock:
    channel: str
    start: datetime
    end: datetime
    max_agents: int
    agent_hours: float
    reason: Reason


@dataclass(frozen=True, slots=True)
class OutsourcingPlan:
    channels: tuple[str, ...]
    start: datetime
    interval_seconds: float
    gap: IntArray  # (channels, intervals): partner agents needed
    blocks: tuple[GapBlock, ...]

    def hours_by_reason(self) -> dict[Reason, float]:
        out = dict.fromkeys(Reason, 0.0)
        for b in self.blocks:
            out[b.reason] += b.agent_hours
        return out

    def hours_by_channel(self) -> dict[str, float]:
        per = self.gap.sum(axis=1) * self.interval_seconds / 3600.0
        return {c: float(h) for c, h in zip(self.channels, per, strict=True)}


def _on_shift(agent: AgentSpec, t0: float, t1: float) -> bool:
    """On shift for the whole interval [t0, t1)."""
    return any(s <= t0 and t1 <= e for s, e in agent.shifts)


def _reason(
    t: datetime, holidays: Collection[date], peaks: Collection[date], night: tuple[int, int]
) -> Reason:
    if t.date() in holidays:
        return Reason.HOLIDAY
    if t.date() in peaks:
        return Reason.PEAK
    if t.weekday() >= 5:
        return Reason.WEEKEND
    lo, hi = night
    if t.hour >= lo or t.hour < hi:
        return Reason.NIGHT
    return Reason.DAYTIME


def outsourcing_plan(
    required: dict[str, IntArray],
    roster: Sequence[AgentSpec],
    start: datetime,
    interval_seconds: float = 900.0,
    holidays: Collection[date] = (),
    peaks: Collection[date] = (),
    night: tuple[int, int] = (22, 6),
) -> OutsourcingPlan:
    """`required[channel][i]`: agents scheduled for interval i (e.g. `StaffingPlan.scheduled`).

    The roster's `queues` name the channels each agent can serve and its `shifts` are
    seconds from `start`. Partner agents are not counted as in-house.
    """
    channels = tuple(required)
    need = np.vstack([np.asarray(required[c], dtype=np.int64) for c in channels])
    k, n = need.shape
    in_house = [a for a in roster if not a.partner]
    serves = np.array([[c in a.queues for c in channels] for a in in_house], dtype=bool).reshape(
        len(in_house), k
    )
    scarcity = np.argsort(serves.sum(axis=0), kind="stable")
    gap = np.zeros((k, n), dtype=np.int64)
    for i in range(n):
        t0 = i * interval_seconds
        free = np.array([_on_shift(a, t0, t0 + interval_seconds) for a in in_house], dtype=bool)
        for c in scarcity:
            able = np.flatnonzero(free & serves[:, c])
            take = able[: need[c, i]]
            free[take] = False
            gap[c, i] = need[c, i] - take.size
    step = timedelta(seconds=interval_seconds)
    hol, pk = set(holidays), set(peaks)
    reasons = [_reason(start + step * i, hol, pk, night) for i in range(n)]
    blocks: list[GapBlock] = []
    for c, name in enumerate(channels):
        i = 0
        while i < n:
            if gap[c, i] == 0:
                i += 1
                continue
            j = i + 1
            while j < n and gap[c, j] > 0 and reasons[j] is reasons[i]:
                j += 1
            blocks.append(
                GapBlock(
                    channel=name,
                    start=start + step * i,
                    end=start + step * j,
                    max_agents=int(gap[c, i:j].max()),
                    agent_hours=float(gap[c, i:j].sum() * interval_seconds / 3600.0),
                    reason=reasons[i],
                )
            )
            i = j
    return OutsourcingPlan(channels, start, interval_seconds, gap, tuple(blocks))


def partner_agents(plan: OutsourcingPlan, team: str = "partner") -> list[AgentSpec]:
    """A partner roster covering the plan: agent m of a channel works where gap > m."""
    out: list[AgentSpec] = []
    sec = plan.interval_seconds
    for c, name in enumerate(plan.channels):
        g = plan.gap[c]
        for m in range(int(g.max(initial=0))):
            on = np.concatenate(([False], g > m, [False]))
            edges = np.flatnonzero(on[1:] != on[:-1])
            shifts = tuple(
                (float(a * sec), float(b * sec))
                for a, b in zip(edges[::2], edges[1::2], strict=True)
            )
            out.append(
                AgentSpec(f"{team}-{name}-{m}", (name,), shifts=shifts, partner=True, team=team)
            )
    return out
