"""What the engine shows a wallboard: queues by channel, agents by state (read-only views)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from omnicenter.domain import Presence
from omnicenter.routing.state import CHANNELS, AgentRt, TaskState
from omnicenter.routing.views import AgentView, QueueView, Snapshot

if TYPE_CHECKING:
    from omnicenter.routing.engine import RoutingEngine

__all__ = ["agent_view", "build_snapshot"]


def build_snapshot(engine: RoutingEngine, now: float) -> Snapshot:
    first: dict[tuple[str, int], float] = {}  # earliest arrival still waiting, by queue/channel
    for t in engine._live():
        if t.filed:
            key = (t.q.name, t.ci)
            if t.arrival < first.get(key, now):
                first[key] = t.arrival
    queues = []
    for q in engine._queues.values():
        for ci, ch in enumerate(CHANNELS):
            stats = q.stats[ci]
            if q.cfg.channels is not None and ch not in q.cfg.channels and not stats.waiting:
                continue
            if q.cfg.channels is None and not (stats.waiting or stats.answered or stats.abandoned):
                continue
            oldest = now - first.get((q.name, ci), now)
            sla = q.cfg.sla_for(ch)
            queues.append(
                QueueView(
                    q.name,
                    ch,
                    stats.waiting,
                    oldest,
                    engine._ewt(q, ci, stats.waiting),
                    stats.answered,
                    stats.in_sla,
                    stats.abandoned,
                    stats.in_sla / stats.answered if stats.answered else None,
                    sla.target,
                    sla.within,
                    engine._is_open(q, now),
                )
            )
    agents = tuple(agent_view(engine, a) for a in engine._agents if a is not None)
    by_state: dict[Presence, int] = {}
    for view in agents:
        by_state[view.state] = by_state.get(view.state, 0) + 1
    waiting = sum(1 for t in engine._live() if t.state == TaskState.WAITING)
    return Snapshot(now, tuple(queues), agents, by_state, waiting)


def agent_view(engine: RoutingEngine, a: AgentRt) -> AgentView:
    if a.presence is Presence.AVAILABLE:
        if a.wrap_until:
            state = Presence.WRAP_UP
        else:
            state = Presence.AVAILABLE if engine._room(a) else Presence.BUSY
    else:
        state = a.presence
    load = {CHANNELS[ci]: a.load(ci) for ci in range(len(CHANNELS)) if a.load(ci)}
    return AgentView(
        a.id, state, a.reason, load, a.team, a.partner, a.offered, a.accepted, a.rejected, a.missed
    )
