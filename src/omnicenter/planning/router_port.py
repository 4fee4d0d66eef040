"""The seam between the simulator and a routing engine, and a minimal reference router.

The simulator talks only to `RoutingPort`: the same calls the live service makes (add an
agent, change presence, submit a task, complete or cancel it, advance the clock), each
returning the assignments it caused. `ReferenceRouter` implements the port with the
textbook rules (FIFO per queue, longest-idle agent, skills by queue membership with
minimum levels, blended capacity per channel, time-based overflow, no priorities) as a
fast baseline; `engine_port.EnginePort` plugs the real `omnicenter.routing` engine into
the same seam and is what `simulate` uses by default.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Protocol

from omnicenter.planning.sim_model import AgentSpec, QueueSpec

__all__ = ["Assignment", "ReferenceRouter", "RoutingPort"]

Assignment = tuple[int, int]  # (task id, agent index)
_NONE: list[Assignment] = []  # shared empty answer; callers never mutate it


class RoutingPort(Protocol):
    """What the simulator needs from a router. Tasks are ints; agents their index."""

    def add_agent(self, agent: int, spec: AgentSpec, now: float) -> list[Assignment]: ...

    def set_available(self, agent: int, available: bool, now: float) -> list[Assignment]: ...

    def submit(self, task: int, queue: int, now: float) -> list[Assignment]: ...

    def complete(self, task: int, now: float) -> list[Assignment]: ...

    def cancel(self, task: int, now: float) -> list[Assignment]: ...

    def advance(self, now: float) -> list[Assignment]: ...

    def next_wakeup(self) -> float | None: ...


class ReferenceRouter:
    """FIFO queues, longest-idle agent first, blended capacity, overflow after a wait."""

    def __init__(self, queues: Sequence[QueueSpec], exclusive_channels: frozenset[str]) -> None:
        channels = sorted({q.channel for q in queues})
        self._ch_index = {c: i for i, c in enumerate(channels)}
        self._qch = [self._ch_index[q.channel] for q in queues]
        self._exclusive = [c in exclusive_channels for c in channels]
        names = {q.name: i for i, q in enumerate(queues)}
        self._queue_names = names
        self._specs = list(queues)
        self._overflow = [
            (names[q.overflow_to], q.overflow_after) if q.overflow_to is not None else None
            for q in queues
        ]
        self._has_overflow = any(o is not None for o in self._overflow)
        self._waiting: list[deque[int]] = [deque() for _ in queues]
        # ready[q]: agents able to take one more task of q, oldest-idle first (dict order)
        self._ready: list[dict[int, None]] = [{} for _ in queues]
        self._queued: dict[int, int] = {}  # task -> queue, while waiting
        self._arrived: dict[int, float] = {}
        self._agent_of: dict[int, tuple[int, int]] = {}  # task -> (agent, channel)
        self._agent_queues: list[tuple[int, ...]] = []
        self._cap: list[list[int]] = []
        self._load: list[list[int]] = []
        self._total: list[int] = []
        self._max_total: list[int] = []
        self._excl_busy: list[int] = []
        self._on: list[bool] = []

    # -- agents -------------------------------------------------------------------------
    def add_agent(self, agent: int, spec: AgentSpec, now: float) -> list[Assignment]:
        if agent != len(self._on):
            raise ValueError("agents must be added in index order")
        names = self._queue_names
        levels = spec.skill_levels(names)
        self._agent_queues.append(
            tuple(names[n] for n in spec.queues if spec.serves(self._specs[names[n]], levels))
        )
        self._cap.append([spec.cap(c) for c in self._ch_index])
        self._load.append([0] * len(self._ch_index))
        self._total.append(0)
        self._max_total.append(spec.max_total)
        self._excl_busy.append(0)
        self._on.append(False)
        return _NONE

    def set_available(self, agent: int, available: bool, now: float) -> list[Assignment]:
        self._on[agent] = available
        out = self._pull(agent) if available else _NONE
        self._refresh(agent)
        return out

    def _can_take(self, a: int, ch: int) -> bool:
        return (
            self._on[a]
            and self._excl_busy[a] == 0
            and self._total[a] < self._max_total[a]
            and self._load[a][ch] < self._cap[a][ch]
            and (self._total[a] == 0 or not self._exclusive[ch])
        )

    def _refresh(self, a: int) -> None:
        qch, ready = self._qch, self._ready
        for q in self._agent_queues[a]:
            if self._can_take(a, qch[q]):
                if a not in ready[q]:
                    ready[q][a] = None
            else:
                ready[q].pop(a, None)

    def _assign(self, task: int, a: int, ch: int) -> None:
        self._load[a][ch] += 1
        self._total[a] += 1
        if self._exclusive[ch]:
            self._excl_busy[a] += 1
        self._agent_of[task] = (a, ch)
        self._refresh(a)

    def _pull(self, a: int) -> list[Assignment]:
        """Give a freed agent the oldest waiting tasks it can take, while it can take more."""
        out: list[Assignment] = []
        queued, arrived = self._queued, self._arrived
        while True:
            best_q, best_t = -1, 0.0
            for q in self._agent_queues[a]:
                w = self._waiting[q]
                while w and queued.get(w[0]) != q:
                    w.popleft()  # cancelled, assigned or moved: drop lazily
                if w and self._can_take(a, self._qch[q]):
                    t = arrived[w[0]]
                    if best_q < 0 or t < best_t:
                        best_q, best_t = q, t
            if best_q < 0:
                return out
            task = self._waiting[best_q].popleft()
            del queued[task]
            del arrived[task]
            self._assign(task, a, self._qch[best_q])
            out.append((task, a))

    # -- tasks --------------------------------------------------------------------------
    def submit(self, task: int, queue: int, now: float) -> list[Assignment]:
        ready = self._ready[queue]
        if ready:
            a = next(iter(ready))
            self._assign(task, a, self._qch[queue])
            return [(task, a)]
        self._waiting[queue].append(task)
        self._queued[task] = queue
        self._arrived[task] = now
        return _NONE

    def complete(self, task: int, now: float) -> list[Assignment]:
        a, ch = self._agent_of.pop(task)
        self._load[a][ch] -= 1
        self._total[a] -= 1
        if self._exclusive[ch]:
            self._excl_busy[a] -= 1
        if not self._on[a]:
            self._refresh(a)
            return _NONE
        out = self._pull(a)
        self._refresh(a)
        return out

    def cancel(self, task: int, now: float) -> list[Assignment]:
        if self._queued.pop(task, None) is not None:
            del self._arrived[task]
        return _NONE

    # -- time ---------------------------------------------------------------------------
    def next_wakeup(self) -> float | None:
        if not self._has_overflow:
            return None
        best: float | None = None
        for q, rule in enumerate(self._overflow):
            if rule is None:
                continue
            w = self._waiting[q]
            while w and self._queued.get(w[0]) != q:
                w.popleft()
            if w:
                due = self._arrived[w[0]] + rule[1]
                if best is None or due < best:
                    best = due
        return best

    def advance(self, now: float) -> list[Assignment]:
        out: list[Assignment] = []
        for q, rule in enumerate(self._overflow):
            if rule is None:
                continue
            target, after = rule
            w = self._waiting[q]
            while w:
                task = w[0]
                if self._queued.get(task) != q:
                    w.popleft()
                    continue
                if self._arrived[task] + after > now:
                    break
                w.popleft()
                ready = self._ready[target]
                if ready:
                    a = next(iter(ready))
                    del self._queued[task]
                    del self._arrived[task]
                    self._assign(task, a, self._qch[target])
                    out.append((task, a))
                else:
                    self._queued[task] = target
                    self._waiting[target].append(task)
        return out
