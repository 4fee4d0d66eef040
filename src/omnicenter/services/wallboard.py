"""The supervisor wallboard's figures and charts.

The figures per channel and agent come from the database (`database_figures`); when routing
runs, `live_figures` puts the routing engine's own views over them: what the engine holds is
what customers wait for. Charts read the metric buckets (the same counters and formulas as
`GET /kpis`), so the wallboard and the reports never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, func, select

from omnicenter.domain import CaseStatus, Presence
from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.metrics.config import SERVICE_LEVEL_TARGET, day_bounds
from omnicenter.metrics.counters import Counters
from omnicenter.metrics.format import COLUMNS
from omnicenter.metrics.kpis import Grain, Kpis, RollupKey
from omnicenter.metrics.palette import channel_colour
from omnicenter.metrics.tables import Fetch, kpi_rows
from omnicenter.routing.views import Snapshot, TaskView
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t
from omnicenter.store.metrics import query_counters

__all__ = [
    "SERVICE_LEVEL_TARGET",
    "channel_kpis",
    "charts",
    "database_figures",
    "figures",
    "live_figures",
]

_WORKING = (Presence.AVAILABLE.value, Presence.BUSY.value)


def _aware(value: datetime, now: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)


def _channel_figures() -> dict[str, Any]:
    return {"waiting": 0, "longest_wait_s": 0, "open": 0, "answered": 0, "offered": 0,
            "abandoned": 0, "breaches": 0, "service_level": None, "abandon_rate": None}  # fmt: skip


def database_figures(conn: Connection, now: datetime) -> dict[str, Any]:
    """Figures per channel (open and today's cases) and agents, as the database has them.
    Service level and abandon rate are KPIs: `figures` adds them from the metric buckets."""
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
    for r in rows:
        ch = channels[r.origin]
        created = _aware(r.created_at, now)
        is_open = CaseStatus(r.status).is_open
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
        if r.first_out is not None:
            ch["answered"] += 1
        elif not is_open:
            ch["abandoned"] += 1
    agents = _agents(conn, now)
    capacity = sum(max(a["max_total"], 1) for a in agents if a["presence"] in _WORKING)
    busy = sum(a["open_cases"] for a in agents if a["presence"] in _WORKING)
    return {
        "at": now.isoformat(),
        "channels": {k: channels[k] for k in sorted(channels)},
        "agents": agents,
        "agents_by_state": dict(Counter(a["presence"] for a in agents)),
        # Work held now against the capacity of agents at work (not a KPI: see `figures`).
        "capacity_in_use": round(min(busy / capacity, 1.0), 3) if capacity else 0.0,
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


def _breaches(k: Kpis) -> int:
    """Contacts settled outside the target: answered late, or abandoned (not short)."""
    settled = k.handled + k.abandoned - k.short_abandoned
    return round(settled * (1.0 - k.service_level)) if settled else 0


def _today(conn: Connection, now: datetime, tz: tzinfo) -> tuple[Fetch, datetime]:
    day, end = day_bounds(now.astimezone(tz).date(), tz)

    def fetch(by: Sequence[str], grain: Grain) -> dict[RollupKey, Counters]:
        return query_counters(conn, day, end, by, grain, tz=tz)

    return fetch, day


def _shown(row: dict[str, Any]) -> dict[str, str]:
    """The row's figures as people read them (the report's formatting)."""
    shares = ("service_level", "abandon_rate")
    return {k: COLUMNS[k].shown(v) for k, v in row.items() if k in shares or k == "occupancy"}


def channel_kpis(fetch: Fetch) -> dict[str, dict[str, Any]]:
    """Today's KPIs per channel: the one source of the wallboard's channel table and of its
    charts (the same rows as `GET /kpis?by=channel`)."""
    out: dict[str, dict[str, Any]] = {}
    for key, k in kpi_rows(fetch, ("channel",), Grain.TOTAL).items():
        row = {
            "offered": k.offered,
            "handled": k.handled,
            "abandoned": k.abandoned,
            "service_level": round(k.service_level, 3) if k.offered else None,
            "abandon_rate": round(k.abandon_rate, 3) if k.offered else None,
            "breaches": _breaches(k),
        }
        out[str(key[1])] = row
    return out


def figures(conn: Connection, now: datetime, tz: tzinfo = UTC) -> dict[str, Any]:
    """The wallboard: live figures from the database, today's KPIs from the metric buckets
    (offered, handled, abandoned, service level, abandon rate, occupancy)."""
    board = database_figures(conn, now)
    fetch, _ = _today(conn, now, tz)
    channels = board["channels"]
    for name, row in channel_kpis(fetch).items():
        ch = channels.setdefault(name, _channel_figures())
        ch.update({k: v for k, v in row.items() if k != "breaches"})
    for name, ch in channels.items():
        ch["colour"] = channel_colour(name)
        ch["shown"] = _shown({k: ch[k] for k in ("service_level", "abandon_rate")})
    total = kpi_rows(fetch, (), Grain.TOTAL).get((0,))
    occupancy = None if total is None or total.occupancy is None else round(total.occupancy, 3)
    return {
        **board,
        "channels": {k: channels[k] for k in sorted(channels)},
        "occupancy": occupancy,
        "shown": {"occupancy": COLUMNS["occupancy"].shown(occupancy)},
    }


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
    fetch, _ = _today(conn, now, tz)
    service_level = []
    for key, k in kpi_rows(fetch, (), grain).items():
        if not k.offered:
            continue
        service_level.append(
            {
                "interval_start": datetime.fromtimestamp(int(key[0]), tz).isoformat(),
                "service_level": round(k.service_level, 3),
                "offered": k.offered,
                "answered_in_sl": round(
                    k.service_level * (k.handled + k.abandoned - k.short_abandoned)
                ),
                "breaches": _breaches(k),
            }
        )
    channels = [
        {"channel": name, **row, "colour": channel_colour(name), "shown": _shown(row)}
        for name, row in sorted(channel_kpis(fetch).items())
    ]
    return {
        "at": now.isoformat(),
        "day": now.astimezone(tz).date().isoformat(),
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
        blank = _channel_figures()
        blank.update(colour=channel_colour(row["channel"]), shown=_shown(blank))
        ch = channels.setdefault(row["channel"], blank)
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
