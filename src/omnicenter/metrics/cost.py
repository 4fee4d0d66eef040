"""Cost per contact and per resolved case, by channel and segment; the "right channel" report.

Costs are linear in the counters (handled contacts and handle minutes), so they come
from the same buckets as every KPI: cost = handled × per_contact + handle minutes × per_minute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import median

from omnicenter.metrics.counters import Counters
from omnicenter.metrics.kpis import RollupKey

__all__ = ["ChannelRate", "CostRow", "CostSettings", "cost_rows", "right_channel"]


@dataclass(frozen=True, slots=True)
class ChannelRate:
    per_minute: float = 0.0  # agent time: talk + hold + wrap
    per_contact: float = 0.0  # fixed cost per handled item (SMS fee, email tooling)


@dataclass(frozen=True, slots=True)
class CostSettings:
    rates: Mapping[str, ChannelRate] = field(
        default_factory=lambda: {
            "voice": ChannelRate(per_minute=1.0, per_contact=0.2),
            "webchat": ChannelRate(per_minute=0.45),
            "messenger": ChannelRate(per_minute=0.45),
            "email": ChannelRate(per_minute=0.6, per_contact=0.05),
            "sms": ChannelRate(per_minute=0.6, per_contact=0.08),
            "form": ChannelRate(per_minute=0.6),
        }
    )
    currency: str = "PLN"  # of the rates, shown with every amount
    high_value: frozenset[str] = frozenset({"gold", "vip"})
    low_value: frozenset[str] = frozenset({"standard", "basic"})


@dataclass(frozen=True, slots=True)
class CostRow:
    channel: str
    segment: str
    handled: int
    resolved: int
    cost: float

    @property
    def per_contact(self) -> float:
        return self.cost / self.handled if self.handled else 0.0

    @property
    def per_resolved(self) -> float:
        return self.cost / self.resolved if self.resolved else 0.0


def cost_rows(
    by_channel_segment: Mapping[RollupKey, Counters], settings: CostSettings
) -> list[CostRow]:
    """From counters keyed (interval, channel, segment), e.g. `rollup(by=("channel", "segment"))`.

    Resolved cases count on the channel of the resolving event.
    """
    acc: dict[tuple[str, str], Counters] = {}
    for key, c in by_channel_segment.items():
        k = (str(key[1]), str(key[2]))
        acc.setdefault(k, Counters()).add(c)
    out = []
    for (channel, segment), c in sorted(acc.items()):
        rate = settings.rates.get(channel, ChannelRate())
        minutes = (c.talk_s + c.hold_s + c.wrap_s) / 60.0
        cost = c.handled * rate.per_contact + minutes * rate.per_minute
        out.append(CostRow(channel, segment, round(c.handled), round(c.resolved), cost))
    return out


def right_channel(rows: list[CostRow], settings: CostSettings) -> list[tuple[CostRow, str]]:
    """Rows served on the wrong channel for their value, with the reason.

    A channel is expensive when its cost per contact (all segments) is above the median
    channel's, cheap when below: low-value segments on expensive channels and high-value
    ones on cheap channels are flagged.
    """
    per_channel: dict[str, list[float]] = {}
    for r in rows:
        per_channel.setdefault(r.channel, [0.0, 0.0])
        per_channel[r.channel][0] += r.cost
        per_channel[r.channel][1] += r.handled
    unit = {ch: cost / n for ch, (cost, n) in per_channel.items() if n}
    if len(unit) < 2:
        return []
    mid = median(unit.values())
    flagged = []
    for r in rows:
        if r.handled == 0 or r.channel not in unit:
            continue
        if r.segment in settings.low_value and unit[r.channel] > mid:
            flagged.append((r, "low-value customers on an expensive channel"))
        elif r.segment in settings.high_value and unit[r.channel] < mid:
            flagged.append((r, "high-value customers on a cheap channel"))
    return flagged
