"""Additive counters per bucket: the one shape shared by live, batch and the SQL store.

Every KPI is a ratio of sums of these, so buckets roll up (15 min → hour → day, agent →
team → all) by plain addition, in Python or in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

__all__ = ["COUNTER_FIELDS", "DIMENSIONS", "BucketKey", "Counters", "Delta"]

DIMENSIONS = ("queue", "channel", "segment", "team", "agent")


class BucketKey(NamedTuple):
    """A 15-minute interval (epoch seconds of its start) and the dimensions.

    Contact measures sit in the interval the contact was offered; before it is answered
    (and when abandoned) team and agent are empty. Agent-state time has empty queue,
    channel and segment; resolved cases have empty team and agent.
    """

    start: int
    queue: str = ""
    channel: str = ""
    segment: str = ""
    team: str = ""
    agent: str = ""


@dataclass(slots=True)
class Counters:
    offered: float = 0.0
    handled: float = 0.0
    abandoned: float = 0.0
    short_abandoned: float = 0.0
    answered_in_sl: float = 0.0
    wait_answered_s: float = 0.0
    wait_abandoned_s: float = 0.0
    ended: float = 0.0
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0
    transfers: float = 0.0
    repeats: float = 0.0
    csat_responses: float = 0.0
    csat_satisfied: float = 0.0
    csat_score_sum: float = 0.0
    resolved: float = 0.0
    promises_made: float = 0.0
    promises_kept: float = 0.0
    promises_broken: float = 0.0
    available_s: float = 0.0
    busy_s: float = 0.0
    wrap_up_s: float = 0.0
    away_s: float = 0.0

    def add(self, other: Counters) -> None:
        for name in COUNTER_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def bump(self, name: str, value: float = 1.0) -> None:
        setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COUNTER_FIELDS}


COUNTER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Counters))


class Delta(NamedTuple):
    """Add `value` to counter `name` of bucket `key`."""

    key: BucketKey
    name: str
    value: float
