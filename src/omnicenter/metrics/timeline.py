"""From stored timeline rows (`events` table) to metric events.

The routing integration records each routing fact as a timeline event; this table is the
contract (`meta` keys in brackets; `task_id` falls back to the row's interaction id):

| events.kind       | metric kind    | meta read                                          |
|-------------------|----------------|----------------------------------------------------|
| task_queued       | offered        | task_id, queue, sl_target_s, segment               |
| task_answered     | answered       | task_id, agent_id, team                            |
| task_abandoned    | abandoned      | task_id                                            |
| task_transferred  | transferred    | task_id                                            |
| task_completed    | ended          | task_id, talk_s, hold_s, wrap_s                    |
| csat              | csat           | task_id, score                                     |
| status            | resolved       | status == "resolved" (others ignored), queue, segment |
| promise_made      | promise_made   | promise_id, due_at (ISO 8601), queue, segment      |
| promise_kept      | promise_kept   | promise_id                                         |
| promise_broken    | promise_broken | promise_id                                         |

`channel` and `case_id` come from the row's columns. Agent presence is not on the
timeline (a timeline row belongs to a customer): feed `agent_state` events from presence
changes directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from omnicenter.metrics.events import MetricEvent, MetricKind

__all__ = ["TIMELINE_KINDS", "from_timeline"]

TIMELINE_KINDS: dict[str, MetricKind] = {
    "task_queued": MetricKind.OFFERED,
    "task_answered": MetricKind.ANSWERED,
    "task_abandoned": MetricKind.ABANDONED,
    "task_transferred": MetricKind.TRANSFERRED,
    "task_completed": MetricKind.ENDED,
    "csat": MetricKind.CSAT,
    "status": MetricKind.RESOLVED,
    "promise_made": MetricKind.PROMISE_MADE,
    "promise_kept": MetricKind.PROMISE_KEPT,
    "promise_broken": MetricKind.PROMISE_BROKEN,
}


def _f(meta: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    v = meta.get(key)
    return float(v) if v is not None else default


def _s(meta: Mapping[str, Any], key: str) -> str:
    v = meta.get(key)
    return str(v) if v is not None else ""


def from_timeline(
    kind: str,
    meta: Mapping[str, Any],
    created_at: datetime,
    *,
    channel: str | None = None,
    case_id: str | None = None,
    interaction_id: str | None = None,
) -> MetricEvent | None:
    """The metric event a timeline row stands for, or None if it feeds no KPI.

    Routing facts are stored with `kind="routing"` and the fact name in `meta["fact"]`."""
    if kind == "routing":
        kind = str(meta.get("fact", ""))
    mk = TIMELINE_KINDS.get(kind)
    if mk is None or (mk is MetricKind.RESOLVED and meta.get("status") != "resolved"):
        return None
    is_promise = mk in (MetricKind.PROMISE_MADE, MetricKind.PROMISE_KEPT, MetricKind.PROMISE_BROKEN)
    contact = _s(meta, "promise_id" if is_promise else "task_id") or (interaction_id or "")
    due = meta.get("due_at")
    due_at = None
    if isinstance(due, str):
        due_at = datetime.fromisoformat(due)
        due_at = due_at.replace(tzinfo=UTC) if due_at.tzinfo is None else due_at
    return MetricEvent(
        kind=mk,
        at=created_at,
        contact_id=contact,
        case_id=case_id or "",
        queue=_s(meta, "queue"),
        channel=channel or _s(meta, "channel"),
        segment=_s(meta, "segment"),
        agent=_s(meta, "agent_id"),
        team=_s(meta, "team"),
        sl_target_s=_f(meta, "sl_target_s", 20.0),
        talk_s=_f(meta, "talk_s"),
        hold_s=_f(meta, "hold_s"),
        wrap_s=_f(meta, "wrap_s"),
        score=int(_f(meta, "score")),
        due_at=due_at,
    )
