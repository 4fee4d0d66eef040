"""Instructions and cache misses per routing decision, counted by valgrind (callgrind).

    .venv/bin/python benchmarks/routing_counts.py             # both directions
    .venv/bin/python benchmarks/routing_counts.py --agents 1000

Wall-clock figures on a shared machine move by ±25% or more between runs; instruction and
simulated cache-miss counts do not (the same seed, hash seed and addresses give the same
counts), so they are what tells one build of the engine from the next. The workload is the
one of `routing.py` (10,000 agents, 100 queues, 50,000 waiting when agents free up). Only
the engine's `submit` and `complete` are counted, from a steady state: each figure is the
difference between a run of 1,000 and one of 7,000 steps, divided by 6,000.

Needs `valgrind` (Debian package) and the engine compiled by mypyc (the counted functions
are found by their C names).
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

ENTRY_POINTS = ("CPyPy_engine___RoutingEngine___complete", "CPyPy_engine___RoutingEngine___submit")
EVENTS = ("Ir", "I1mr", "D1mr", "D1mw", "DLmr", "DLmw")
SHORT, LONG = 1_000, 7_000
WARM = 30_000  # uncounted steps first: the task index has been resized, the ring is full
# The simulated caches are set, not read off the host (valgrind reads some virtual machines'
# last level as 512 MiB, 2-way): a core of a current server, 32 KiB L1i, 48 KiB L1d and a
# 32 MiB, 16-way last level, so that counts taken on two machines compare.
CACHES = ("--I1=32768,8,64", "--D1=49152,12,64", "--LL=33554432,16,64")

console = Console(width=110)


def child(mode: str, agents: int, steps: int) -> None:
    """Runs under valgrind: build the state uncounted, switch counting on, run `steps`."""
    from routing import Driver

    driver = Driver(agents, 50_000 if mode == "backlog" else 0)
    if mode == "backlog":
        driver.fill(lambda: None)
    else:
        driver.half_busy()
    arrivals = mode == "arrivals"
    driver.run(WARM, lambda: None, arrivals_first=arrivals)
    gc.collect()
    gc.freeze()
    gc.disable()
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
    driver.run(3_000, lambda: None, arrivals_first=arrivals)  # the simulated caches warm up
    driver.run(steps, lambda: None, arrivals_first=arrivals)


def count(mode: str, agents: int, steps: int, work: Path) -> dict[str, int]:
    out = work / f"{mode}.{agents}.{steps}.out"
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--cache-sim=yes",
        *CACHES,
        "--instr-atstart=no",
        "--collect-atstart=no",
        *[f"--toggle-collect={name}" for name in ENTRY_POINTS],
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "--child",
        mode,
        "--agents",
        str(agents),
        "--steps",
        str(steps),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if shutil.which("setarch"):  # the same addresses every run: the same simulated misses
        cmd = ["setarch", "-R", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    lines = out.read_text().splitlines()
    names = next(ln for ln in lines if ln.startswith("events:")).split()[1:]
    totals = next(ln for ln in lines if ln.startswith(("summary:", "totals:"))).split()[1:]
    return dict(zip(names, (int(v) for v in totals), strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.agents, args.steps)
        return 0
    from omnicenter import routing

    if not routing.COMPILED:
        console.print("the engine is not compiled (pip install -e . builds it): nothing to count")
        return 1
    if shutil.which("valgrind") is None:
        console.print("valgrind is not installed (apt-get install valgrind)")
        return 1
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console, transient=True) as bar:
        job = bar.add_task("callgrind runs", total=4)
        for mode in ("backlog", "arrivals"):
            short = count(mode, args.agents, SHORT, Path(tmp))
            bar.advance(job)
            long = count(mode, args.agents, LONG, Path(tmp))
            bar.advance(job)
            rows[mode] = {e: (long[e] - short[e]) / (LONG - SHORT) for e in EVENTS}
    table = Table(title=f"per step (one completion and one arrival), {args.agents:,} agents")
    for col in ("scenario", "instructions", "L1i misses", "L1d misses", "last-level misses"):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for mode, r in rows.items():
        table.add_row(
            mode,
            f"{r['Ir']:,.0f}",
            f"{r['I1mr']:,.0f}",
            f"{r['D1mr'] + r['D1mw']:,.0f}",
            f"{r['DLmr'] + r['DLmw']:,.1f}",
        )
    console.print(table)
    console.print("(simulated caches: 32 KiB L1i, 48 KiB L1d, 32 MiB last level)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
