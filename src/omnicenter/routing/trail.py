"""A task's history: the decisions written out, then the ones still pending as fields.

Most tasks have the same story: they wait in a lane, widen at their stages, and are
assigned. Kept as decision objects, that story was three objects and a list per task, held
for minutes (until the task finished and then until the ring of finished tasks dropped
it) and freed cold: a quarter of a decision's last-level cache misses when agents free up.
So the engine keeps those entries pending, as fields of the task (`w_*`: stages `w_from` to
`w_to` of lanes `w_lanes`, reached `offsets[k]` after `w_base`; `a_*`: the assignment),
and writes them out as objects only when something else joins the history (`flush`, which
keeps the order) or when someone reads it (`history`, which changes nothing).
"""

from __future__ import annotations

from omnicenter.routing.decisions import Assigned, Decision, Widened
from omnicenter.routing.state import CHANNELS, Finished, Lanes, TaskRt

__all__ = ["flush", "history", "log", "pending"]


def pending(rec: TaskRt | Finished) -> list[Decision]:
    """The entries not written out yet, as decisions (in order: widening, then assignment)."""
    out: list[Decision] = []
    lanes = rec.w_lanes
    if lanes is not None:
        out += [_widened(rec.id, lanes, k, rec.w_base) for k in range(rec.w_from, rec.w_to + 1)]
    rule, req = rec.a_rule, rec.a_req
    if rule is not None and req is not None:
        at, agent, channel, idle = rec.assigned_at, rec.a_agent, CHANNELS[rec.a_ci], rec.a_idle
        out.append(Assigned(rec.id, at, agent, rule, req, channel, idle, rec.a_scope, rec.a_excl))
    return out


def history(rec: TaskRt | Finished) -> list[Decision]:
    """Everything that happened to the task, oldest first."""
    written = rec.history
    return [*(written or ()), *pending(rec)]


def flush(t: TaskRt) -> list[Decision]:
    """Write the pending entries out; returns the written history."""
    written = t.history
    if written is None:
        written = t.history = []
    if t.w_lanes is not None or t.a_rule is not None:
        written += pending(t)
        t.w_lanes = None
        t.a_rule = None
        t.a_req = None
    return written


def log(t: TaskRt, decision: Decision) -> None:
    """Add a decision to the task's history, after what is pending."""
    flush(t).append(decision)


def _widened(task_id: str, lanes: Lanes, stage: int, base: float) -> Widened:
    return Widened(
        task_id, base + lanes.offsets[stage], stage, lanes.stages[stage][0].req,
        lanes.texts[stage - 1],
    )  # fmt: skip
