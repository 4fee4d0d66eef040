"""What a simulation run is made of: queues, agents with skills and shifts, arrivals.

Plain frozen values; `simulation.simulate` turns them into contacts and drives a router.
Times are seconds from the start of the run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from omnicenter.domain import Priority
from omnicenter.planning.erlang import FloatArray

__all__ = ["AgentSpec", "ArrivalSpec", "CenterModel", "QueueSpec", "parse_skill"]

_SKILL = re.compile(r"^\s*([^\s>=]+)\s*(?:>=\s*([1-5]))?\s*$")


def parse_skill(text: str) -> tuple[str, int]:
    """`"language:pl>=3"` -> `("language:pl", 3)`; a bare name means level 1."""
    m = _SKILL.match(text)
    if m is None:
        raise ValueError(f"bad skill {text!r}; expected 'name' or 'name>=level' (1..5)")
    return m.group(1), int(m.group(2) or 1)


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """One queue: its channel, handle time and patience distributions, and overflow rule.

    `handle_cv` is the handle time's coefficient of variation: 1.0 is exponential (the
    Erlang assumption), other values draw from a lognormal with that mean and spread.
    `patience` None: customers never give up (email). After `overflow_after` seconds of
    waiting a contact moves to the `overflow_to` queue (a partner team's).
    `skills` are required on top of the queue itself (`"language:pl>=3"`, or the queue's
    own name with a level, `"sales>=2"`); `priority` is every contact's priority (the
    domain's `Priority`: the engine serves higher first, with aging; `ReferenceRouter`
    ignores it).
    """

    name: str
    channel: str
    handle_time: float
    patience: float | None = None
    handle_cv: float = 1.0
    sl_time: float = 20.0
    overflow_to: str | None = None
    overflow_after: float = math.inf
    skills: tuple[str, ...] = ()
    priority: int = Priority.NORMAL

    def __post_init__(self) -> None:
        if self.handle_time <= 0 or self.handle_cv < 0:
            raise ValueError(f"queue {self.name}: handle_time must be > 0, handle_cv >= 0")
        if self.patience is not None and self.patience <= 0:
            raise ValueError(f"queue {self.name}: patience must be > 0")
        if self.sl_time <= 0:
            raise ValueError(f"queue {self.name}: sl_time must be > 0")
        for text in self.skills:
            parse_skill(text)

    def requirement(self) -> dict[str, int]:
        """Skill -> minimum level an agent needs: the queue itself (level 1 unless `skills`
        names it with a level) plus `skills`."""
        req = {self.name: 1}
        for text in self.skills:
            name, level = parse_skill(text)
            req[name] = max(req.get(name, 0), level)
        return req


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """One agent: the queues they serve (skills), capacity per channel, shifts.

    `capacity` maps channel to how many contacts of it at once (voice 1, chat 3, email 5);
    `max_total` caps the sum (blending). Shifts are (start, end) seconds.
    `skills` gives levels 1..5: for other skills (`{"language:pl": 4}`) or for a queue the
    agent serves (`{"sales": 3}`; a served queue not named here is level 1).
    """

    name: str
    queues: tuple[str, ...]
    capacity: Mapping[str, int] = field(default_factory=dict)
    max_total: int = 1
    shifts: tuple[tuple[float, float], ...] = ((0.0, math.inf),)
    partner: bool = False
    team: str = "in-house"
    skills: Mapping[str, int] = field(default_factory=dict)

    def cap(self, channel: str) -> int:
        return self.capacity.get(channel, 1)

    def skill_levels(self, queue_names: Mapping[str, int] | Sequence[str]) -> dict[str, int]:
        """Skill -> level: a served queue at its level (1 by default), plus the other skills.

        A queue's name counts as a skill only when the agent serves that queue."""
        out = {n: self.skills.get(n, 1) for n in self.queues}
        out.update((k, v) for k, v in self.skills.items() if k not in queue_names)
        return out

    def serves(self, queue: QueueSpec, levels: Mapping[str, int]) -> bool:
        """Whether the agent (with `levels` from `skill_levels`) may take `queue`'s contacts."""
        return all(levels.get(k, 0) >= v for k, v in queue.requirement().items())


@dataclass(frozen=True, slots=True)
class ArrivalSpec:
    """Arrivals into one queue: Poisson with a rate per interval, or historical times.

    `rates` are contacts per second for consecutive intervals of `interval_seconds`;
    `times` (if given) are the arrival times themselves, replayed as they are.
    """

    queue: str
    rates: FloatArray | None = None
    interval_seconds: float = 900.0
    times: FloatArray | None = None

    @staticmethod
    def constant(queue: str, rate: float, horizon: float) -> ArrivalSpec:
        return ArrivalSpec(queue, np.array([rate]), interval_seconds=horizon)


@dataclass(frozen=True, slots=True)
class CenterModel:
    queues: Sequence[QueueSpec]
    agents: Sequence[AgentSpec]
    arrivals: Sequence[ArrivalSpec]
    horizon: float
    exclusive_channels: frozenset[str] = frozenset({"voice"})
    warmup: float = 0.0  # contacts arriving before this are simulated but not reported

    def queue_index(self) -> dict[str, int]:
        return {q.name: i for i, q in enumerate(self.queues)}

    def validate(self) -> None:
        names = self.queue_index()
        if len(names) != len(self.queues):
            raise ValueError("queue names must be unique")
        for q in self.queues:
            if q.overflow_to is not None and q.overflow_to not in names:
                raise ValueError(f"queue {q.name} overflows to unknown queue {q.overflow_to}")
        for a in self.agents:
            unknown = [n for n in a.queues if n not in names]
            if unknown:
                raise ValueError(f"agent {a.name} serves unknown queues {unknown}")
            bad = {k: v for k, v in a.skills.items() if not 1 <= v <= 5}
            if bad:
                raise ValueError(f"agent {a.name}: skill levels must be 1..5, got {bad}")
            if a.max_total < 1:
                raise ValueError(f"agent {a.name}: max_total must be >= 1")
        for arr in self.arrivals:
            if arr.queue not in names:
                raise ValueError(f"arrivals for unknown queue {arr.queue}")
