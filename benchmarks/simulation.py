"""Simulation throughput: omnicenter's simulator vs ciw and an obvious simpy model.

Run: .venv/bin/python benchmarks/simulation.py [--quick] [--seed N]

1. M/M/c (50 agents, 0.75 arrivals/s, 60 s mean handle time): contacts simulated per
   second by omnicenter (through its RoutingPort router), ciw and simpy, same horizon.
2. A month of a 500-agent, 4-channel blended center with skills and shifts (~1M contacts):
   wall time (target < 30 s) and the KPIs per queue.
"""

from __future__ import annotations

import argparse
import math
import random
import time

import ciw
import numpy as np
import simpy
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from omnicenter.planning.erlang import erlang_c
from omnicenter.planning.sim_kpis import kpis, kpis_by_queue
from omnicenter.planning.sim_model import AgentSpec, ArrivalSpec, CenterModel, QueueSpec
from omnicenter.planning.simulation import simulate
from omnicenter.planning.synthetic import WEEKDAY_LEVELS, intraday_shape

C, LAM, AHT = 50, 0.75, 60.0
DAY = 86_400.0


def run_omnicenter(horizon: float, seed: int) -> tuple[int, float, float]:
    model = CenterModel(
        [QueueSpec("q", "voice", AHT)],
        [AgentSpec(f"a{i}", ("q",)) for i in range(C)],
        [ArrivalSpec.constant("q", LAM, horizon)],
        horizon,
    )
    t0 = time.perf_counter()
    res = simulate(model, seed=seed)
    dt = time.perf_counter() - t0
    return res.contacts, dt, float(np.mean(res.wait > 0))


def run_ciw(horizon: float, seed: int) -> tuple[int, float, float]:
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
        number_of_servers=[C],
    )
    t0 = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon)
    dt = time.perf_counter() - t0
    recs = sim.get_all_records()
    return len(recs), dt, float(np.mean([r.waiting_time > 0 for r in recs]))


def run_simpy(horizon: float, seed: int) -> tuple[int, float, float]:
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=C)
    waits: list[float] = []

    def contact(env: simpy.Environment) -> object:
        arrived = env.now
        with agents.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1 / AHT))

    def source(env: simpy.Environment) -> object:
        while True:
            yield env.timeout(rng.expovariate(LAM))
            env.process(contact(env))

    env.process(source(env))
    t0 = time.perf_counter()
    env.run(until=horizon)
    dt = time.perf_counter() - t0
    return len(waits), dt, float(np.mean(np.array(waits) > 0))


def month_model(days: int) -> CenterModel:
    """500 agents in 4 shift groups and 3 skill groups; voice, chat, email and SMS."""
    queues = [
        QueueSpec("voice", "voice", 300.0, patience=180.0, handle_cv=0.8),
        QueueSpec("chat", "chat", 600.0, patience=120.0),
        QueueSpec("email", "email", 400.0, sl_time=4 * 3600.0),
        QueueSpec("sms", "sms", 300.0, patience=900.0, sl_time=300.0),
    ]
    daily = {"voice": 14_000.0, "chat": 10_500.0, "email": 7_000.0, "sms": 3_500.0}
    shape = intraday_shape(96)
    arrivals = []
    for name, per_day in daily.items():
        rates = [
            per_day * WEEKDAY_LEVELS[d % 7] * shape[i] / 900.0
            for d in range(days)
            for i in range(96)
        ]
        arrivals.append(ArrivalSpec(name, np.array(rates), 900.0))
    groups = [  # (count, queues, capacity, max_total)
        (200, ("voice", "chat"), {"chat": 3}, 3),
        (150, ("chat", "email", "sms"), {"chat": 3, "email": 2, "sms": 2}, 4),
        (150, ("voice", "email", "sms"), {"email": 2, "sms": 2}, 3),
    ]
    shift_starts = [(6.0, 0.35), (9.0, 0.35), (13.0, 0.22), (22.0, 0.08)]  # hour, share
    agents = []
    k = 0
    for count, qs, cap, total in groups:
        for j in range(count):
            start_h = shift_starts[-1][0]
            acc = 0.0
            for h, share in shift_starts:
                acc += share
                if j < acc * count:
                    start_h = h
                    break
            shifts = tuple(
                (d * DAY + start_h * 3600.0, d * DAY + (start_h + 8) * 3600.0)
                for d in range(days)
                if d % 7 < 5 or j % 3 == 0  # a third also works weekends
            )
            agents.append(AgentSpec(f"a{k}", qs, cap, total, shifts))
            k += 1
    return CenterModel(queues, agents, arrivals, days * DAY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    console = Console()
    horizon = 40_000.0 if args.quick else 400_000.0
    rows = []
    for name, fn in (("omnicenter", run_omnicenter), ("ciw", run_ciw), ("simpy", run_simpy)):
        with console.status(f"M/M/c with {name} …"):
            n, dt, pw = fn(horizon, args.seed)
        rows.append((name, n, dt, pw))
    ours = rows[0][1] / rows[0][2]
    table = Table(title=f"M/M/c: {C} agents, {LAM}/s, {AHT:.0f} s AHT, {horizon:,.0f} s simulated")
    for col in ("simulator", "contacts", "time", "contacts/s", "P(wait)", "omnicenter ×"):
        table.add_column(col, justify="right")
    for name, n, dt, pw in rows:
        rate = n / dt
        table.add_row(
            name, f"{n:,}", f"{dt:.2f} s", f"{rate:,.0f}", f"{pw:.4f}", f"{ours / rate:.1f}"
        )
    console.print(table)
    console.print(f"Erlang C P(wait) = {float(erlang_c(C, LAM * AHT)):.4f}")

    days = 7 if args.quick else 30
    model = month_model(days)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(f"{days} days, {len(model.agents)} agents, 4 channels", total=1.0)
        t0 = time.perf_counter()
        res = simulate(model, seed=args.seed, progress=lambda f: bar.update(task, completed=f))
        dt = time.perf_counter() - t0
    table = Table(
        title=f"Blended center: {days} days, {res.contacts:,} contacts in {dt:.1f} s "
        f"({res.contacts / dt:,.0f} contacts/s; target < 30 s for a month)"
    )
    for col in ("queue", "offered", "handled", "abandoned", "SL", "ASA", "AHT"):
        table.add_column(col, justify="right")
    for name, k in kpis_by_queue(res).items():
        table.add_row(
            name,
            f"{k.offered:,}",
            f"{k.handled:,}",
            f"{k.abandoned:,}",
            f"{k.service_level:.1%}",
            f"{k.asa:.0f} s",
            f"{k.aht:.0f} s",
        )
    console.print(table)
    console.print(f"occupancy {kpis(res).occupancy:.1%}; events processed {res.events:,}")
    if not math.isfinite(dt):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
