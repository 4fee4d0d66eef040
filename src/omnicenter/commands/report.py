"""`omnicenter report` (HTML with charts) and `omnicenter export` (CSV / Parquet) of KPIs.

Both read the pre-aggregated buckets of the database (`--demo`: a synthetic day in memory).
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from omnicenter.metrics import Counters, Grain, LiveAggregator, MetricEvent, kpis, rollup
from omnicenter.metrics.cost import CostSettings, cost_rows, right_channel
from omnicenter.metrics.journeys import journeys, summarise
from omnicenter.metrics.kpis import RollupKey
from omnicenter.metrics.synthetic import synthetic_log

__all__ = ["register"]

console = Console()
DEMO_DAY = date(2026, 3, 2)


class _Source:
    """Counters for one day from the database, or from the demo log in memory."""

    def __init__(self, database: str | None, day: date, demo: bool) -> None:
        self.start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        self.end = self.start + timedelta(days=1)
        self.events: list[MetricEvent] = []
        self.db: Any = None
        if demo:
            self.events = list(synthetic_log(6000, 1, start=self.start))
            agg = LiveAggregator()
            for ev in self.events:
                agg.add(ev)
            self.buckets = agg.buckets
        else:
            from omnicenter.settings import load_settings
            from omnicenter.store import Database
            from omnicenter.store.metrics import timeline_events

            self.db = Database(database or load_settings().sqlalchemy_url())
            with self.db.reader() as conn:
                self.events = timeline_events(conn, self.start, self.end)

    def counters(self, by: Sequence[str], grain: Grain) -> dict[RollupKey, Counters]:
        if self.db is None:
            return rollup(self.buckets, by=by, grain=grain)
        from omnicenter.store.metrics import query_counters

        with self.db.reader() as conn:
            return query_counters(conn, self.start, self.end, by=by, grain=grain)


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
        ax.plot([datetime.fromtimestamp(t, UTC) for t, _ in pts], [v for _, v in pts], label=ch)  # type: ignore[arg-type]
    ax.set_ylabel("service level")
    ax.legend()
    out.append(("Service level through the day", _png(fig)))

    vol = src.counters(("channel",), Grain.HOUR)
    fig, ax = plt.subplots(figsize=(8, 3))
    bottom: dict[int, float] = {}
    for ch in sorted({str(k[1]) for k in vol}):
        pts = sorted((int(k[0]), c.offered) for k, c in vol.items() if k[1] == ch)
        xs = [t for t, _ in pts]
        ax.bar([datetime.fromtimestamp(t, UTC) for t in xs], [v for _, v in pts], width=0.035,  # type: ignore[arg-type]
               bottom=[bottom.get(t, 0.0) for t in xs], label=ch)  # fmt: skip
        for t, v in pts:
            bottom[t] = bottom.get(t, 0.0) + v
    ax.set_ylabel("contacts offered")
    ax.legend()
    out.append(("Volume by channel", _png(fig)))

    js = journeys(src.events)
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
    summary = summarise(journeys(src.events))
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


def _day(text: str | None, demo: bool) -> date:
    if text:
        return date.fromisoformat(text)
    return DEMO_DAY if demo else datetime.now(UTC).date()


Database = Annotated[str | None, typer.Option(help="SQLAlchemy URL (default: settings)")]
Day = Annotated[str | None, typer.Option(help="UTC day, YYYY-MM-DD (default: today)")]
Demo = Annotated[bool, typer.Option(help="Use a synthetic demo day instead of the database")]


def report(
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("report.html"),
    day: Day = None,
    database: Database = None,
    demo: Demo = False,
) -> None:
    """Write an HTML report of one day: KPIs, journeys, cost, and charts."""
    with console.status("computing KPIs…"):
        src = _Source(database, _day(day, demo), demo)
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
) -> None:  # fmt: skip
    """Export KPIs per interval and dimensions to CSV or Parquet."""
    dims = [d for d in by.split(",") if d]
    src = _Source(database, _day(day, demo), demo)
    data = src.counters(dims, Grain[grain.upper()])
    records: list[dict[str, Any]] = []
    for key, c in sorted(data.items()):
        start = datetime.fromtimestamp(int(key[0]), UTC).isoformat() if grain != "total" else ""
        records.append(
            {"interval_start": start, **dict(zip(dims, key[1:], strict=True)), **asdict(kpis(c))}
        )
    if out.suffix == ".parquet":
        try:
            import pyarrow as pa  # type: ignore[import-untyped]
            import pyarrow.parquet as pq  # type: ignore[import-untyped]
        except ImportError as exc:  # optional dependency
            raise typer.BadParameter("Parquet needs pyarrow: pip install pyarrow") from exc
        pq.write_table(pa.Table.from_pylist(records), out)
    else:
        with out.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(records[0]) if records else ["interval_start"])
            w.writeheader()
            w.writerows(records)
    console.print(f"[green]{len(records)} rows[/] written to {out}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("export")(export)
