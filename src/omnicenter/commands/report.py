"""`omnicenter report` (HTML with charts) and `omnicenter export` (CSV / Parquet) of KPIs.

Both read the pre-aggregated buckets of the database (`--demo`: a synthetic day in memory).
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import html
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from omnicenter.metrics import Counters, Grain, Kpis, LiveAggregator, rollup
from omnicenter.metrics.config import SERVICE_LEVEL_TARGET, day_bounds, zone
from omnicenter.metrics.cost import CostRow, CostSettings, cost_rows, right_channel
from omnicenter.metrics.format import COLUMNS, DIMENSION_WORDS, QUEUE_COLUMNS, money, percent
from omnicenter.metrics.journeys import journeys, summarise
from omnicenter.metrics.kpis import RollupKey
from omnicenter.metrics.palette import TARGET_COLOUR, channel_colour
from omnicenter.metrics.synthetic import synthetic_log
from omnicenter.metrics.tables import kpi_rows, table_counters

__all__ = ["export_records", "register", "render_report"]

console = Console()


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


def _png(fig: Any, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _charts(src: _Source, costs: CostSettings) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    day0 = src.start.timestamp()

    def x(t: int) -> float:  # hours since the local day began (23 or 25 on a DST change)
        return (t - day0) / 3600

    def hours(ax: Any) -> None:
        ax.set_xlim(0, (src.end.timestamp() - day0) / 3600)
        ax.set_xticks(range(0, 25, 3))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: src.local(day0 + v * 3600).strftime("%H:%M"))
        )

    out: list[tuple[str, str]] = []
    sl = kpi_rows(src.counters, ("channel",), Grain.HOUR)
    fig, ax = plt.subplots(figsize=(8, 3))
    for ch in sorted({str(k[1]) for k in sl}):
        pts = sorted((int(k[0]), v.service_level) for k, v in sl.items() if k[1] == ch)
        ax.plot([x(t) + 0.5 for t, _ in pts], [v for _, v in pts], label=ch,
                color=channel_colour(ch), marker="o", markersize=3)  # fmt: skip
    ax.axhline(SERVICE_LEVEL_TARGET, color=TARGET_COLOUR, linestyle="--", linewidth=1,
               label=f"target {percent(SERVICE_LEVEL_TARGET)}")  # fmt: skip
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("service level (%)")
    hours(ax)
    ax.legend(fontsize=8, ncol=3)
    out.append(
        (
            "Service level through the day (per hour, against the target)",
            _png(fig, "service level per hour by channel"),
        )
    )

    vol = kpi_rows(src.counters, ("channel",), Grain.HOUR)
    fig, ax = plt.subplots(figsize=(8, 3))
    bottom: dict[int, float] = {}
    for ch in sorted({str(k[1]) for k in vol}):
        pts = sorted((int(k[0]), v.offered) for k, v in vol.items() if k[1] == ch)
        xs = [t for t, _ in pts]
        ax.bar([x(t) + 0.05 for t in xs], [v for _, v in pts], width=0.9, align="edge",
               bottom=[bottom.get(t, 0.0) for t in xs], label=ch, color=channel_colour(ch))  # fmt: skip
        for t, v in pts:
            bottom[t] = bottom.get(t, 0.0) + v
    ax.set_ylabel("contacts offered")
    hours(ax)
    ax.legend(fontsize=8, ncol=3)
    out.append(
        (
            "Volume by channel (contacts offered per hour)",
            _png(fig, "contacts offered per hour by channel"),
        )
    )

    durations = [j.duration_s / 3600 for j in src.journeys if j.duration_s is not None]
    if durations:
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.hist(durations, bins=40, color=TARGET_COLOUR)
        ax.set_xlabel("journey duration (hours)")
        ax.set_ylabel("journeys")
        out.append(("Journey durations", _png(fig, "histogram of journey durations")))

    pr = kpi_rows(src.counters, ("queue",), Grain.TOTAL)
    names = sorted(str(k[1]) for k, v in pr.items() if v.promises_made)
    if names:
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.bar(names, [pr[(0, n)].promises_broken for n in names], color="#b91c1c")
        ax.set_ylabel("promises broken")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
        out.append(("Broken promises by queue", _png(fig, "broken promises by queue")))

    by_ch: dict[str, float] = {}
    for r in _cost_rows(src, costs):
        by_ch[r.channel] = by_ch.get(r.channel, 0.0) + r.cost
    if by_ch:
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.bar(list(by_ch), list(by_ch.values()), color=[channel_colour(c) for c in by_ch])
        ax.set_ylabel(f"cost ({costs.currency})")
        out.append(("Cost by channel", _png(fig, f"cost by channel in {costs.currency}")))
    return out


def _cost_rows(src: _Source, costs: CostSettings) -> list[CostRow]:
    """Cost rows of labelled channels and segments with handled contacts."""
    rows = cost_rows(table_counters(src.counters, ("channel", "segment"), Grain.TOTAL), costs)
    return [r for r in rows if r.handled]


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows
    )
    return f"<table><tr>{th}</tr>{body}</table>"


def _has_data(src: _Source) -> bool:
    return any(k.offered for k in kpi_rows(src.counters, (), Grain.TOTAL).values())


_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#111827}"
    "table{border-collapse:collapse;margin-bottom:1em}"
    "td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #e5e7eb}"
    "td:first-child,th:first-child{text-align:left}th{background:#f3f4f6}"
)


def render_report(src: _Source, costs: CostSettings) -> str:
    """The day's report page; a day without contacts says so."""
    day = src.start.astimezone(src.tz).date().isoformat()
    head = f"<!doctype html><meta charset=utf-8><title>Omnicenter report {day}</title><style>{_STYLE}</style>"
    if not _has_data(src):
        return f"{head}<h1>Omnicenter report {day}</h1><p>{NO_DATA}.</p>"
    cur = costs.currency
    cols = [COLUMNS[c] for c in QUEUE_COLUMNS]
    queue_rows = [
        [str(key[1]), *(c.shown(getattr(k, c.key)) for c in cols)]
        for key, k in kpi_rows(src.counters, ("queue",), Grain.TOTAL).items()
    ]
    rows = _cost_rows(src, costs)
    cost_cols = [COLUMNS[c] for c in ("handled", "cost", "per_contact")]
    summary = summarise(src.journeys)
    median = (
        COLUMNS["median_duration_s"].shown(summary.median_duration_s)
        + f" ({'h:mm:ss' if (summary.median_duration_s or 0) >= 3600 else 'm:ss'})"
    )
    parts = [
        f"<h1>Omnicenter report {day}</h1>",
        "<h2>KPIs by queue</h2>",
        _table(("Queue", *(c.header(cur) for c in cols)), queue_rows),
        "<h2>Journeys</h2>",
        f"<p>{summary.journeys:,} journeys, {summary.resolved:,} resolved, median duration "
        f"{median}, {summary.mean_contacts:.2f} contacts "
        f"and {summary.mean_hops:.2f} channel hops on average.</p>",
        _table(
            ("Last step before dropping out", "Journeys"),
            [(str(step), f"{n:,}") for step, n in summary.drop_outs[:10]],
        ),
        "<h2>Cost</h2>",
        _table(
            ("Channel", "Segment", *(c.header(cur) for c in cost_cols)),
            [
                (r.channel, r.segment, *(c.shown(getattr(r, c.key), cur) for c in cost_cols))
                for r in rows
            ],
        ),
        "<h2>Right channel</h2>",
        _table(
            ("Channel", "Segment", COLUMNS["per_contact"].header(cur), "Why"),
            [
                (r.channel, r.segment, money(r.per_contact, cur), why)
                for r, why in right_channel(rows, costs)
            ],
        ),
    ]
    for title, img in _charts(src, costs):
        parts += [f"<h2>{html.escape(title)}</h2>", img]
    return head + "".join(parts)


NO_DATA = "No data for this day"


def _day(text: str | None, demo: bool, tz: tzinfo, today: date) -> date:
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise typer.BadParameter(f"--day {text!r}: use YYYY-MM-DD") from exc
    return today - timedelta(days=1) if demo else today  # the demo is a whole day: yesterday


Database = Annotated[str | None, typer.Option(help="SQLAlchemy URL (default: settings)")]
Day = Annotated[
    str | None, typer.Option(help="local day, YYYY-MM-DD (default: today; --demo: yesterday)")
]
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
        src = _Source(database, _day(day, demo, tz, datetime.now(tz).date()), demo, tz)
        page = render_report(src, CostSettings())
    out.write_text(page, encoding="utf-8")
    if not _has_data(src):
        console.print(f"{NO_DATA} ({src.start.astimezone(tz).date()}); page written to {out}")
        return
    console.print(f"[green]report written[/] to {out}")


def export_records(src: _Source, dims: Sequence[str], grain: Grain) -> list[dict[str, Any]]:
    """One record per interval and dimension values: headers in words with units, values
    rounded (percentages 0–100, durations in seconds)."""
    fields = [f.name for f in dataclasses.fields(Kpis)]
    cols = [COLUMNS[f] for f in fields]
    records: list[dict[str, Any]] = []
    for key, k in kpi_rows(src.counters, dims, grain).items():
        rec: dict[str, Any] = {}
        if grain is not Grain.TOTAL:
            rec[DIMENSION_WORDS["interval_start"]] = src.local(int(key[0])).isoformat()
        rec.update({DIMENSION_WORDS[d]: v for d, v in zip(dims, key[1:], strict=True)})
        rec.update({c.export_header(): c.exported(getattr(k, c.key)) for c in cols})
        records.append(rec)
    return records


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
    src = _Source(database, _day(day, demo, tz, datetime.now(tz).date()), demo, tz)
    try:
        records = export_records(src, dims, Grain[grain.upper()])
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if out.suffix == ".parquet":
        try:
            import pyarrow as pa  # type: ignore[import-untyped, import-not-found, unused-ignore]
            import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError as exc:  # optional dependency
            raise typer.BadParameter("Parquet needs pyarrow: pip install pyarrow") from exc
        pq.write_table(pa.Table.from_pylist(records), out)
    else:
        with out.open("w", newline="") as f:
            w = csv.DictWriter(
                f, fieldnames=list(records[0]) if records else [DIMENSION_WORDS["interval_start"]]
            )
            w.writeheader()
            w.writerows(records)
    if not records:
        console.print(f"{NO_DATA} ({src.start.astimezone(tz).date()}); empty file written to {out}")
        return
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
