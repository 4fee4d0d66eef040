"""Pre-aggregated KPI storage: 15-minute buckets updated as metric events arrive.

`metric_buckets` holds one row per (interval, queue, channel, segment, team, agent) with
the additive counters of `omnicenter.metrics.Counters`; its primary key starts with the
interval, so "KPIs for a day" is a range scan over a few thousand rows and a GROUP BY,
whatever the size of the timeline. `metric_state` keeps the fold's per-contact, per-case
and per-promise state between batches, so late facts land in the right bucket.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Float,
    PrimaryKeyConstraint,
    RowMapping,
    String,
    Table,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from omnicenter.metrics import (
    COUNTER_FIELDS,
    BucketKey,
    Counters,
    Fold,
    FoldState,
    Grain,
    Kpis,
    MetricEvent,
    MetricKind,
    MetricsConfig,
    kpis,
)
from omnicenter.metrics.fold import CaseState, ContactState, PromiseState
from omnicenter.metrics.kpis import RollupKey
from omnicenter.metrics.timeline import TIMELINE_KINDS, from_timeline
from omnicenter.store import tables as t
from omnicenter.store.tables import metadata

__all__ = [
    "metric_buckets",
    "metric_state",
    "query_counters",
    "query_kpis",
    "record",
    "timeline_events",
]

metric_buckets = Table(
    "metric_buckets",
    metadata,
    Column("interval_start", BigInteger, nullable=False),  # epoch seconds, UTC
    Column("queue", String(80), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("segment", String(40), nullable=False),
    Column("team", String(80), nullable=False),
    Column("agent", String(40), nullable=False),
    *(Column(name, Float, nullable=False) for name in COUNTER_FIELDS),
    PrimaryKeyConstraint("interval_start", "queue", "channel", "segment", "team", "agent"),
)

metric_state = Table(
    "metric_state",
    metadata,
    Column("kind", String(8), nullable=False),  # contact | case | promise
    Column("key", String(120), nullable=False),
    Column("at", Float, nullable=False, index=True),  # epoch seconds, for pruning
    Column("data", JSON, nullable=False),
    PrimaryKeyConstraint("kind", "key"),
)

_DIMS = ("queue", "channel", "segment", "team", "agent")
_CHUNK = 500  # ids per IN (...) list


def _insert(conn: Connection, table: Table) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def _load_state(conn: Connection, events: Sequence[MetricEvent]) -> FoldState:
    state = FoldState()
    promise_kinds = (MetricKind.PROMISE_MADE, MetricKind.PROMISE_KEPT, MetricKind.PROMISE_BROKEN)
    contacts = {e.contact_id for e in events if e.contact_id and e.kind not in promise_kinds}
    promises = {e.contact_id for e in events if e.kind in promise_kinds}
    cases = {e.case_id for e in events if e.kind is MetricKind.OFFERED and e.case_id}
    for data in _rows(conn, "case", cases):
        state.cases[data["key"]] = CaseState(**data["data"])
    contacts |= {c.last_contact for c in state.cases.values()}  # FCR marks the previous one
    for data in _rows(conn, "contact", contacts):
        state.contacts[data["key"]] = ContactState(**data["data"])
    for data in _rows(conn, "promise", promises):
        state.promises[data["key"]] = PromiseState(**data["data"])
    return state


def _rows(conn: Connection, kind: str, keys: set[str]) -> Iterable[RowMapping]:
    ks = sorted(keys)
    s = metric_state.c
    for i in range(0, len(ks), _CHUNK):
        q = select(s.key, s.data).where(s.kind == kind, s.key.in_(ks[i : i + _CHUNK]))
        yield from conn.execute(q).mappings()


def _save_state(conn: Connection, state: FoldState) -> None:
    rows: list[dict[str, Any]] = []
    for k, c in state.contacts.items():
        rows.append(
            {"kind": "contact", "key": k, "at": c.offered_at, "data": dataclasses.asdict(c)}
        )
    for k, cs in state.cases.items():
        rows.append(
            {"kind": "case", "key": k, "at": cs.last_offered_at, "data": dataclasses.asdict(cs)}
        )
    for k, p in state.promises.items():
        rows.append({"kind": "promise", "key": k, "at": p.due_at, "data": dataclasses.asdict(p)})
    if not rows:
        return
    ins = _insert(conn, metric_state)
    stmt = ins.on_conflict_do_update(
        index_elements=["kind", "key"], set_={"at": ins.excluded.at, "data": ins.excluded.data}
    )
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i : i + 5000])


def upsert_buckets(conn: Connection, buckets: Mapping[BucketKey, Counters]) -> None:
    """Add counters to their buckets (insert, or add to the row already there)."""
    if not buckets:
        return
    ins = _insert(conn, metric_buckets)
    cols = metric_buckets.c
    stmt = ins.on_conflict_do_update(
        index_elements=["interval_start", *_DIMS],
        set_={n: cols[n] + getattr(ins.excluded, n) for n in COUNTER_FIELDS},
    )
    rows = [
        {"interval_start": k.start, **dict(zip(_DIMS, k[1:], strict=True)), **c.as_dict()}
        for k, c in buckets.items()
    ]
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i : i + 5000])


def record(
    conn: Connection, events: Sequence[MetricEvent], config: MetricsConfig | None = None
) -> int:
    """Fold a batch of events (in time order) into the buckets; returns facts ignored.

    Call it in the unit of work that stores the events, so buckets commit with them.
    """
    fold = Fold(config, _load_state(conn, events))
    merged: dict[BucketKey, Counters] = {}
    for ev in events:
        for d in fold.apply(ev):
            c = merged.get(d.key)
            if c is None:
                c = merged[d.key] = Counters()
            c.bump(d.name, d.value)
    upsert_buckets(conn, merged)
    _save_state(conn, fold.state)
    return fold.ignored


def prune_state(conn: Connection, before: datetime) -> int:
    """Drop fold state older than `before` (keep at least the FCR window); returns rows."""
    res = conn.execute(metric_state.delete().where(metric_state.c.at < before.timestamp()))
    return int(res.rowcount or 0)


def query_counters(
    conn: Connection,
    start: datetime,
    end: datetime,
    by: Sequence[str] = (),
    grain: Grain = Grain.TOTAL,
    where: Mapping[str, str] | None = None,
) -> dict[RollupKey, Counters]:
    """Sum buckets with start <= interval < end, grouped like `omnicenter.metrics.rollup`."""
    bad = [d for d in (*by, *(where or {})) if d not in _DIMS]
    if bad:
        raise ValueError(f"unknown dimensions {bad}; use {_DIMS}")
    b = metric_buckets.c
    # `//` is integer division on both dialects (SQLAlchemy 2 makes `/` a true division)
    bucket = (b.interval_start // int(grain)) * int(grain) if grain else literal(0)
    keys = [bucket.label("t"), *(b[d] for d in by)]
    q = (
        select(*keys, *(func.sum(b[n]).label(n) for n in COUNTER_FIELDS))
        .where(
            b.interval_start >= int(start.astimezone(UTC).timestamp()),
            b.interval_start < int(end.astimezone(UTC).timestamp()),
            *(b[d] == v for d, v in (where or {}).items()),
        )
        .group_by(*keys)
    )
    out: dict[RollupKey, Counters] = {}
    for row in conn.execute(q):
        n = 1 + len(by)
        out[(int(row[0]), *row[1:n])] = Counters(*(float(v or 0.0) for v in row[n:]))
    return out


def query_kpis(
    conn: Connection,
    start: datetime,
    end: datetime,
    by: Sequence[str] = (),
    grain: Grain = Grain.TOTAL,
    where: Mapping[str, str] | None = None,
) -> dict[RollupKey, Kpis]:
    return {k: kpis(c) for k, c in query_counters(conn, start, end, by, grain, where).items()}


def timeline_events(
    conn: Connection, start: datetime | None = None, end: datetime | None = None
) -> list[MetricEvent]:
    """Metric events from the timeline rows (time order): for a rebuild, or a full scan."""
    e = t.events.c
    q = select(e.kind, e.meta, e.created_at, e.channel, e.case_id, e.interaction_id).where(
        e.kind.in_(list(TIMELINE_KINDS))
    )
    if start is not None:
        q = q.where(e.created_at >= start)
    if end is not None:
        q = q.where(e.created_at < end)
    out: list[MetricEvent] = []
    for r in conn.execute(q.order_by(e.created_at, e.id)):
        ev = from_timeline(
            r.kind,
            r.meta or {},
            r.created_at,
            channel=r.channel,
            case_id=r.case_id,
            interaction_id=r.interaction_id,
        )
        if ev is not None:
            out.append(ev)
    return out
