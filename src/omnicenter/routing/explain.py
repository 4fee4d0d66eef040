"""Explanations: what the engine did with a task and why each other agent did not get it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from omnicenter.domain import Presence
from omnicenter.routing.skills import Requirement
from omnicenter.routing.state import CHANNELS, AgentRt, Finished, TaskRt, TaskState
from omnicenter.routing.trail import history

if TYPE_CHECKING:
    from omnicenter.routing.engine import RoutingEngine

__all__ = ["agent_reason", "explain_finished", "explain_task", "why_not"]


def explain_task(engine: RoutingEngine, t: TaskRt) -> str:
    lines = _story(t.id, t.ci, t.q.name, t.prio, t.state, t.arrival, t.deadline, history(t))
    if t.state == TaskState.WAITING:
        if t.target is not None:
            lines.append(
                f"  waiting for {t.target.id} ({t.target_rule}) until {t.target_until:.0f}"
            )
        for p in t.pools:
            lines.append(f"  waiting for: {p.req} on {CHANNELS[p.ci].value}")
            lines += [f"    {aid}: {why}" for aid, why in why_not(engine, p.req, t, None, 10)]
    return "\n".join(lines)


def explain_finished(rec: Finished) -> str:
    return "\n".join(
        _story(
            rec.id,
            rec.ci,
            rec.queue,
            rec.prio,
            TaskState.DONE,
            rec.arrival,
            rec.deadline,
            history(rec),
        )
    )


def _story(
    task_id: str,
    ci: int,
    queue: str,
    prio: int,
    state: int,
    arrival: float,
    deadline: float,
    history: list[Any],
) -> list[str]:
    """The task's line, then what happened to it."""
    lines = [
        f"task {task_id}: {CHANNELS[ci].value} in queue {queue}, priority {prio}, "
        f"{TaskState.NAMES[state]}, arrived {arrival:.0f}, SLA deadline {deadline:.0f}"
    ]
    lines += [f"  {d.at:.0f}: {d.explain()}" for d in history]
    return lines


def why_not(
    engine: RoutingEngine, req: Requirement, t: TaskRt, chosen: AgentRt | None, limit: int
) -> list[tuple[str, str]]:
    """Up to `limit` agents who match `req` but are not `chosen`, each with the reason."""
    out: list[tuple[str, str]] = []
    ci = t.ci
    for a in engine._candidates(req):
        if len(out) >= limit:
            break
        if a is chosen or not req.matches(a.skills, a.team, a.role):
            continue
        out.append((a.id, agent_reason(engine, a, ci, t)))
    return out


def agent_reason(engine: RoutingEngine, a: AgentRt, ci: int, t: TaskRt) -> str:
    channel = CHANNELS[ci].value
    if a.presence is not Presence.AVAILABLE:
        return f"{a.presence.value}" + (f" ({a.reason})" if a.reason else "")
    if a.wrap_until:
        return f"in wrap-up until {a.wrap_until:.0f}"
    if not a.cap[ci]:
        return f"does not handle {channel}"
    if t.excluded and a.idx in t.excluded:
        return "declined or missed this task"
    if a.excl:
        return "on an exclusive call"
    if a.load(ci) >= a.cap[ci]:
        return f"at {channel} capacity {a.load(ci)}/{a.cap[ci]}"
    if a.total >= a.max_total:
        return f"at total capacity {a.total}/{a.max_total}"
    if engine._xmask >> ci & 1 and a.total:
        return f"{channel} is exclusive and the agent has {a.total} task(s)"
    return f"could take it (idle since {a.since:.0f}, {a.total} task(s))"
