"""Historical KPIs for one day from the pre-aggregated buckets, against a full scan.

    .venv/bin/python benchmarks/kpis.py                 # 10 million events, SQLite and PostgreSQL
    .venv/bin/python benchmarks/kpis.py --quick         # 300,000 events
    .venv/bin/python benchmarks/kpis.py --events 2000000 --db sqlite

Generates a seeded synthetic log over `--days` days, stores every customer-facing fact as
a timeline row (`events`) and folds the same events into `metric_buckets` through
`omnicenter.store.metrics.record` (the path live ingestion takes). Then times the day's KPIs
by queue × channel × hour and by agent from the buckets, and the baseline: reading that
day's timeline rows and aggregating them (what a report without aggregates would do).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import islice

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine, func, insert, select, text

from omnicenter.metrics import MetricEvent, MetricKind, batch_buckets, rollup
from omnicenter.metrics.kpis import Grain, kpis
from omnicenter.metrics.synthetic import synthetic_log
from omnicenter.metrics.timeline import TIMELINE_KINDS
from omnicenter.store import Database
from omnicenter.store import tables as t
from omnicenter.store.metrics import metric_buckets, query_kpis, record, timeline_events

console = Console()
START = datetime(2026, 3, 2, tzinfo=UTC)
EVENTS_PER_CONTACT = 5.66  # measured on synthetic_log
_KIND = {v: k for k, v in TIMELINE_KINDS.items()}


def _row(i: int, ev: MetricEvent) -> dict[str, object] | None:
    if ev.kind is MetricKind.AGENT_STATE:
        return None  # presence is not a timeline fact
    meta: dict[str, object] = {"queue": ev.queue, "segment": ev.segment}
    if ev.kind in (MetricKind.PROMISE_MADE, MetricKind.PROMISE_KEPT, MetricKind.PROMISE_BROKEN):
        meta["promise_id"] = ev.contact_id
        if ev.due_at:
            meta["due_at"] = ev.due_at.isoformat()
    else:
        meta.update(task_id=ev.contact_id, agent_id=ev.agent, team=ev.team,
                    sl_target_s=ev.sl_target_s, talk_s=ev.talk_s, hold_s=ev.hold_s,
                    wrap_s=ev.wrap_s, score=ev.score, case=ev.case_id)  # fmt: skip
    if ev.kind is MetricKind.RESOLVED:
        meta["status"] = "resolved"
    return {"id": f"evt_{i:012d}", "customer_id": "cus_bench", "kind": _KIND[ev.kind],
            "channel": ev.channel or None, "author_type": "system", "body": "", "meta": meta,
            "created_at": ev.at}  # fmt: skip


def _pg_database(admin_url: str) -> str:
    """A database of its own (dropped and created again), never the server's shared one."""
    name = "oc_bench_kpis"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


def load(db: Database, n_events: int, days: int) -> int:
    per_day = max(1, round(n_events / EVENTS_PER_CONTACT / days))
    log = synthetic_log(per_day, days, agents=200, start=START)
    now = START
    with db.transaction() as conn:
        conn.execute(insert(t.customers), {"id": "cus_bench", "segment": "standard", "value": 0.0,
                                           "created_at": now, "updated_at": now})  # fmt: skip
    done = 0
    cols = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip
    with cols as bar:
        task = bar.add_task(
            f"{db.engine.dialect.name}: events", total=round(per_day * days * EVENTS_PER_CONTACT)
        )
        while batch := list(islice(log, 20_000)):
            rows = [r for i, ev in enumerate(batch, done) if (r := _row(i, ev)) is not None]
            with db.transaction() as conn:
                conn.execute(insert(t.events), rows)
                record(conn, batch)
            done += len(batch)
            bar.update(task, completed=done)
    return done


def timed(fn: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def bench(url: str, n_events: int, days: int) -> None:
    db = Database(url)
    db.migrate()
    t0 = time.perf_counter()
    n = load(db, n_events, days)
    ingest = time.perf_counter() - t0
    day0 = START + timedelta(days=days // 2)
    day1 = day0 + timedelta(days=1)
    with db.reader() as conn:
        buckets = conn.execute(select(func.count()).select_from(metric_buckets)).scalar_one()

    def fast() -> None:
        with db.reader() as conn:
            query_kpis(conn, day0, day1, by=("queue", "channel"), grain=Grain.HOUR)
            query_kpis(conn, day0, day1, by=("agent",))

    def scan() -> None:
        with db.reader() as conn:
            evs = timeline_events(conn, day0, day1)
        b = batch_buckets(evs)
        for by, g in ((("queue", "channel"), Grain.HOUR), (("agent",), Grain.TOTAL)):
            {k: kpis(c) for k, c in rollup(b, by=by, grain=g).items()}

    q = timed(fast, 5)
    s = timed(scan, 1)
    name = db.engine.dialect.name
    console.print(
        f"[bold]{name}[/]: {n:,} events in {ingest:.0f} s ({n / ingest:,.0f} events/s ingested, "
        f"timeline rows + buckets); {buckets:,} bucket rows\n"
        f"  day KPIs from buckets: [green]{q * 1000:.1f} ms[/] (median of 5)   "
        f"full scan of the day's timeline: {s * 1000:.0f} ms   ratio {s / q:.0f}×"
    )
    db.dispose()


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--quick", action="store_true", help="300,000 events over 10 days")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    a = p.parse_args()
    events, days = (300_000, 10) if a.quick else (a.events, a.days)
    if a.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as d:
            bench(f"sqlite:///{d}/kpis.sqlite3", events, days)
    if a.db in ("postgres", "both"):
        bench(_pg_database(a.pg_url), events, days)


if __name__ == "__main__":
    main()
