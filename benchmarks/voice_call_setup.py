"""Call set-up rate: sipp places calls into the voice endpoint at a fixed rate.

    .venv/bin/python benchmarks/voice_call_setup.py            # 100 calls/s for 60 s
    .venv/bin/python benchmarks/voice_call_setup.py --quick    # 50 calls/s for 10 s

Each call is INVITE/200/ACK, one second of IVR prompt over RTP, BYE. The baseline, measured
in the same run with the same scenario and rate, is sipp's own built-in UAS (`-sn uas`),
which answers in C without media: the ratio shows what our endpoint costs against it.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "fixtures" / "sip" / "bench_uac.xml"
console = Console()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_sipp(target: str, rate: int, seconds: int, workdir: Path, label: str) -> dict[str, float]:
    total = rate * seconds
    stat = workdir / f"{label}.csv"
    cmd = [
        "sipp",
        target,
        "-sf",
        str(SCENARIO),
        "-r",
        str(rate),
        "-m",
        str(total),
        "-l",
        str(rate * 4),
        "-i",
        "127.0.0.1",
        "-p",
        str(free_port()),
        "-mp",
        str(free_port()),
        "-nostdin",
        "-timeout",
        str(seconds + 30),
        "-trace_stat",
        "-stf",
        str(stat),
        "-fd",
        "1",
        "-max_recv_loops",
        "5000",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{label}: {rate} calls/s", total=seconds + 2)
        while proc.poll() is None:
            time.sleep(0.5)
            progress.update(task, completed=min(time.perf_counter() - started, seconds + 2))
    rows = list(csv.reader(stat.open(), delimiter=";"))
    header, last = rows[0], rows[-1]
    value = dict(zip(header, last, strict=False))
    ok = float(value.get("SuccessfulCall(C)", 0))
    failed = float(value.get("FailedCall(C)", 0))
    rtd = value.get("ResponseTime1(C)", "00:00:00:000000")
    h, m, s, us = (int(x) for x in rtd.split(":"))
    return {
        "calls": ok + failed,
        "ok": ok,
        "failed": failed,
        "failed_pct": 100 * failed / max(ok + failed, 1),
        "rate": (ok + failed) / max(time.perf_counter() - started - 1, 1),
        "setup_ms": (h * 3600 + m * 60 + s) * 1000 + us / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rate", type=int)
    parser.add_argument("--seconds", type=int)
    args = parser.parse_args()
    rate = args.rate or (50 if args.quick else 100)
    seconds = args.seconds or (10 if args.quick else 60)
    if shutil.which("sipp") is None:
        sys.exit("sipp not installed (Debian: apt-get install sip-tester)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        baseline = subprocess.Popen(
            ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-nostdin"],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        base = run_sipp(f"127.0.0.1:{port}", rate, seconds, work, "baseline-sipp-uas")
        baseline.terminate()
        baseline.wait(10)

        port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        endpoint = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "omnicenter.channels.voice",
                "--port",
                str(port),
                "--rtp-ports",
                "30000-39999",
                "--data-dir",
                str(work / "voice"),
                "--no-prompts",
                "--no-tcp",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert endpoint.stdout is not None
        endpoint.stdout.readline()  # READY
        cpu0 = _cpu_seconds(endpoint.pid)
        t0 = time.perf_counter()
        ours = run_sipp(f"127.0.0.1:{port}", rate, seconds, work, "omnicenter")
        cpu = (_cpu_seconds(endpoint.pid) - cpu0) / (time.perf_counter() - t0)
        endpoint.terminate()
        endpoint.wait(10)

    table = Table(title=f"Call set-up, {rate} calls/s for {seconds} s (sipp)")
    for col in ("", "calls", "failed", "failed %", "achieved calls/s", "INVITE->200 ms"):
        table.add_column(col)
    for name, r in (("sipp UAS (baseline)", base), ("omnicenter", ours)):
        table.add_row(
            name,
            f"{r['calls']:.0f}",
            f"{r['failed']:.0f}",
            f"{r['failed_pct']:.3f}",
            f"{r['rate']:.1f}",
            f"{r['setup_ms']:.2f}",
        )
    console.print(table)
    console.print(f"endpoint CPU: {100 * cpu:.0f}% of one core at {rate} calls/s")
    console.print(
        f"ratio successful calls omnicenter/baseline: {ours['ok'] / max(base['ok'], 1):.3f}"
    )
    target_ok = ours["failed_pct"] < 0.1 and ours["calls"] >= rate * seconds * 0.99
    console.print(f"target (<0.1% failed): {'met' if target_ok else 'NOT met'}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
