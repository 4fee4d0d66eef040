"""What callers tell the engine about agents and tasks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from omnicenter.domain import Agent, AgentRole, Channel, Priority
from omnicenter.routing.skills import SkillReq

__all__ = ["AgentSpec", "TaskSpec"]


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """An agent as routing sees them: skills with levels 1..5 and capacity per channel.

    `capacity[channel]` is how many tasks of that channel at once (at most 255: more counts
    as 255); `max_total` caps the sum. Channels missing from `capacity` are not handled. A
    callback is a call: when `capacity` names voice but not callback, the voice capacity
    applies to callbacks too.
    """

    id: str
    skills: Mapping[str, int] = field(default_factory=dict)
    capacity: Mapping[Channel, int] = field(default_factory=lambda: {Channel.VOICE: 1})
    max_total: int = 1
    team: str = "default"
    role: AgentRole = AgentRole.AGENT
    partner: bool = False

    def capacity_for(self, channel: Channel) -> int:
        if channel in self.capacity:
            return self.capacity[channel]
        if channel is Channel.CALLBACK:
            return self.capacity.get(Channel.VOICE, 0)
        return 0

    @classmethod
    def from_agent(cls, agent: Agent) -> AgentSpec:
        """Build from the domain `Agent`: each listed channel gets its capacity (default 1)."""
        capacity = {ch: int(agent.capacity.get(ch.value, 1)) for ch in agent.channels}
        return cls(
            id=agent.id,
            skills=dict(agent.skills),
            capacity=capacity,
            max_total=agent.max_total,
            team=agent.team,
            role=agent.role,
            partner=agent.partner,
        )


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A contact waiting for an agent.

    `skills` are required on top of the queue's; `preferred` are wanted until widening drops
    them. `last_agent_id`/`last_handled_at` let the store feed sticky routing for a returning
    customer; `personal_agent_id` is the customer's own agent (used by value rules).
    `callback_at` makes this a scheduled callback: it enters the queue at that time.
    `arrived_at` is when the customer started waiting, if earlier than the submit (IVR time).
    """

    id: str
    queue: str
    channel: Channel
    priority: int = Priority.NORMAL
    skills: tuple[SkillReq, ...] = ()
    preferred: tuple[SkillReq, ...] = ()
    customer_id: str | None = None
    case_id: str | None = None
    customer_value: float = 0.0
    segment: str | None = None
    last_agent_id: str | None = None
    last_handled_at: float | None = None
    personal_agent_id: str | None = None
    callback_at: float | None = None
    arrived_at: float | None = None
