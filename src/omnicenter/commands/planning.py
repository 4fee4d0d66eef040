"""`omnicenter forecast`, `omnicenter staff` and `omnicenter simulate`.

CSV in, CSV and PNG charts out (into --out). Formats:

* history / forecast: `interval_start,channel,contacts` (ISO 8601, UTC)
* staffing: `interval_start,channel,agents` (agents scheduled, after shrinkage)
* roster: `agent,channels,capacity,max_total,shift_start,shift_end,partner`, one row per
  shift; channels `voice;webchat`, capacity `webchat=3;email=2`
* events: `day,name,multiplier` (multiplier empty: learn it from history)
* channels (YAML): a list of `ChannelSpec` fields, e.g. `{name: webchat, aht: 600,
  method: erlang_a, patience: 120, concurrency: 3}`
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from omnicenter.planning.accuracy import backtest
from omnicenter.planning.forecast import Event, History, fit
from omnicenter.planning.local_days import to_local_days, to_utc_grid
from omnicenter.planning.outsourcing import outsourcing_plan
from omnicenter.planning.sim_kpis import kpis, kpis_by_queue, service_level_by_interval
from omnicenter.planning.sim_model import AgentSpec, ArrivalSpec, CenterModel, QueueSpec
from omnicenter.planning.simulation import RouterFactory, engine_router, reference_router, simulate
from omnicenter.planning.staffing import ChannelSpec, Method, staff
from omnicenter.planning.synthetic import synthetic_history

__all__ = ["DEFAULT_CHANNELS", "register"]

console = Console()

DEFAULT_CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("voice", 300.0, Method.ERLANG_A, patience=180.0, target_sl=0.8, target_time=20.0),
    ChannelSpec("webchat", 600.0, Method.ERLANG_A, patience=120.0, concurrency=3, target_time=30.0),
    ChannelSpec("email", 420.0, Method.DEFERRED, deadline=8 * 3600.0),
    ChannelSpec("sms", 240.0, Method.ERLANG_A, patience=900.0, concurrency=2, target_time=300.0),
)
_DEMO_SHARE = {"voice": 1.0, "webchat": 0.7, "email": 0.5, "sms": 0.25}


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
    )


def _parse_ts(text: str) -> datetime:
    t = datetime.fromisoformat(text)
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def read_series(path: Path, value: str) -> tuple[datetime, int, dict[str, np.ndarray]]:
    """(first interval start, interval seconds, channel -> values per interval)."""
    rows: dict[str, dict[datetime, float]] = defaultdict(dict)
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            rows[row["channel"]][_parse_ts(row["interval_start"])] = float(row[value])
    stamps = sorted({t for r in rows.values() for t in r})
    if len(stamps) < 2:
        raise typer.BadParameter(f"{path}: need at least two intervals")
    step = int(min((b - a).total_seconds() for a, b in itertools.pairwise(stamps)))
    first, last = stamps[0], stamps[-1]
    n = int((last - first).total_seconds() // step) + 1
    out = {}
    for ch, r in rows.items():
        arr = np.zeros(n)
        for t, v in r.items():
            arr[int((t - first).total_seconds() // step)] = v
        out[ch] = arr
    return first, step, out


@dataclass(frozen=True)
class DbSeries:
    """Offered contacts per channel on the absolute grid from local midnight of `first`,
    over `days` whole local days of zone `tz`."""

    start: datetime
    step: int
    series: dict[str, np.ndarray]
    first: date
    days: int
    tz: tzinfo


def read_db_series(
    database: str | None, since: date | None, until: date | None, timezone: str | None
) -> DbSeries:
    """Offered contacts per channel per 15 minutes from the database's metric buckets.

    Whole local days from `since` (default: the first day with contacts) up to `until`
    (exclusive; default: today, so the history ends with the last complete day).
    """
    from sqlalchemy.exc import DBAPIError

    from omnicenter.metrics import INTERVAL_S, Grain
    from omnicenter.metrics.config import day_bounds, zone
    from omnicenter.settings import load_settings
    from omnicenter.store import Database
    from omnicenter.store.metrics import history_range, query_counters

    settings = load_settings()
    try:
        tz = zone(timezone or settings.timezone)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    url = database or settings.sqlalchemy_url()
    db = Database(url)
    try:
        with console.status("reading history from the database…"), db.reader() as conn:
            span = history_range(conn)
            if span is None:
                raise typer.BadParameter(
                    "the database holds no contact history: give a CSV, use --demo, or "
                    "seed one with `omnicenter demo-history`"
                )
            first = since or span[0].astimezone(tz).date()
            last = until or datetime.now(tz).date()
            start, end = day_bounds(first, tz)[0], day_bounds(last, tz)[0]
            if end <= start:
                raise typer.BadParameter(
                    f"no whole day of history between {first} and {last} (--until is exclusive)"
                )
            data = query_counters(conn, start, end, by=("channel",), grain=Grain.QUARTER)
    except DBAPIError as exc:
        raise typer.BadParameter(f"cannot read metric buckets from {url}: {exc.orig}") from exc
    finally:
        db.dispose()
    n = int((end - start).total_seconds()) // INTERVAL_S
    t0 = int(start.timestamp())
    out: dict[str, np.ndarray] = {}
    for (t, ch), c in data.items():
        arr = out.setdefault(str(ch), np.zeros(n))
        arr[(int(t) - t0) // INTERVAL_S] += c.offered
    out.pop("", None)  # agent presence rows have no channel
    if not out:
        raise typer.BadParameter(f"no contacts offered between {first} and {last}")
    return DbSeries(start, INTERVAL_S, out, first, (last - first).days, tz)


def write_series(
    path: Path,
    start: datetime,
    step: float,
    data: dict[str, Any],
    value: str,
    times: list[datetime] | None = None,
) -> None:
    """One row per interval and channel; `times` names the intervals' starts (else
    `start + i * step`)."""
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["interval_start", "channel", value])
        for ch, arr in data.items():
            for i, v in enumerate(np.asarray(arr).ravel()):
                t = times[i] if times is not None else start + timedelta(seconds=i * step)
                w.writerow([t.isoformat(), ch, f"{v:.3f}" if isinstance(v, float) else int(v)])


def read_events(path: Path | None) -> list[Event]:
    if path is None:
        return []
    with path.open(newline="") as f:
        return [
            Event(
                r["name"],
                date.fromisoformat(r["day"]),
                float(r["multiplier"]) if r.get("multiplier") else None,
            )
            for r in csv.DictReader(f)
        ]


def read_channels(path: Path | None) -> list[ChannelSpec]:
    if path is None:
        return list(DEFAULT_CHANNELS)
    items = yaml.safe_load(path.read_text())
    return [ChannelSpec(**{**it, "method": Method(it.get("method", "erlang_c"))}) for it in items]


def read_roster(path: Path, start: datetime) -> list[AgentSpec]:
    shifts: dict[str, list[tuple[float, float]]] = defaultdict(list)
    info: dict[str, dict[str, str]] = {}
    with path.open(newline="") as f:
        for r in csv.DictReader(f):
            shifts[r["agent"]].append(
                (
                    (_parse_ts(r["shift_start"]) - start).total_seconds(),
                    (_parse_ts(r["shift_end"]) - start).total_seconds(),
                )
            )
            info[r["agent"]] = r
    out = []
    for name, r in info.items():
        cap = {k: int(v) for k, v in (p.split("=") for p in r.get("capacity", "").split(";") if p)}
        out.append(
            AgentSpec(
                name,
                tuple(c for c in r["channels"].split(";") if c),
                cap,
                int(r.get("max_total") or 1),
                tuple(shifts[name]),
                partner=(r.get("partner", "").lower() in ("1", "true", "yes")),
            )
        )
    return out


def _d(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _to_days(arr: np.ndarray, per_day: int) -> np.ndarray:
    days = arr.size // per_day
    return arr[: days * per_day].reshape(days, per_day)


def _chart(
    path: Path,
    title: str,
    start: datetime,
    step: float,
    series: dict[str, np.ndarray],
    ylabel: str,
    times: list[datetime] | None = None,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 4.5))
    for name, arr in series.items():
        x = mdates.date2num(  # type: ignore[no-untyped-call]
            times or [start + timedelta(seconds=i * step) for i in range(len(arr))]
        )
        ax.plot(x, arr, label=name, linewidth=1.2)
    ax.xaxis_date()
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


DatabaseOpt = Annotated[
    str | None, typer.Option(help="SQLAlchemy URL to read history from (default: settings)")
]
SinceOpt = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="first local day of history (default: the first)"),
]
UntilOpt = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help="local day the history stops before (default: today)"),
]
TimezoneOpt = Annotated[
    str | None, typer.Option(help="IANA zone for days (default: the timezone setting)")
]


def forecast_cmd(
    history: Annotated[
        Path | None, typer.Argument(help="history CSV: interval_start,channel,contacts")
    ] = None,
    out: Annotated[Path, typer.Option(help="folder for forecast.csv and charts")] = Path(
        "planning-out"
    ),
    days: Annotated[int, typer.Option(help="days to forecast after the history")] = 7,
    holdout_weeks: Annotated[int, typer.Option(help="weeks held out for the accuracy report")] = 2,
    events: Annotated[Path | None, typer.Option(help="events CSV: day,name,multiplier")] = None,
    demo: Annotated[
        bool, typer.Option(help="use a synthetic 12-week history (written to --out)")
    ] = False,
    seed: Annotated[int, typer.Option(help="seed for --demo")] = 0,
    database: DatabaseOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    timezone: TimezoneOpt = None,
) -> None:
    """Forecast contacts per channel per interval, with MAPE/WAPE against a seasonal naive.

    History: the CSV given, else the database (offered contacts from the metric buckets)."""
    out.mkdir(parents=True, exist_ok=True)
    evs = read_events(events)
    local: DbSeries | None = None
    if demo:
        # 12 weeks ending last Sunday: the forecast is for the current week
        today = datetime.now(UTC).date()
        start_day = today - timedelta(days=today.weekday(), weeks=12)
        series = {
            ch: synthetic_history(start_day, 12, 3000 * s, 0.02, 96, evs, seed + i).counts.ravel()
            for i, (ch, s) in enumerate(_DEMO_SHARE.items())
        }
        start, step = datetime.combine(start_day, time(), UTC), 900
        write_series(out / "history.csv", start, step, series, "contacts")
    elif history is None:
        # from the store: days and time-of-day slots on the center's clock (`local_days`)
        local = read_db_series(database, _d(since), _d(until), timezone)
        start, step, series = local.start, local.step, local.series
        write_series(out / "history.csv", start, step, series, "contacts")
    else:
        start, step, series = read_series(history, "contacts")
    per_day = int(86400 // step)
    table = Table(title=f"Accuracy on {holdout_weeks} held-out weeks (lower is better)")
    for col in ("channel", "MAPE", "WAPE", "naive MAPE", "naive WAPE", "beats naive"):
        table.add_column(col, justify="right")
    result: dict[str, np.ndarray] = {}
    times: list[datetime] | None = None
    f_start = start + timedelta(days=len(next(iter(series.values()))) // per_day)
    with _progress() as bar:
        task = bar.add_task("forecasting", total=len(series))
        for ch, arr in series.items():
            if local is not None:
                h = History(
                    local.first, to_local_days(arr, local.first, local.days, step, local.tz)
                )
            else:
                h = History(start.date(), _to_days(arr, per_day))
            if h.days >= 7 * (holdout_weeks + 2):
                bt = backtest(h, holdout_weeks, evs)
                table.add_row(
                    ch,
                    f"{bt.model.mape:.1%}",
                    f"{bt.model.wape:.1%}",
                    f"{bt.naive.mape:.1%}",
                    f"{bt.naive.wape:.1%}",
                    "yes" if bt.beats_naive else "no",
                )
            if local is not None:
                f_first = local.first + timedelta(days=local.days)
                predicted = fit(h, evs).predict(f_first, days, evs)
                times, result[ch] = to_utc_grid(predicted, f_first, step, local.tz)
            else:
                result[ch] = fit(h, evs).predict(f_start.date(), days, evs).ravel()
            bar.advance(task)
    console.print(table)
    if times is not None:
        f_start = times[0]
    write_series(out / "forecast.csv", f_start, step, result, "contacts", times)
    _chart(
        out / "forecast.png",
        "Forecast contacts per interval",
        f_start,
        step,
        result,
        "contacts",
        times,
    )
    console.print(f"wrote {out / 'forecast.csv'} and {out / 'forecast.png'}")


def staff_cmd(
    forecast: Annotated[
        Path | None,
        typer.Argument(
            help="forecast CSV: interval_start,channel,contacts (default: the recorded "
            "volumes in the database, to staff what actually came)"
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="folder for staffing.csv and charts")] = Path(
        "planning-out"
    ),
    channels: Annotated[
        Path | None, typer.Option(help="channels YAML (default: voice, webchat, email, sms)")
    ] = None,
    shrinkage: Annotated[float, typer.Option(help="share of paid time not on contacts")] = 0.3,
    roster: Annotated[
        Path | None, typer.Option(help="in-house roster CSV: adds the outsourcing plan")
    ] = None,
    holiday: Annotated[
        list[str] | None, typer.Option(help="holiday date (repeatable), for the outsourcing plan")
    ] = None,
    peak: Annotated[
        list[str] | None, typer.Option(help="peak date (repeatable), for the outsourcing plan")
    ] = None,
    database: DatabaseOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    timezone: TimezoneOpt = None,
) -> None:
    """Agents needed per channel per interval (Erlang C/A, concurrency, deadlines, shrinkage)."""
    out.mkdir(parents=True, exist_ok=True)
    if forecast is None:
        db = read_db_series(database, _d(since), _d(until), timezone)
        start, step, vols = db.start, db.step, db.series
    else:
        start, step, vols = read_series(forecast, "contacts")
    specs = [s for s in read_channels(channels) if s.name in vols]
    if not specs:
        raise typer.BadParameter("no channel of the forecast is configured")
    plan = staff(vols, specs, float(step), shrinkage)
    sched = {c: plan.scheduled[plan.row(c)] for c in plan.channels}
    write_series(out / "staffing.csv", start, step, sched, "agents")
    _chart(
        out / "staffing.png",
        f"Agents scheduled (shrinkage {shrinkage:.0%})",
        start,
        step,
        {c: v.astype(float) for c, v in sched.items()},
        "agents",
    )
    table = Table(title="Staffing plan")
    for col in ("channel", "contacts", "peak agents", "agent-hours", "expected SL"):
        table.add_column(col, justify="right")
    for c in plan.channels:
        i = plan.row(c)
        table.add_row(
            c,
            f"{plan.volumes[i].sum():,.0f}",
            str(int(plan.scheduled[i].max())),
            f"{plan.scheduled[i].sum() * step / 3600:,.0f}",
            f"{plan.expected_service_level(c):.1%}",
        )
    console.print(table)
    console.print(f"wrote {out / 'staffing.csv'} and {out / 'staffing.png'}")
    if roster is not None:
        op = outsourcing_plan(
            sched,
            read_roster(roster, start),
            start,
            float(step),
            {date.fromisoformat(d) for d in holiday or ()},
            {date.fromisoformat(d) for d in peak or ()},
        )
        with (out / "outsourcing.csv").open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["channel", "start", "end", "max_agents", "agent_hours", "reason"])
            for b in op.blocks:
                w.writerow(
                    [
                        b.channel,
                        b.start.isoformat(),
                        b.end.isoformat(),
                        b.max_agents,
                        b.agent_hours,
                        b.reason,
                    ]
                )
        t = Table(title="Partner team must cover (agent-hours)")
        t.add_column("reason")
        t.add_column("hours", justify="right")
        for r, h in op.hours_by_reason().items():
            t.add_row(str(r), f"{h:,.0f}")
        console.print(t)
        console.print(f"wrote {out / 'outsourcing.csv'}")


def _roster_from_staffing(
    start: datetime,
    step: float,
    agents: dict[str, np.ndarray],
    specs: dict[str, ChannelSpec],
    shrinkage: float,
) -> list[AgentSpec]:
    """One single-channel agent per staffed position: agent m works where the plan has > m."""
    out = []
    for ch, arr in agents.items():
        # shrinkage is time off contacts; the epsilon undoes `staff`'s ceil(p / (1 - s)) exactly
        on_contacts = np.floor(arr * (1.0 - shrinkage) + 1e-9).astype(int)
        conc = specs[ch].concurrency if ch in specs else 1
        for m in range(int(on_contacts.max(initial=0))):
            on = np.concatenate(([False], on_contacts > m, [False]))
            edges = np.flatnonzero(on[1:] != on[:-1])
            shifts = tuple(
                (float(a * step), float(b * step))
                for a, b in zip(edges[::2], edges[1::2], strict=True)
            )
            out.append(AgentSpec(f"{ch}-{m}", (ch,), {ch: conc}, conc, shifts))
    return out


def plan_model(
    step: float,
    vols: dict[str, np.ndarray],
    specs: dict[str, ChannelSpec],
    agents: list[AgentSpec],
) -> CenterModel:
    """The simulation of a plan: one queue per channel, with the targets `staff` planned for.

    A deferred channel's service-level time is its deadline, so the simulator measures the
    share of items started within it (`staff` promises them done within it)."""
    queues = [
        QueueSpec(
            ch,
            ch,
            specs[ch].aht if ch in specs else 300.0,
            patience=specs[ch].patience if ch in specs else None,
            sl_time=(specs[ch].deadline or specs[ch].target_time)
            if ch in specs and specs[ch].method is Method.DEFERRED
            else (specs[ch].target_time if ch in specs else 20.0),
        )
        for ch in vols
    ]
    horizon = float(len(next(iter(vols.values()))) * step)
    arrivals = [ArrivalSpec(ch, v / step, float(step)) for ch, v in vols.items()]
    return CenterModel(queues, agents, arrivals, horizon)


def simulate_cmd(
    forecast: Annotated[
        Path, typer.Argument(help="forecast CSV: contacts per interval become Poisson rates")
    ],
    staffing: Annotated[
        Path | None, typer.Option(help="staffing CSV from `omnicenter staff`")
    ] = None,
    roster: Annotated[
        Path | None, typer.Option(help="roster CSV (skills, capacity, shifts)")
    ] = None,
    channels: Annotated[Path | None, typer.Option(help="channels YAML")] = None,
    shrinkage: Annotated[
        float, typer.Option(help="with --staffing: share of scheduled agents off contacts")
    ] = 0.3,
    out: Annotated[Path, typer.Option(help="folder for kpis.csv and charts")] = Path(
        "planning-out"
    ),
    seed: Annotated[int, typer.Option(help="random seed; the same seed gives the same run")] = 0,
    router: Annotated[
        str,
        typer.Option(
            help="engine: the live routing engine (omnicenter.routing); "
            "reference: the textbook FIFO router, faster, fewer rules"
        ),
    ] = "engine",
) -> None:
    """Simulate the forecast against a roster through the routing engine; print the live KPIs."""
    routers: dict[str, RouterFactory] = {"engine": engine_router, "reference": reference_router}
    if router not in routers:
        raise typer.BadParameter(f"--router must be one of {sorted(routers)}")
    out.mkdir(parents=True, exist_ok=True)
    start, step, vols = read_series(forecast, "contacts")
    specs = {s.name: s for s in read_channels(channels)}
    if roster is not None:
        agents = read_roster(roster, start)
    elif staffing is not None:
        _, _, plan = read_series(staffing, "agents")
        agents = _roster_from_staffing(start, step, plan, specs, shrinkage)
    else:
        raise typer.BadParameter("give --staffing or --roster")
    model = plan_model(step, vols, specs, agents)
    horizon, queues = model.horizon, model.queues
    with _progress() as bar:
        task = bar.add_task(f"simulating {len(agents)} agents", total=1.0)
        res = simulate(
            model,
            seed=seed,
            router=routers[router],
            progress=lambda f: bar.update(task, completed=f),
        )
    table = Table(title=f"Simulated KPIs ({res.contacts:,} contacts, seed {seed}, {router})")
    for col in ("queue", "offered", "handled", "abandoned", "service level", "ASA", "AHT"):
        table.add_column(col, justify="right")
    rows = kpis_by_queue(res)
    with (out / "kpis.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["queue", "offered", "handled", "abandoned", "service_level", "asa", "aht", "occupancy"]
        )
        for name, k in rows.items():
            table.add_row(
                name,
                f"{k.offered:,}",
                f"{k.handled:,}",
                f"{k.abandoned:,}",
                f"{k.service_level:.1%}",
                f"{k.asa:.0f} s",
                f"{k.aht:.0f} s",
            )
            w.writerow(
                [
                    name,
                    k.offered,
                    k.handled,
                    k.abandoned,
                    k.service_level,
                    k.asa,
                    k.aht,
                    k.occupancy,
                ]
            )
    console.print(table)
    console.print(f"occupancy {kpis(res).occupancy:.1%}")
    sl = {q.name: service_level_by_interval(res, i, 3600.0) for i, q in enumerate(queues)}
    _chart(
        out / "service_level.png",
        "Simulated service level per hour",
        start,
        3600.0,
        sl,
        "service level",
    )
    console.print(f"wrote {out / 'kpis.csv'} and {out / 'service_level.png'}")
    if not math.isfinite(horizon):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast_cmd)
    app.command("staff")(staff_cmd)
    app.command("simulate")(simulate_cmd)
