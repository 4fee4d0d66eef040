"""Historical KPIs for one day from the pre-aggregated buckets, against a full scan.

    .venv/bin/python benchmarks/kpis.py                 # 10 million events, SQLite and PostgreSQL
    .venv/bin/python benchmarks/kpis.py --quick         # 300,000 events
    .venv/bin/python benchmarks/kpis.py --events 2000000 --db sqlite

Generates a seeded synthetic log over `--days` days, stores every customer-facing fact as
a timeline row (`events`, COPY on PostgreSQL, executemany on SQLite) and folds the same
events in memory with the live fold (`omnicenter.store.metrics.BulkLoader`), writing the
buckets in bulk at the end: the same buckets as `record()` (tested), in minutes rather than
hours. `--via-record` loads through `record()`, the path live ingestion takes. Then times the day's KPIs
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

from omnicenter.metrics import MetricEvent, batch_buckets, rollup
from omnicenter.metrics.kpis import Grain, kpis
from omnicenter.metrics.synthetic import synthetic_log
from omnicenter.store import Database
from omnicenter.store import tables as t
from omnicenter.store.metrics import (
    BulkLoader,
    bulk_insert,
    metric_buckets,
    query_kpis,
    record,
    timeline_events,
    timeline_row,
)

console = Console()
START = datetime(2026, 3, 2, tzinfo=UTC)
EVENTS_PER_CONTACT = 5.66  # measured on synthetic_log


def _row(i: int, ev: MetricEvent) -> dict[str, object] | None:
    return timeline_row(f"evt_{i:012d}", "cus_bench", ev)


def _pg_database(admin_url: str) -> str:
    """A database of its own (dropped and created again), never the server's shared one."""
    name = "oc_bench_kpis"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


def load(db: Database, n_events: int, days: int, via_record: bool) -> int:
    """Timeline rows in bulk and the buckets folded in memory (`--via-record`: the live path)."""
    per_day = max(1, round(n_events / EVENTS_PER_CONTACT / days))
    log = synthetic_log(per_day, days, agents=200, start=START)
    now = START
    with db.transaction() as conn:
        conn.execute(insert(t.customers), {"id": "cus_bench", "segment": "standard", "value": 0.0,
                                           "created_at": now, "updated_at": now})  # fmt: skip
    done = 0
    loader = BulkLoader()
    cols = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip
    with cols as bar:
        task = bar.add_task(
            f"{db.engine.dialect.name}: events", total=round(per_day * days * EVENTS_PER_CONTACT)
        )
        chunk = 20_000 if via_record else 200_000
        while batch := list(islice(log, chunk)):
            rows = (r for i, ev in enumerate(batch, done) if (r := _row(i, ev)) is not None)
            with db.transaction() as conn:
                if via_record:
                    conn.execute(insert(t.events), list(rows))
                    record(conn, batch)
                else:
                    bulk_insert(conn, t.events, rows)
                    loader.add(batch)
            done += len(batch)
            bar.update(task, completed=done)
        if not via_record:
            bar.add_task(f"{db.engine.dialect.name}: buckets and fold state", total=None)
            with db.transaction() as conn:
                loader.write(conn)
    return done


def timed(fn: object, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def bench(url: str, n_events: int, days: int, via_record: bool) -> None:
    db = Database(url)
    db.migrate()
    t0 = time.perf_counter()
    n = load(db, n_events, days, via_record)
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
    p.add_argument(
        "--via-record", action="store_true", help="load through record() (slow: the live path)"
    )
    p.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    a = p.parse_args()
    events, days = (300_000, 10) if a.quick else (a.events, a.days)
    if a.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as d:
            bench(f"sqlite:///{d}/kpis.sqlite3", events, days, a.via_record)
    if a.db in ("postgres", "both"):
        bench(_pg_database(a.pg_url), events, days, a.via_record)


if __name__ == "__main__":
    main()
