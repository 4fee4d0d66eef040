"""Media relay: N simultaneous bridged calls, 20 ms packets, loss, jitter and CPU per call.

    .venv/bin/python benchmarks/voice_media_relay.py            # 200 calls for 30 s
    .venv/bin/python benchmarks/voice_media_relay.py --quick    # 50 calls for 5 s

A separate process runs the endpoint's relay (RtpSession pairs joined exactly as a bridged
call joins them); this process plays the callers (one RTP stream per call, paced at 20 ms)
and the agents' phones (receiving). The baseline, in the same run, sends the same streams
straight to the receivers, so "added jitter" is what the relay adds on top of the load
generator's own timing noise. Each packet carries its send time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

console = Console()
PAYLOAD = 160


# --- relay process ----------------------------------------------------------------------------


async def serve(receivers: list[int]) -> None:
    from omnicenter.channels.voice.media.clock import MediaClock
    from omnicenter.channels.voice.media.ports import PortRange
    from omnicenter.channels.voice.media.session import open_rtp_session

    clock = MediaClock()
    ports = PortRange(0)
    inbound = []
    for port in receivers:
        a = await open_rtp_session("127.0.0.1", ports, clock)
        b = await open_rtp_session("127.0.0.1", ports, clock)
        a.configure(("127.0.0.1", 9), "PCMU", 0, 101)  # latches onto the caller's real address
        b.configure(("127.0.0.1", port), "PCMU", 0, 101)
        a.sink = lambda src, pkt, b=b: b.relay_from(src, pkt)
        inbound.append(a.local[1])
    print(json.dumps(inbound), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# --- load generator -----------------------------------------------------------------------------


def run(
    targets: list[tuple[str, int]], receivers: list[socket.socket], seconds: float, label: str
) -> dict[str, float]:
    senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in targets]
    latencies: list[float] = []
    received = 0
    stop = threading.Event()
    sel = selectors.DefaultSelector()
    for r in receivers:
        r.setblocking(False)
        sel.register(r, selectors.EVENT_READ)

    def receive() -> None:
        nonlocal received
        while not stop.is_set():
            for key, _ in sel.select(0.1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                while True:
                    try:
                        data = sock.recv(2048)
                    except BlockingIOError:
                        break
                    now = time.perf_counter()
                    received += 1
                    latencies.append(now - struct.unpack_from("!d", data, 12)[0])

    thread = threading.Thread(target=receive)
    thread.start()
    ticks = int(seconds / 0.02)
    sent = 0
    start = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{label}: {len(targets)} calls", total=ticks)
        for n in range(ticks):
            deadline = start + n * 0.02
            delay = deadline - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            for i, (sock, target) in enumerate(zip(senders, targets, strict=True)):
                header = struct.pack("!BBHII", 0x80, 0, n & 0xFFFF, n * PAYLOAD, 1000 + i)
                sock.sendto(
                    header + struct.pack("!d", time.perf_counter()) + b"\xff" * (PAYLOAD - 8),
                    target,
                )
                sent += 1
            if n % 25 == 0:
                progress.update(task, completed=n)
    time.sleep(0.5)
    stop.set()
    thread.join()
    for s in senders:
        s.close()
    lat = np.array(latencies) * 1000
    median = float(np.median(lat)) if lat.size else 0.0
    return {
        "sent": sent,
        "received": received,
        "loss_pct": 100 * (sent - received) / max(sent, 1),
        "latency_p50": median,
        "jitter_p99": float(np.percentile(np.abs(lat - median), 99)) if lat.size else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--calls", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(json.loads(args.serve)))
        return
    calls = args.calls or (50 if args.quick else 200)
    seconds = args.seconds or (5.0 if args.quick else 30.0)

    receivers = []
    for _ in range(calls):
        r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        r.bind(("127.0.0.1", 0))
        r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        receivers.append(r)
    direct = [("127.0.0.1", r.getsockname()[1]) for r in receivers]
    base = run(direct, receivers, seconds, "baseline (direct)")

    relay = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve",
            json.dumps([p for _, p in direct]),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert relay.stdout is not None and relay.stdin is not None
    inbound = json.loads(relay.stdout.readline())
    cpu0 = _cpu_seconds(relay.pid)
    t0 = time.perf_counter()
    ours = run([("127.0.0.1", p) for p in inbound], receivers, seconds, "relayed")
    cpu = (_cpu_seconds(relay.pid) - cpu0) / (time.perf_counter() - t0)
    relay.stdin.close()
    relay.wait(10)
    for r in receivers:
        r.close()

    table = Table(title=f"Media relay: {calls} calls x 50 packets/s for {seconds:.0f} s, loopback")
    for col in ("", "packets sent", "received", "loss %", "latency p50 ms", "jitter p99 ms"):
        table.add_column(col)
    for name, r in (("direct (baseline)", base), ("relayed by omnicenter", ours)):
        table.add_row(
            name,
            f"{r['sent']:.0f}",
            f"{r['received']:.0f}",
            f"{r['loss_pct']:.3f}",
            f"{r['latency_p50']:.3f}",
            f"{r['jitter_p99']:.3f}",
        )
    console.print(table)
    added = ours["jitter_p99"] - base["jitter_p99"]
    console.print(
        f"added jitter p99: {added:.3f} ms (target < 5 ms); ratio relayed/direct: {ours['jitter_p99'] / max(base['jitter_p99'], 1e-6):.2f}"
    )
    console.print(
        f"relay CPU: {100 * cpu:.1f}% of one core, {1000 * cpu / calls:.2f} ms CPU per call per second ({100 * cpu / calls:.3f}% of a core per call)"
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
