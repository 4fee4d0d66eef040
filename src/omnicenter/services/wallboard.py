"""The supervisor wallboard's figures and charts.

The figures per channel and agent come from the database (`database_figures`); when routing
runs, `live_figures` puts the routing engine's own views over them: what the engine holds is
what customers wait for. Charts read the metric buckets (the same counters and formulas as
`GET /kpis`), so the wallboard and the reports never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, func, select

from omnicenter.domain import CaseStatus, Presence
from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.metrics.config import day_bounds
from omnicenter.metrics.counters import Counters
from omnicenter.metrics.kpis import Grain, kpis
from omnicenter.routing.views import Snapshot, TaskView
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t
from omnicenter.store.metrics import query_counters

__all__ = [
    "SERVICE_LEVEL_TARGET",
    "SERVICE_TARGET_S",
    "charts",
    "database_figures",
    "live_figures",
]

SERVICE_LEVEL_TARGET = 0.8  # the line on the service-level chart (routing's default target)
# Answer targets behind the service level: a chat waits seconds, an email hours.
SERVICE_TARGET_S: dict[str, int] = {
    "webchat": 60,
    "voice": 20,
    "sms": 900,
    "messenger": 900,
    "email": 4 * 3600,
    "form": 4 * 3600,
}
_WORKING = (Presence.AVAILABLE.value, Presence.BUSY.value)


def _aware(value: datetime, now: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)


def _channel_figures() -> dict[str, Any]:
    return {"waiting": 0, "longest_wait_s": 0, "open": 0, "answered": 0, "in_target": 0,
            "offered": 0, "abandoned": 0, "breaches": 0}  # fmt: skip


def database_figures(conn: Connection, now: datetime) -> dict[str, Any]:
    """Figures per channel (open and today's cases) and agents, plus today's hourly service
    level and volume, as the database has them."""
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    first_reply = (
        select(t.events.c.case_id, func.min(t.events.c.created_at).label("first_out"))
        .where(
            t.events.c.kind == EventKind.MESSAGE_OUT.value,
            t.events.c.author_type == AuthorType.AGENT.value,
        )
        .group_by(t.events.c.case_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            t.cases.c.id,
            t.cases.c.origin,
            t.cases.c.status,
            t.cases.c.owner_agent_id,
            t.cases.c.created_at,
            t.cases.c.sla_due_at,
            first_reply.c.first_out,
        )
        .outerjoin(first_reply, first_reply.c.case_id == t.cases.c.id)
        .where((t.cases.c.created_at >= day_start) | cases_repo.CASE_IS_OPEN)
    ).all()
    channels: dict[str, dict[str, Any]] = defaultdict(_channel_figures)
    hourly_total: Counter[int] = Counter()
    hourly_ok: Counter[int] = Counter()
    for r in rows:
        ch = channels[r.origin]
        created = _aware(r.created_at, now)
        is_open = CaseStatus(r.status).is_open
        target = SERVICE_TARGET_S.get(r.origin, 3600)
        if is_open:
            ch["open"] += 1
            if r.first_out is None:
                ch["waiting"] += 1
                ch["longest_wait_s"] = max(
                    ch["longest_wait_s"], int((now - created).total_seconds())
                )
            if r.sla_due_at is not None and _aware(r.sla_due_at, now) < now:
                ch["breaches"] += 1
        if created < day_start:
            continue
        ch["offered"] += 1
        answered_s = (_aware(r.first_out, now) - created).total_seconds() if r.first_out else None
        if answered_s is not None:
            ch["answered"] += 1
        ok = answered_s is not None and answered_s <= target
        if ok:
            ch["in_target"] += 1
        if not is_open and answered_s is None:
            ch["abandoned"] += 1
        # A case still waiting within its target is not (yet) counted against the level.
        if answered_s is not None or (now - created).total_seconds() > target:
            hourly_total[created.hour] += 1
            hourly_ok[created.hour] += int(ok)
    for ch in channels.values():
        judged = ch["answered"] + ch["abandoned"]
        ch["service_level"] = round(ch["in_target"] / judged, 3) if judged else None
        ch["abandon_rate"] = round(ch["abandoned"] / ch["offered"], 3) if ch["offered"] else 0.0
    agents = _agents(conn, now)
    capacity = sum(max(a["max_total"], 1) for a in agents if a["presence"] in _WORKING)
    busy = sum(a["open_cases"] for a in agents if a["presence"] in _WORKING)
    return {
        "at": now.isoformat(),
        "channels": {k: channels[k] for k in sorted(channels)},
        "agents": agents,
        "agents_by_state": dict(Counter(a["presence"] for a in agents)),
        "occupancy": round(min(busy / capacity, 1.0), 3) if capacity else 0.0,
        "service_level_by_hour": [
            {"hour": h, "service_level": round(hourly_ok[h] / hourly_total[h], 3)}
            for h in sorted(hourly_total)
        ],
        "breaches": sum(c["breaches"] for c in channels.values()),
    }


def _agents(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    work: dict[str, list[str]] = defaultdict(list)
    for r in conn.execute(
        select(t.cases.c.id, t.cases.c.owner_agent_id).where(
            cases_repo.CASE_IS_OPEN, t.cases.c.owner_agent_id.is_not(None)
        )
    ):
        work[r.owner_agent_id].append(r.id)
    out = []
    for a in conn.execute(select(t.agents).order_by(t.agents.c.username)):
        since = _aware(a.presence_since, now) if a.presence_since else None
        out.append(
            {
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "presence": a.presence,
                "presence_reason": a.presence_reason,
                "time_in_state_s": int((now - since).total_seconds()) if since else None,
                "open_cases": len(work[a.id]),
                "case_ids": work[a.id][:10],
                "max_total": a.max_total,
            }
        )
    return out


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
            row["channel"], {**_channel_figures(), "service_level": None, "abandon_rate": 0.0}
        )
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
