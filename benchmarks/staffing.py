"""Staffing for 96 intervals × 6 channels: omnicenter's vectorised Erlang C vs pyworkforce.

Run: .venv/bin/python benchmarks/staffing.py [--quick]
Both compute agents needed (80 % in 20 s, 30 % shrinkage) for the same volumes; the
script checks they agree on every interval and prints the median time of each and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from pyworkforce.queuing import ErlangC
from rich.console import Console
from rich.table import Table

from omnicenter.planning.erlang import agents_for_service_level

INTERVAL_MIN = 15
SHRINKAGE = 0.3


def workload(seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Contacts per 15 min for 6 channels over a day (double-peaked curve), and their AHT."""
    rng = np.random.default_rng(seed)
    hours = np.arange(96) / 4
    shape = np.exp(-((hours - 11) ** 2) / 8) + 0.8 * np.exp(-((hours - 16) ** 2) / 6) + 0.03
    peaks = np.array([400.0, 250.0, 150.0, 90.0, 60.0, 30.0])
    vols = np.maximum(np.round(peaks[:, None] * shape[None, :] * rng.uniform(0.9, 1.1, (6, 96))), 1)
    aht = np.array([240.0, 420.0, 300.0, 180.0, 600.0, 360.0])
    return vols, aht


def ours(vols: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = vols / (INTERVAL_MIN * 60) * aht[:, None]
    raw = agents_for_service_level(a, aht[:, None], 20.0, 0.8)
    return raw, np.ceil(raw / (1 - SHRINKAGE)).astype(np.int64)


def reference(vols: np.ndarray, aht: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    raw = np.zeros(vols.shape, dtype=np.int64)
    sched = np.zeros(vols.shape, dtype=np.int64)
    for i in range(vols.shape[0]):
        for j in range(vols.shape[1]):
            r = ErlangC(
                transactions=float(vols[i, j]),
                aht=aht[i] / 60,
                asa=20 / 60,
                interval=INTERVAL_MIN,
                shrinkage=SHRINKAGE,
            ).required_positions(service_level=0.8)
            raw[i, j], sched[i, j] = r["raw_positions"], r["positions"]
    return raw, sched


def timed(fn: object, *args: object, repeat: int) -> tuple[float, object]:
    assert callable(fn)
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeat = 5 if args.quick else 25
    vols, aht = workload()
    ours(vols, aht)  # warm-up: imports and first-call costs
    t_ours, (raw, sched) = timed(ours, vols, aht, repeat=repeat)  # type: ignore[misc]
    t_ref, (raw_ref, sched_ref) = timed(reference, vols, aht, repeat=max(repeat // 5, 2))  # type: ignore[misc]
    agree_raw = int((raw == raw_ref).sum())
    agree_sched = int((sched == sched_ref).sum())
    table = Table(title="Staffing: 96 intervals × 6 channels (Erlang C, 80/20, 30 % shrinkage)")
    table.add_column("implementation")
    table.add_column("median time", justify="right")
    table.add_column("ratio", justify="right")
    table.add_row("pyworkforce 0.5 (reference)", f"{t_ref * 1e3:.2f} ms", "1.0×")
    table.add_row("omnicenter.planning", f"{t_ours * 1e3:.2f} ms", f"{t_ref / t_ours:.1f}× faster")
    console = Console()
    console.print(table)
    console.print(
        f"agents on contacts agree on {agree_raw}/{raw.size} intervals, "
        f"scheduled agents on {agree_sched}/{sched.size}; total scheduled {int(sched.sum())}"
    )
    console.print(
        f"target < 20 ms: {'met' if t_ours < 0.020 else 'NOT met'}; "
        f"target ≥ 4× pyworkforce: {'met' if t_ref / t_ours >= 4 else 'NOT met'}"
    )
    if agree_raw != raw.size or agree_sched != sched.size:
        raise SystemExit("results differ from the reference")


if __name__ == "__main__":
    main()
