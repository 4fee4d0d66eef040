"""The routing benchmark's worker processes report what an in-process measurement does."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.progress import Progress

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def test_a_measurement_in_a_worker_process_reports_its_decisions() -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import routing as bench  # the benchmark script, not omnicenter.routing
    finally:
        sys.path.remove(str(BENCHMARKS))
    with Progress(disable=True) as progress:
        apart = bench.measure_apart("backlog", 300, 600, 400, progress)
        here = bench.measure("backlog", 300, 600, 400, progress)
    assert apart.label == "backlog" and apart.agents == 300
    # the same seeded workload: the same decisions, whichever process made them
    assert apart.decisions == here.decisions > 0
    assert apart.waiting == here.waiting > 0
    assert len(apart.latencies) == len(here.latencies) and apart.seconds > 0
