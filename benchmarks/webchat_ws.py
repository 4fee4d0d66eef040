"""Web chat under load against the real server: N concurrent visitor WebSockets sending a
total of R messages/s; the latency is from the visitor's send to the message's arrival on an
agent's event WebSocket (parse, identity, threading, commit, bus, push).

    python benchmarks/webchat_ws.py [--conversations 1000] [--rate 500] [--seconds 20] [--quick]

Target: p99 under 50 ms with 1,000 conversations at 500 messages/s on 2 cores (the load
generator shares the machine). The baseline line is a WebSocket echo on the same server
process model, to show what the transport alone costs here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.server import ServerProcess


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def run(conversations: int, rate: float, seconds: float) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp())
    server = ServerProcess(tmp)
    server.start()
    console = Console()
    try:
        token = server.token("anna")
        async with httpx.AsyncClient(base_url=f"{server.base}/api/v1", timeout=30) as http:
            sem = asyncio.Semaphore(50)

            async def session() -> str:
                async with sem:
                    r = await http.post("/webchat/sessions", json={"widget_key": "demo-widget-key"})
                    return str(r.json()["visitor_token"])

            tokens = await asyncio.gather(*(session() for _ in range(conversations)))
        sent_at: dict[str, float] = {}
        latencies: list[float] = []
        done = asyncio.Event()
        expected = int(rate * seconds)

        async with connect(server.ws_url(f"/events/ws?token={token}"), max_queue=None) as agent:
            await agent.recv()  # hello

            async def agent_reader() -> None:
                async for raw in agent:
                    ev = json.loads(raw)
                    body = ev.get("body", "")
                    if ev.get("type") == "timeline_event" and body in sent_at:
                        latencies.append(time.perf_counter() - sent_at.pop(body))
                        if len(latencies) >= expected:
                            done.set()

            reader = asyncio.create_task(agent_reader())
            sockets = []
            with Progress(transient=True) as progress:
                task = progress.add_task("opening visitor sockets", total=conversations)
                for i in range(0, conversations, 100):
                    batch = await asyncio.gather(
                        *(
                            connect(server.ws_url(f"/webchat/ws?token={t}"))
                            for t in tokens[i : i + 100]
                        )
                    )
                    sockets.extend(batch)
                    progress.advance(task, len(batch))

            async def drain(ws: object) -> None:
                async for _ in ws:  # type: ignore[attr-defined]
                    pass

            drains = [asyncio.create_task(drain(ws)) for ws in sockets]
            interval = 1.0 / rate
            start = time.perf_counter()
            with Progress(transient=True) as progress:
                task = progress.add_task(f"{rate:.0f} msg/s", total=expected)
                for n in range(expected):
                    target = start + n * interval
                    delay = target - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    body = f"m{n} where is my parcel?"
                    sent_at[body] = time.perf_counter()
                    await sockets[n % conversations].send(
                        json.dumps({"type": "message", "text": body, "client_id": f"c{n}"})
                    )
                    if n % 100 == 0:
                        progress.update(task, completed=n)
            achieved = expected / (time.perf_counter() - start)
            try:
                await asyncio.wait_for(done.wait(), 30)
            except TimeoutError:
                console.print(
                    f"[yellow]{len(sent_at)} messages not seen by the agent within 30 s[/]"
                )
            reader.cancel()
            for d in drains:
                d.cancel()
            for ws in sockets:
                await ws.close()
        ms = [x * 1000 for x in latencies]
        return {
            "delivered": len(ms),
            "expected": expected,
            "rate": achieved,
            "p50": statistics.median(ms),
            "p90": pct(ms, 0.90),
            "p99": pct(ms, 0.99),
            "max": max(ms),
        }
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--conversations", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=500)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.conversations, args.rate, args.seconds = 100, 100, 5
    r = asyncio.run(run(args.conversations, args.rate, args.seconds))
    table = Table(
        title=f"Web chat: {args.conversations} conversations, {r['rate']:.0f} messages/s sent"
    )
    for col in ("delivered", "p50 ms", "p90 ms", "p99 ms", "max ms"):
        table.add_column(col, justify="right")
    table.add_row(
        f"{r['delivered']}/{r['expected']}",
        f"{r['p50']:.1f}",
        f"{r['p90']:.1f}",
        f"{r['p99']:.1f}",
        f"{r['max']:.1f}",
    )
    Console().print(table)
    verdict = (
        "[green]meets[/]" if r["p99"] < 50 and r["delivered"] == r["expected"] else "[red]misses[/]"
    )
    Console().print(f"target p99 < 50 ms, nothing lost: {verdict}")


if __name__ == "__main__":
    main()
