"""The supervisor wallboard's charts and live figures.

Charts read the metric buckets (the same counters and formulas as `GET /kpis`), so the
wallboard and the reports never disagree. Live figures come from the routing engine's own
views when routing runs: what the engine holds is what customers wait for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection

from omnicenter.metrics.config import day_bounds
from omnicenter.metrics.counters import Counters
from omnicenter.metrics.kpis import Grain, kpis
from omnicenter.routing.views import Snapshot, TaskView
from omnicenter.store.metrics import query_counters

__all__ = ["SERVICE_LEVEL_TARGET", "charts", "live_figures"]

SERVICE_LEVEL_TARGET = 0.8  # the line on the service-level chart (routing's default target)


def _breaches(c: Counters) -> int:
    """Contacts settled outside the target: answered late, or abandoned (not short)."""
    return round((c.handled - c.answered_in_sl) + (c.abandoned - c.short_abandoned))


def charts(
    conn: Connection,
    now: datetime,
    grain: Grain = Grain.HOUR,
    target: float | None = None,
    tz: tzinfo = UTC,
) -> dict[str, Any]:
    """Today (the center's day, as `GET /kpis` has it) per interval: service level against
    its target, volume and breaches per channel, from the metric buckets."""
    if grain not in (Grain.QUARTER, Grain.HOUR):
        raise ValueError("grain must be quarter or hour")
    today = now.astimezone(tz).date()
    day, end = day_bounds(today, tz)
    intervals = query_counters(conn, day, end, ("channel",), grain, tz=tz)
    by_interval: dict[int, Counters] = {}
    by_channel: dict[str, Counters] = {}
    for (start, channel), c in intervals.items():
        by_interval.setdefault(int(start), Counters()).add(c)
        by_channel.setdefault(str(channel), Counters()).add(c)
    service_level = []
    for start in sorted(by_interval):
        c = by_interval[start]
        k = kpis(c)
        service_level.append(
            {
                "interval_start": datetime.fromtimestamp(start, tz).isoformat(),
                "service_level": round(k.service_level, 3),
                "offered": k.offered,
                "answered_in_sl": round(c.answered_in_sl),
                "breaches": _breaches(c),
            }
        )
    channels = []
    for name in sorted(by_channel):
        c = by_channel[name]
        k = kpis(c)
        channels.append(
            {
                "channel": name,
                "offered": k.offered,
                "handled": k.handled,
                "abandoned": k.abandoned,
                "service_level": round(k.service_level, 3),
                "breaches": _breaches(c),
            }
        )
    return {
        "at": now.isoformat(),
        "day": today.isoformat(),
        "timezone": str(tz),
        "grain": grain.name.lower(),
        "target": SERVICE_LEVEL_TARGET if target is None else target,
        "service_level": service_level,
        "channels": channels,
    }


def live_figures(
    board: dict[str, Any], snap: Snapshot, offered: Iterable[TaskView]
) -> dict[str, Any]:
    """The wallboard with its live figures taken from the routing engine.

    Waiting counts the tasks filed in a queue plus those offered but not yet accepted (the
    customer still waits for them); agents by state use the engine's view (busy = at capacity).
    """
    now = snap.at
    channels: dict[str, dict[str, Any]] = {
        name: {**figures, "waiting": 0, "longest_wait_s": 0}
        for name, figures in board["channels"].items()
    }
    queues: list[dict[str, Any]] = []
    for q in snap.queues:
        queues.append(
            {
                "queue": q.queue,
                "channel": q.channel.value,
                "waiting": q.waiting,
                "longest_wait_s": int(q.oldest_wait),
                "estimated_wait_s": None if q.estimated_wait is None else int(q.estimated_wait),
                "service_level": None if q.service_level is None else round(q.service_level, 3),
                "sla_target": q.sla_target,
                "open": q.open,
            }
        )
    by_key = {(q["queue"], q["channel"]): q for q in queues}
    for task in offered:
        row = by_key.get((task.queue, task.channel.value))
        if row is None:
            continue
        row["waiting"] += 1
        row["longest_wait_s"] = max(row["longest_wait_s"], int(now - task.arrived_at))
    for row in queues:
        if not row["waiting"] and row["channel"] not in channels:
            continue  # a channel the queue could take but nobody used today
        ch = channels.setdefault(
            row["channel"],
            {"waiting": 0, "longest_wait_s": 0, "open": 0, "answered": 0, "in_target": 0,
             "offered": 0, "abandoned": 0, "breaches": 0, "service_level": None,
             "abandon_rate": 0.0},
        )  # fmt: skip
        ch["waiting"] += row["waiting"]
        ch["longest_wait_s"] = max(ch["longest_wait_s"], row["longest_wait_s"])
    routing_state = {a.agent_id: a.state.value for a in snap.agents}
    agents = [{**a, "routing_state": routing_state.get(a["id"])} for a in board["agents"]]
    return {
        **board,
        "source": "routing",
        "channels": {k: channels[k] for k in sorted(channels)},
        "queues": queues,
        "agents": agents,
        "agents_by_state": {s.value: n for s, n in snap.agents_by_state.items()},
    }
