"""Read-only views of the engine for a wallboard, the API and the simulator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omnicenter.domain import Channel, Presence

__all__ = ["AgentView", "QueueView", "Snapshot", "TaskView"]


@dataclass(frozen=True, slots=True)
class QueueView:
    queue: str
    channel: Channel
    waiting: int
    oldest_wait: float  # seconds the longest-waiting task has waited (0 when none)
    estimated_wait: float | None  # None: nobody staffed
    answered: int
    answered_in_sla: int
    abandoned: int
    service_level: float | None  # answered within the target time / answered
    sla_target: float
    sla_within: float
    open: bool


@dataclass(frozen=True, slots=True)
class AgentView:
    agent_id: str
    state: Presence  # busy = at capacity; wrap_up = timed wrap-up
    reason: str | None
    load: Mapping[Channel, int]
    team: str
    partner: bool
    offered: int
    accepted: int
    rejected: int
    missed: int


@dataclass(frozen=True, slots=True)
class TaskView:
    task_id: str
    queue: str
    channel: Channel
    state: str  # waiting | offered | assigned | scheduled | done
    agent_id: str | None
    priority: int
    arrived_at: float
    deadline: float
    attempts: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    at: float
    queues: tuple[QueueView, ...]
    agents: tuple[AgentView, ...]
    agents_by_state: Mapping[Presence, int]
    waiting: int
