"""`omnicenter report` (HTML with charts) and `omnicenter export` (CSV / Parquet) of KPIs.

Both read the pre-aggregated buckets of the database (`--demo`: a synthetic day in memory).
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from omnicenter.metrics import Counters, Grain, LiveAggregator, kpis, rollup
from omnicenter.metrics.config import day_bounds, zone
from omnicenter.metrics.cost import CostSettings, cost_rows, right_channel
from omnicenter.metrics.journeys import journeys, summarise
from omnicenter.metrics.kpis import RollupKey
from omnicenter.metrics.synthetic import synthetic_log

__all__ = ["register"]

console = Console()
DEMO_DAY = date(2026, 3, 2)


def _zone(name: str | None) -> tzinfo:
    from omnicenter.settings import load_settings

    try:
        return zone(name or load_settings().timezone)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@contextmanager
def _readable() -> Iterator[None]:
    """Database errors as a clear message (a store not upgraded lacks the newer tables)."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        raise typer.BadParameter(
            f"cannot read the metrics: {exc.orig}; is the schema current? (omnicenter db upgrade)"
        ) from exc


class _Source:
    """Counters and journeys (cases first contacted that day) for one local day, from the
    database's aggregates, or from the demo log in memory."""

    def __init__(self, database: str | None, day: date, demo: bool, tz: tzinfo) -> None:
        self.tz = tz
        self.start, self.end = day_bounds(day, tz)
        self.db: Any = None
        if demo:
            events = list(synthetic_log(6000, 1, start=self.start))
            agg = LiveAggregator()
            for ev in events:
                agg.add(ev)
            self.buckets = agg.buckets
            self.journeys = journeys(events)
        else:
            from omnicenter.settings import load_settings
            from omnicenter.store import Database
            from omnicenter.store.metrics import query_journeys

            self.db = Database(database or load_settings().sqlalchemy_url())
            with _readable(), self.db.reader() as conn:
                self.journeys = query_journeys(conn, self.start, self.end)

    def counters(self, by: Sequence[str], grain: Grain) -> dict[RollupKey, Counters]:
        if self.db is None:
            return rollup(self.buckets, by=by, grain=grain, tz=self.tz)
        from omnicenter.store.metrics import query_counters

        with _readable(), self.db.reader() as conn:
            return query_counters(conn, self.start, self.end, by=by, grain=grain, tz=self.tz)

    def local(self, ts: int | float) -> datetime:
        return datetime.fromtimestamp(ts, self.tz)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return (
        f'<img alt="chart" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'
    )


def _charts(src: _Source, costs: CostSettings) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: list[tuple[str, str]] = []
    sl = src.counters(("channel",), Grain.QUARTER)
    fig, ax = plt.subplots(figsize=(8, 3))
    for ch in sorted({str(k[1]) for k in sl}):
        pts = sorted((int(k[0]), kpis(c).service_level) for k, c in sl.items() if k[1] == ch)
        ax.plot([src.local(t) for t, _ in pts], [v for _, v in pts], label=ch)  # type: ignore[arg-type]
    ax.set_ylabel("service level")
    ax.legend()
    out.append(("Service level through the day", _png(fig)))

    vol = src.counters(("channel",), Grain.HOUR)
    fig, ax = plt.subplots(figsize=(8, 3))
    bottom: dict[int, float] = {}
    for ch in sorted({str(k[1]) for k in vol}):
        pts = sorted((int(k[0]), c.offered) for k, c in vol.items() if k[1] == ch)
        xs = [t for t, _ in pts]
        ax.bar([src.local(t) for t in xs], [v for _, v in pts], width=0.035,  # type: ignore[arg-type]
               bottom=[bottom.get(t, 0.0) for t in xs], label=ch)  # fmt: skip
        for t, v in pts:
            bottom[t] = bottom.get(t, 0.0) + v
    ax.set_ylabel("contacts offered")
    ax.legend()
    out.append(("Volume by channel", _png(fig)))

    js = src.journeys
    durations = [j.duration_s / 3600 for j in js if j.duration_s is not None]
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.hist(durations or [0.0], bins=40)
    ax.set_xlabel("journey duration (hours)")
    out.append(("Journey durations", _png(fig)))

    pr = src.counters(("queue",), Grain.TOTAL)
    fig, ax = plt.subplots(figsize=(8, 3))
    names = sorted(str(k[1]) for k, c in pr.items() if c.promises_made)
    ax.bar(names, [pr[(0, n)].promises_broken for n in names], color="tab:red")
    ax.set_ylabel("broken promises")
    out.append(("Broken promises by queue", _png(fig)))

    rows = cost_rows(src.counters(("channel", "segment"), Grain.TOTAL), costs)
    by_ch: dict[str, float] = {}
    for r in rows:
        by_ch[r.channel] = by_ch.get(r.channel, 0.0) + r.cost
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(list(by_ch), list(by_ch.values()))
    ax.set_ylabel("cost")
    out.append(("Cost by channel", _png(fig)))
    return out


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(v: object) -> str:
        return f"{v:.3f}" if isinstance(v, float) else html.escape(str(v))

    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def render_report(src: _Source, costs: CostSettings) -> str:
    cols = ("offered", "handled", "abandoned", "service_level", "asa", "aht", "fcr",
            "transfers", "occupancy", "csat", "csat_response_rate", "promises_broken")  # fmt: skip
    queue_rows = [
        (k[1], *(getattr(kpis(c), f) for f in cols))
        for k, c in sorted(src.counters(("queue",), Grain.TOTAL).items())
        if k[1]
    ]
    rows = cost_rows(src.counters(("channel", "segment"), Grain.TOTAL), costs)
    summary = summarise(src.journeys)
    parts = [
        f"<h1>Omnicenter report {src.start.date().isoformat()}</h1>",
        "<h2>KPIs by queue</h2>",
        _table(("queue", *cols), queue_rows),
        "<h2>Journeys</h2>",
        f"<p>{summary.journeys} journeys, {summary.resolved} resolved, median "
        f"{(summary.median_duration_s or 0) / 60:.1f} min, {summary.mean_contacts:.2f} contacts "
        f"and {summary.mean_hops:.2f} channel hops on average.</p>",
        _table(("drop-out step", "journeys"), summary.drop_outs[:10]),
        "<h2>Cost</h2>",
        _table(
            ("channel", "segment", "handled", "cost", "per contact"),
            [(r.channel, r.segment, r.handled, r.cost, r.per_contact) for r in rows if r.handled],
        ),
        "<h2>Right channel</h2>",
        _table(
            ("channel", "segment", "per contact", "why"),
            [(r.channel, r.segment, r.per_contact, why) for r, why in right_channel(rows, costs)],
        ),
    ]
    for title, img in _charts(src, costs):
        parts += [f"<h2>{html.escape(title)}</h2>", img]
    style = "body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:right}"
    return f"<!doctype html><meta charset=utf-8><style>{style}</style>{''.join(parts)}"


def _day(text: str | None, demo: bool, tz: tzinfo) -> date:
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise typer.BadParameter(f"--day {text!r}: use YYYY-MM-DD") from exc
    return DEMO_DAY if demo else datetime.now(tz).date()


Database = Annotated[str | None, typer.Option(help="SQLAlchemy URL (default: settings)")]
Day = Annotated[str | None, typer.Option(help="local day, YYYY-MM-DD (default: today)")]
Timezone = Annotated[
    str | None, typer.Option(help="IANA zone of the day (default: the timezone setting)")
]
Demo = Annotated[bool, typer.Option(help="Use a synthetic demo day instead of the database")]


def report(
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("report.html"),
    day: Day = None,
    database: Database = None,
    demo: Demo = False,
    timezone: Timezone = None,
) -> None:
    """Write an HTML report of one day: KPIs, journeys, cost, and charts."""
    tz = _zone(timezone)
    with console.status("computing KPIs…"):
        src = _Source(database, _day(day, demo, tz), demo, tz)
        page = render_report(src, CostSettings())
    out.write_text(page, encoding="utf-8")
    console.print(f"[green]report written[/] to {out}")


def export(
    out: Annotated[Path, typer.Option(help="file to write: .csv or .parquet")],
    day: Day = None,
    database: Database = None,
    demo: Demo = False,
    by: Annotated[str, typer.Option(help="comma-separated: queue,channel,segment,team,agent")] = "queue,channel",
    grain: Annotated[str, typer.Option(help="quarter, hour, day or total")] = "hour",
    timezone: Timezone = None,
) -> None:  # fmt: skip
    """Export KPIs per interval and dimensions to CSV or Parquet."""
    dims = [d for d in by.split(",") if d]
    if grain.upper() not in Grain.__members__:
        raise typer.BadParameter(f"--grain {grain!r}: use quarter, hour, day or total")
    tz = _zone(timezone)
    src = _Source(database, _day(day, demo, tz), demo, tz)
    try:
        data = src.counters(dims, Grain[grain.upper()])
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    records: list[dict[str, Any]] = []
    for key, c in sorted(data.items()):
        start = src.local(int(key[0])).isoformat() if grain != "total" else ""
        records.append(
            {"interval_start": start, **dict(zip(dims, key[1:], strict=True)), **asdict(kpis(c))}
        )
    if out.suffix == ".parquet":
        try:
            import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]
            import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError as exc:  # optional dependency
            raise typer.BadParameter("Parquet needs pyarrow: pip install pyarrow") from exc
        pq.write_table(pa.Table.from_pylist(records), out)
    else:
        with out.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(records[0]) if records else ["interval_start"])
            w.writeheader()
            w.writerows(records)
    console.print(f"[green]{len(records)} rows[/] written to {out}")


HISTORY_CUSTOMER = "cus_demo_history"  # owns the seeded timeline rows; marks a seeded store


def demo_history(
    weeks: Annotated[int, typer.Option(min=1, max=104, help="weeks of history")] = 6,
    contacts: Annotated[int, typer.Option(min=1, help="contacts per day")] = 1500,
    agents: Annotated[int, typer.Option(min=1, help="agents in the synthetic center")] = 40,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
    database: Database = None,
    timezone: Timezone = None,
) -> None:
    """Seed the database with weeks of synthetic contacts ending yesterday (timeline + KPIs).

    For trying `report`, `export`, `forecast` and `staff` on the demo database; runs once
    (a second run finds the history and does nothing)."""
    from sqlalchemy import insert, select

    from omnicenter.settings import load_settings
    from omnicenter.store import Database as Store
    from omnicenter.store import tables as t
    from omnicenter.store.metrics import BulkLoader, bulk_insert, timeline_row

    tz = _zone(timezone)
    db = Store(database or load_settings().sqlalchemy_url())
    try:
        db.migrate()
        with db.reader() as conn:
            seeded = conn.execute(
                select(t.customers.c.id).where(t.customers.c.id == HISTORY_CUSTOMER)
            )
            if seeded.first() is not None:
                console.print("history already seeded; nothing to do")
                return
        days = weeks * 7
        start = day_bounds(datetime.now(tz).date() - timedelta(days=days), tz)[0]
        log = synthetic_log(contacts, days, agents=agents, seed=seed, start=start)
        loader = BulkLoader()
        done = 0
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:  # fmt: skip
            task = bar.add_task("seeding history", total=round(contacts * days * 5.66))
            with db.transaction() as conn:  # all or nothing: a failed seed leaves no marker
                conn.execute(insert(t.customers), {"id": HISTORY_CUSTOMER, "segment": "standard",
                             "value": 0.0, "created_at": start, "updated_at": start})  # fmt: skip
                while batch := list(islice(log, 50_000)):
                    rows = (timeline_row(f"evt_hist_{i:010d}", HISTORY_CUSTOMER, ev)
                            for i, ev in enumerate(batch, done))  # fmt: skip
                    bulk_insert(conn, t.events, (r for r in rows if r is not None))
                    loader.add(batch)
                    done += len(batch)
                    bar.update(task, completed=done)
                bar.update(task, total=done)
                loader.write(conn, merge=True)
    finally:
        db.dispose()
    console.print(
        f"[green]{done:,} events[/] over {days} days seeded from {start.astimezone(tz).date()}"
    )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("export")(export)
    app.command("demo-history")(demo_history)
