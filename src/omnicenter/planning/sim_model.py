"""What a simulation run is made of: queues, agents with skills and shifts, arrivals.

Plain frozen values; `simulation.simulate` turns them into contacts and drives a router.
Times are seconds from the start of the run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from omnicenter.planning.erlang import FloatArray

__all__ = ["AgentSpec", "ArrivalSpec", "CenterModel", "QueueSpec"]


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """One queue: its channel, handle time and patience distributions, and overflow rule.

    `handle_cv` is the handle time's coefficient of variation: 1.0 is exponential (the
    Erlang assumption), other values draw from a lognormal with that mean and spread.
    `patience` None: customers never give up (email). After `overflow_after` seconds of
    waiting a contact moves to the `overflow_to` queue (a partner team's).
    """

    name: str
    channel: str
    handle_time: float
    patience: float | None = None
    handle_cv: float = 1.0
    sl_time: float = 20.0
    overflow_to: str | None = None
    overflow_after: float = math.inf

    def __post_init__(self) -> None:
        if self.handle_time <= 0 or self.handle_cv < 0:
            raise ValueError(f"queue {self.name}: handle_time must be > 0, handle_cv >= 0")
        if self.patience is not None and self.patience <= 0:
            raise ValueError(f"queue {self.name}: patience must be > 0")


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """One agent: the queues they serve (skills), capacity per channel, shifts.

    `capacity` maps channel to how many contacts of it at once (voice 1, chat 3, email 5);
    `max_total` caps the sum (blending). Shifts are (start, end) seconds.
    """

    name: str
    queues: tuple[str, ...]
    capacity: Mapping[str, int] = field(default_factory=dict)
    max_total: int = 1
    shifts: tuple[tuple[float, float], ...] = ((0.0, math.inf),)
    partner: bool = False
    team: str = "in-house"

    def cap(self, channel: str) -> int:
        return self.capacity.get(channel, 1)


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
        for arr in self.arrivals:
            if arr.queue not in names:
                raise ValueError(f"arrivals for unknown queue {arr.queue}")
