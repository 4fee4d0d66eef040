"""`RoutingPort` over the real routing engine: the simulator drives `omnicenter.routing`.

The planning model is translated once into a `RoutingConfig` (one queue per `QueueSpec`:
its channel, required skills with levels, SLA time, max-wait overflow to a partner queue)
and one routing `AgentSpec` per planning agent (skills with levels, capacity per channel,
`max_total`, team, partner). Offers are switched off (`offer_timeout = 0`): an agent is
assigned at once, as an auto-answering desktop would be, so every pairing is an `Assigned`
decision. Shifts are presence: on shift is `available`, off shift `offline` (work in hand
is finished). Everything else — order of waiting contacts (priority, SLA deadline, aging),
agent choice (longest idle), exclusive voice, blended capacity — is the engine's own rule.

Task ids are `str(index)` and agent ids `str(index)`; the adapter turns the engine's
decisions back into `(task, agent)` integer pairs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from omnicenter.domain import Channel, Presence
from omnicenter.planning.router_port import Assignment
from omnicenter.planning.sim_model import AgentSpec, CenterModel, QueueSpec
from omnicenter.routing import (
    AgentSpec as RoutingAgentSpec,
)
from omnicenter.routing import (
    Assigned,
    Decision,
    EngineSettings,
    OverflowRule,
    QueueConfig,
    RoutingConfig,
    RoutingEngine,
    SkillReq,
    SlaTarget,
    TaskSpec,
)

__all__ = [
    "CHANNEL_ALIASES",
    "EnginePort",
    "engine_router",
    "routing_agent",
    "routing_channel",
    "routing_config",
]

# Planning models may say "chat" or "phone"; the engine knows the domain's channels.
CHANNEL_ALIASES: Mapping[str, Channel] = {
    "chat": Channel.WEBCHAT,
    "phone": Channel.VOICE,
    "call": Channel.VOICE,
    "mail": Channel.EMAIL,
}
_NONE: list[Assignment] = []  # shared empty answer; the simulator never mutates it


def routing_channel(name: str) -> Channel:
    """The engine's channel for a planning channel name (`voice`, `webchat`, `chat`, ...)."""
    try:
        return Channel(name)
    except ValueError:
        pass
    alias = CHANNEL_ALIASES.get(name)
    if alias is None:
        known = sorted({c.value for c in Channel} | set(CHANNEL_ALIASES))
        raise ValueError(f"unknown channel {name!r}; expected one of {known}")
    return alias


def _queue_config(q: QueueSpec) -> QueueConfig:
    ch = routing_channel(q.channel)
    overflow: tuple[OverflowRule, ...] = ()
    if q.overflow_to is not None and math.isfinite(q.overflow_after):
        overflow = (OverflowRule("max_wait", q.overflow_to, after=q.overflow_after),)
    return QueueConfig(
        name=q.name,
        channels=frozenset({ch}),
        skills=tuple(SkillReq(n, lv) for n, lv in sorted(q.requirement().items())),
        sla={ch: SlaTarget(0.8, q.sl_time)},  # `within` orders the queue; target is cosmetic
        overflow=overflow,
        handle_time={ch: q.handle_time},
    )


def routing_config(model: CenterModel, engine: Mapping[str, Any] | None = None) -> RoutingConfig:
    """The engine configuration for a planning model.

    `engine` overrides `EngineSettings` fields (e.g. `{"aging": 0}` for strict priority,
    `{"history_limit": 100}` to `explain` finished tasks); `offer_timeout` is always 0: the
    simulator has nobody to accept offers.
    """
    fields: dict[str, Any] = {
        "exclusive_channels": frozenset(routing_channel(c) for c in model.exclusive_channels),
        "history_limit": 0,  # the simulator keeps its own per-contact record
        **(engine or {}),
        "offer_timeout": 0.0,
    }
    settings = EngineSettings(**fields)
    queues = {q.name: _queue_config(q) for q in model.queues}
    return RoutingConfig(engine=settings, queues=queues)


def routing_agent(index: int, spec: AgentSpec, model: CenterModel) -> RoutingAgentSpec:
    """The engine's view of planning agent `index`: skills with levels, capacity per channel
    of the queues it serves, blended total, team and partner flag."""
    names = model.queue_index()
    capacity: dict[Channel, int] = {}
    for n in spec.queues:
        ch = model.queues[names[n]].channel
        capacity[routing_channel(ch)] = spec.cap(ch)
    return RoutingAgentSpec(
        id=str(index),
        skills=spec.skill_levels(names),
        capacity=capacity,
        max_total=spec.max_total,
        team=spec.team,
        partner=spec.partner,
    )


class EnginePort:
    """The simulator's `RoutingPort`, implemented by a `RoutingEngine`."""

    def __init__(self, model: CenterModel, engine: Mapping[str, Any] | None = None) -> None:
        self.model = model
        self.engine = RoutingEngine(routing_config(model, engine), now=0.0)
        self._qname = [q.name for q in model.queues]
        self._qch = [routing_channel(q.channel) for q in model.queues]
        self._qprio = [q.priority for q in model.queues]
        self._agent_index: dict[str, int] = {}
        # Bound once: these run a few million times in a month's simulation.
        self._submit = self.engine.submit
        self._complete = self.engine.complete
        # Only max-wait overflow sets engine timers here (no offers, wrap-up or hours).
        self._timed = any(r.overflow for r in self.engine.config.queues.values())

    def _pairs(self, decisions: list[Decision]) -> list[Assignment]:
        if not decisions:
            return _NONE
        agents = self._agent_index
        if len(decisions) == 1:  # the common case (one assignment), without a comprehension
            d = decisions[0]
            if d.__class__ is Assigned:
                return [(int(d.task_id), agents[d.agent_id])]
            return _NONE
        return [(int(d.task_id), agents[d.agent_id]) for d in decisions if d.__class__ is Assigned]

    def add_agent(self, agent: int, spec: AgentSpec, now: float) -> list[Assignment]:
        rspec = routing_agent(agent, spec, self.model)
        self._agent_index[rspec.id] = agent
        return self._pairs(self.engine.add_agent(rspec, now, Presence.OFFLINE))

    def set_available(self, agent: int, available: bool, now: float) -> list[Assignment]:
        presence = Presence.AVAILABLE if available else Presence.OFFLINE
        return self._pairs(self.engine.set_presence(str(agent), presence, now))

    def submit(self, task: int, queue: int, now: float) -> list[Assignment]:
        spec = TaskSpec(str(task), self._qname[queue], self._qch[queue], self._qprio[queue])
        out = self._submit(spec, now)
        if not out:
            return _NONE
        d = out[0]
        if len(out) == 1 and d.__class__ is Assigned:  # found an agent at once: no loop
            return [(task, self._agent_index[d.agent_id])]
        return self._pairs(out)

    def complete(self, task: int, now: float) -> list[Assignment]:
        out = self._complete(str(task), now)
        return self._pairs(out) if out else _NONE

    def cancel(self, task: int, now: float) -> list[Assignment]:
        return self._pairs(self.engine.cancel(str(task), now))

    def advance(self, now: float) -> list[Assignment]:
        return self._pairs(self.engine.advance(now))

    def next_wakeup(self) -> float | None:
        return self.engine.next_timer() if self._timed else None


def engine_router(model: CenterModel) -> EnginePort:
    """The default `RouterFactory` of `simulate`: the real engine with default settings."""
    return EnginePort(model)
