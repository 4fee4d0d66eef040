"""Pre-aggregated KPI storage: 15-minute buckets updated as metric events arrive.

`metric_buckets` holds one row per (interval, queue, channel, segment, team, agent) with
the additive counters of `omnicenter.metrics.Counters`; its primary key starts with the
interval, so "KPIs for a day" is a range scan over a few thousand rows and a GROUP BY,
whatever the size of the timeline. `metric_state` keeps the fold's per-contact, per-case
and per-promise state between batches, so late facts land in the right bucket.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
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
    LiveAggregator,
    MetricEvent,
    MetricKind,
    MetricsConfig,
    kpis,
)
from omnicenter.metrics.config import local_floor
from omnicenter.metrics.fold import CaseState, ContactState, PromiseState
from omnicenter.metrics.journeys import Journey, JourneyFold, JourneyState
from omnicenter.metrics.kpis import RollupKey
from omnicenter.metrics.timeline import TIMELINE_KINDS, from_timeline
from omnicenter.store import tables as t
from omnicenter.store.tables import metadata

__all__ = [
    "BulkLoader",
    "bulk_insert",
    "history_range",
    "metric_buckets",
    "metric_state",
    "query_counters",
    "query_journeys",
    "query_kpis",
    "rebuild_journeys",
    "record",
    "timeline_events",
    "timeline_row",
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


def _insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An insert that can say what to do on a conflict (both dialects spell it alike)."""
    if conn.dialect.name == "postgresql":
        return postgresql.Insert(table)
    return sqlite.Insert(table)


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


def _state_rows(state: FoldState) -> list[dict[str, Any]]:
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
    return rows


def _save_state(conn: Connection, state: FoldState) -> None:
    rows = _state_rows(state)
    if not rows:
        return
    ins = _insert(conn, metric_state)
    stmt = ins.on_conflict_do_update(
        index_elements=["kind", "key"], set_={"at": ins.excluded.at, "data": ins.excluded.data}
    )
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i : i + 5000])


def _bucket_rows(buckets: Mapping[BucketKey, Counters]) -> Iterator[dict[str, Any]]:
    for k, c in buckets.items():
        yield {"interval_start": k.start, **dict(zip(_DIMS, k[1:], strict=True)), **c.as_dict()}


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
    rows = list(_bucket_rows(buckets))
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i : i + 5000])


def _case_of(state: FoldState, ev: MetricEvent) -> str:
    """The case an event is about: its own, or the one its contact was offered on."""
    if ev.kind in (MetricKind.OFFERED, MetricKind.RESOLVED):
        return ev.case_id
    if ev.kind in (MetricKind.ANSWERED, MetricKind.ABANDONED):
        c = state.contacts.get(ev.contact_id)
        return c.case_id if c is not None else ""
    return ""


def _journey_cases(state: FoldState, events: Sequence[MetricEvent]) -> set[str]:
    return {c for ev in events if (c := _case_of(state, ev))}


def _load_journeys(conn: Connection, cases: set[str]) -> JourneyFold:
    fold = JourneyFold()
    ks = sorted(cases)
    j = t.journeys.c
    for i in range(0, len(ks), _CHUNK):
        q = select(t.journeys).where(j.case_id.in_(ks[i : i + _CHUNK]))
        for r in conn.execute(q).mappings():
            fold.journeys[r["case_id"]] = JourneyState(
                **{k: v for k, v in r.items() if k != "case_id"}
            )
    return fold


def _journey_rows(fold: JourneyFold, only_touched: bool) -> Iterator[dict[str, Any]]:
    for case in fold.touched if only_touched else fold.journeys:
        yield {"case_id": case, **dataclasses.asdict(fold.journeys[case])}


def _save_journeys(conn: Connection, fold: JourneyFold) -> None:
    rows = list(_journey_rows(fold, only_touched=True))
    if not rows:
        return
    ins = _insert(conn, t.journeys)
    stmt = ins.on_conflict_do_update(
        index_elements=["case_id"],
        set_={c.name: ins.excluded[c.name] for c in t.journeys.columns if c.name != "case_id"},
    )
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i : i + 5000])


def record(
    conn: Connection, events: Sequence[MetricEvent], config: MetricsConfig | None = None
) -> int:
    """Fold a batch of events (in time order) into the buckets and journeys; returns facts
    ignored.

    Call it in the unit of work that stores the events, so buckets commit with them.
    """
    fold = Fold(config, _load_state(conn, events))
    jfold = _load_journeys(conn, _journey_cases(fold.state, events))
    merged: dict[BucketKey, Counters] = {}
    for ev in events:
        jfold.apply(ev, _case_of(fold.state, ev))
        for d in fold.apply(ev):
            c = merged.get(d.key)
            if c is None:
                c = merged[d.key] = Counters()
            c.bump(d.name, d.value)
    upsert_buckets(conn, merged)
    _save_state(conn, fold.state)
    _save_journeys(conn, jfold)
    return fold.ignored


def bulk_insert(
    conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]], chunk: int = 50_000
) -> int:
    """Append rows as fast as the driver allows (COPY on PostgreSQL, executemany on SQLite).

    No upsert: for loading into empty tables. Values are the Python ones `insert()` takes
    (aware datetimes, dicts for JSON); missing keys are NULL. Returns the rows written.
    """
    cols = list(table.columns)
    names = ", ".join(f'"{c.name}"' for c in cols)
    pg = conn.dialect.name == "postgresql"
    # COPY takes JSON as text; SQLite gets the column types' own bind processors, so the
    # stored text (dates above all) is exactly what insert() writes
    procs: list[tuple[str, Any]] = [
        (
            c.name,
            (json.dumps if isinstance(c.type, JSON) else None)
            if pg
            else c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect),
        )
        for c in cols
    ]

    def values(r: Mapping[str, Any]) -> list[Any]:
        return [
            p(v) if p is not None and v is not None else v
            for v, p in ((r.get(name), p) for name, p in procs)
        ]

    n = 0
    if pg:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
            for r in rows:
                cp.write_row(values(r))
                n += 1
        return n
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(cols))})'
    it = iter(rows)
    while batch := list(itertools.islice(it, chunk)):
        conn.exec_driver_sql(sql, [tuple(values(r)) for r in batch])
        n += len(batch)
    return n


class BulkLoader:
    """Folds a whole history in memory, then writes buckets, fold state and journeys in bulk.

    The same `Fold` and `JourneyFold` as `record()`, so the rows are identical to recording
    the events batch by batch; only the writing differs (appends instead of upserts, no state reads
    between batches). For loading a history into an empty store (benchmark, migration from
    another system), not for live traffic. Events must come in time order.
    """

    def __init__(self, config: MetricsConfig | None = None) -> None:
        self._agg = LiveAggregator(config)
        self._journeys = JourneyFold()

    def add(self, events: Iterable[MetricEvent]) -> None:
        add, journey, state = self._agg.add, self._journeys.apply, self._agg.fold.state
        for ev in events:
            journey(ev, _case_of(state, ev))
            add(ev)

    @property
    def buckets(self) -> Mapping[BucketKey, Counters]:
        return self._agg.buckets

    def write(self, conn: Connection, *, merge: bool = False) -> int:
        """Write buckets, fold state and journeys; returns facts ignored.

        Appends (COPY) into tables that hold none of these rows; `merge=True` adds to rows
        already there instead (upserts: slower, for seeding a store in use)."""
        state = self._agg.fold.state
        if merge:
            upsert_buckets(conn, self._agg.buckets)
            _save_state(conn, state)
            _save_journeys(conn, self._journeys)
        else:
            bulk_insert(conn, metric_buckets, _bucket_rows(self._agg.buckets))
            bulk_insert(conn, metric_state, _state_rows(state))
            bulk_insert(conn, t.journeys, _journey_rows(self._journeys, only_touched=False))
        return self._agg.fold.ignored


def rebuild_journeys(conn: Connection) -> int:
    """Journeys of the whole timeline into an empty `journeys` table; returns the cases.

    For a store upgraded from before the table existed (migration 0005 calls it)."""
    jfold = JourneyFold()
    case_of: dict[str, str] = {}
    for ev in timeline_events(conn):
        if ev.kind is MetricKind.OFFERED:
            case_of[ev.contact_id] = ev.case_id
        own = ev.kind in (MetricKind.OFFERED, MetricKind.RESOLVED)
        jfold.apply(ev, ev.case_id if own else case_of.get(ev.contact_id, ""))
    return bulk_insert(conn, t.journeys, _journey_rows(jfold, only_touched=False))


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
    tz: tzinfo = UTC,
) -> dict[RollupKey, Counters]:
    """Sum buckets with start <= interval < end, grouped like `omnicenter.metrics.rollup`.

    Hours and days are those of `tz`: outside UTC the database groups by quarter and the
    quarters are summed into local hours and days here (DST-correct)."""
    bad = [d for d in (*by, *(where or {})) if d not in _DIMS]
    if bad:
        raise ValueError(f"unknown dimensions {bad}; use {_DIMS}")
    local = tz is not UTC and grain in (Grain.HOUR, Grain.DAY)
    sql_grain = Grain.QUARTER if local else grain
    b = metric_buckets.c
    # `//` is integer division on both dialects (SQLAlchemy 2 makes `/` a true division)
    bucket = (b.interval_start // int(sql_grain)) * int(sql_grain) if sql_grain else literal(0)
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
    n = 1 + len(by)
    for row in conn.execute(q):
        t0 = local_floor(int(row[0]), grain, tz) if local else int(row[0])
        c = Counters(*(float(v or 0.0) for v in row[n:]))
        key = (t0, *row[1:n])
        if key in out:
            out[key].add(c)
        else:
            out[key] = c
    return out


def query_kpis(
    conn: Connection,
    start: datetime,
    end: datetime,
    by: Sequence[str] = (),
    grain: Grain = Grain.TOTAL,
    where: Mapping[str, str] | None = None,
    tz: tzinfo = UTC,
) -> dict[RollupKey, Kpis]:
    return {k: kpis(c) for k, c in query_counters(conn, start, end, by, grain, where, tz).items()}


def query_journeys(
    conn: Connection, start: datetime, end: datetime, limit: int = 200_000
) -> list[Journey]:
    """Journeys of the cases whose first contact fell in [start, end), by start time.

    Reads the `journeys` index (one row per case), not the timeline; the journeys carry
    their last step's outcome only (what `summarise` reads)."""
    j = t.journeys.c
    q = (
        select(t.journeys)
        .where(j.started_at >= start.timestamp(), j.started_at < end.timestamp())
        .order_by(j.started_at, j.case_id)
        .limit(limit)
    )
    return [
        JourneyState(**{k: v for k, v in r.items() if k != "case_id"}).journey(r["case_id"])
        for r in conn.execute(q).mappings()
    ]


def history_range(conn: Connection) -> tuple[datetime, datetime] | None:
    """First and last interval with an offered contact, or None for an empty store."""
    b = metric_buckets.c
    q = select(func.min(b.interval_start), func.max(b.interval_start)).where(b.offered > 0)
    lo, hi = conn.execute(q).one()
    if lo is None:
        return None
    return datetime.fromtimestamp(int(lo), UTC), datetime.fromtimestamp(int(hi), UTC)


_PROMISE_KINDS = (MetricKind.PROMISE_MADE, MetricKind.PROMISE_KEPT, MetricKind.PROMISE_BROKEN)
_TIMELINE_KIND = {v: k for k, v in TIMELINE_KINDS.items()}


def timeline_row(event_id: str, customer_id: str, ev: MetricEvent) -> dict[str, Any] | None:
    """The `events` row that `from_timeline` reads back as `ev` (None for agent presence).

    For seeding a history (demo, benchmark) through the timeline, like live traffic. The
    case id goes to `meta["case"]`: the `case_id` column references `cases`, and seeded
    histories have no case rows."""
    if ev.kind is MetricKind.AGENT_STATE:
        return None
    meta: dict[str, Any] = {"queue": ev.queue, "segment": ev.segment}
    if ev.kind in _PROMISE_KINDS:
        meta["promise_id"] = ev.contact_id
        if ev.due_at:
            meta["due_at"] = ev.due_at.isoformat()
    else:
        meta.update(task_id=ev.contact_id, agent_id=ev.agent, team=ev.team,
                    sl_target_s=ev.sl_target_s, talk_s=ev.talk_s, hold_s=ev.hold_s,
                    wrap_s=ev.wrap_s, score=ev.score, case=ev.case_id)  # fmt: skip
    if ev.kind is MetricKind.RESOLVED:
        meta["status"] = "resolved"
    return {"id": event_id, "customer_id": customer_id, "kind": _TIMELINE_KIND[ev.kind],
            "channel": ev.channel or None, "author_type": "system", "body": "", "meta": meta,
            "created_at": ev.at}  # fmt: skip


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
