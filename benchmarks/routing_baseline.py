"""The straightforward router the benchmark compares against: no indexes, scans.

A task looks at every agent; an agent who frees up looks at every waiting task. Same rules
as the engine for what it covers (required skills with levels, blended capacity with an
exclusive call, priority + SLA deadline + aging, longest idle first), so on a workload
without widening both pick the same agents (the benchmark checks that).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from omnicenter.domain import Channel
from omnicenter.routing import AgentSpec, SkillReq, TaskSpec
from omnicenter.routing.config import DEFAULT_SLA

__all__ = ["ScanRouter"]


@dataclass
class _Agent:
    spec: AgentSpec
    idx: int
    since: float
    load: dict[Channel, int] = field(default_factory=dict)
    total: int = 0
    order: int = 0  # when `since` was last set: equal idle times go to who was free first

    excl: int = 0  # exclusive tasks in hand

    def room(self, ch: Channel, exclusive: frozenset[Channel]) -> bool:
        if self.excl or self.total >= self.spec.max_total or (self.total and ch in exclusive):
            return False
        return self.load.get(ch, 0) < self.spec.capacity_for(ch)


@dataclass
class _Task:
    spec: TaskSpec
    needs: tuple[SkillReq, ...]
    rank: float
    seq: int
    agent: _Agent | None = None


class ScanRouter:
    def __init__(
        self,
        queue_skills: dict[str, tuple[SkillReq, ...]],
        aging: float = 60.0,
        within: dict[Channel, float] | None = None,
    ) -> None:
        self.queue_skills = queue_skills
        self.aging = aging
        self.within = within or {ch: sla.within for ch, sla in DEFAULT_SLA.items()}
        self.exclusive = frozenset({Channel.VOICE, Channel.CALLBACK})
        self.agents: list[_Agent] = []
        self.waiting: list[_Task] = []
        self.tasks: dict[str, _Task] = {}
        self.seq = 0
        self.orders = 0

    def _next_order(self) -> int:
        self.orders += 1
        return self.orders

    def add_agent(self, spec: AgentSpec, now: float) -> list[tuple[str, str]]:
        agent = _Agent(spec, len(self.agents), now, order=self._next_order())
        self.agents.append(agent)
        return self._fill(agent, now)

    def restore(
        self,
        agents: list[AgentSpec],
        assigned: list[tuple[TaskSpec, str]],
        waiting: list[tuple[TaskSpec, float]],
        now: float,
    ) -> None:
        """Start from a given state (set up by the engine: filling by scanning takes ages)."""
        by_id = {}
        for spec in agents:
            by_id[spec.id] = agent = _Agent(spec, len(self.agents), now, order=self._next_order())
            self.agents.append(agent)
        for spec, agent_id in assigned:
            self.seq += 1
            task = _Task(
                spec, self.queue_skills[spec.queue] + spec.skills, 0.0, self.seq, by_id[agent_id]
            )
            self.tasks[spec.id] = task
            task.agent.load[spec.channel] = task.agent.load.get(spec.channel, 0) + 1  # type: ignore[union-attr]
            task.agent.total += 1  # type: ignore[union-attr]
            task.agent.excl += spec.channel in self.exclusive  # type: ignore[union-attr]
        for spec, arrival in waiting:
            self.seq += 1
            rank = arrival + self.within[spec.channel] - int(spec.priority) * self.aging
            task = _Task(spec, self.queue_skills[spec.queue] + spec.skills, rank, self.seq)
            self.tasks[spec.id] = task
            self.waiting.append(task)

    def submit(self, spec: TaskSpec, now: float) -> list[tuple[str, str]]:
        self.seq += 1
        rank = now + self.within[spec.channel] - int(spec.priority) * self.aging
        task = _Task(spec, self.queue_skills[spec.queue] + spec.skills, rank, self.seq)
        self.tasks[spec.id] = task
        best: _Agent | None = None
        for agent in self.agents:  # the scan over all agents
            if (
                _skilled(agent, task.needs)
                and agent.room(spec.channel, self.exclusive)
                and (
                    best is None
                    or (agent.total, agent.since, agent.order)
                    < (best.total, best.since, best.order)
                )
            ):
                best = agent
        if best is None:
            self.waiting.append(task)
            return []
        return [self._assign(task, best, now)]

    def complete(self, task_id: str, now: float) -> list[tuple[str, str]]:
        task = self.tasks.pop(task_id)
        agent = task.agent
        assert agent is not None
        agent.load[task.spec.channel] -= 1
        agent.total -= 1
        agent.excl -= task.spec.channel in self.exclusive
        agent.since = now
        agent.order = self._next_order()
        return self._fill(agent, now)

    def _fill(self, agent: _Agent, now: float) -> list[tuple[str, str]]:
        out = []
        while True:
            best: _Task | None = None
            for task in self.waiting:  # the scan over all waiting tasks
                if (
                    _skilled(agent, task.needs)
                    and agent.room(task.spec.channel, self.exclusive)
                    and (best is None or (task.rank, task.seq) < (best.rank, best.seq))
                ):
                    best = task
            if best is None:
                return out
            self.waiting.remove(best)
            out.append(self._assign(best, agent, now))

    def _assign(self, task: _Task, agent: _Agent, now: float) -> tuple[str, str]:
        ch = task.spec.channel
        agent.load[ch] = agent.load.get(ch, 0) + 1
        agent.total += 1
        agent.excl += ch in self.exclusive
        agent.since = now
        agent.order = self._next_order()
        task.agent = agent
        return task.spec.id, agent.spec.id


def _skilled(agent: _Agent, needs: tuple[SkillReq, ...]) -> bool:
    skills = agent.spec.skills
    for need in needs:  # noqa: SIM110 - a plain loop: this is the baseline's innermost check
        if skills.get(need.name, 0) < need.level:
            return False
    return True
