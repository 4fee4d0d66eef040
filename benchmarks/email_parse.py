"""Parsing-only micro benchmark of the email adapter.

Measures messages/s of `parse_email` on the recorded fixtures (the mix of clients the
tests use) against, in the same run:
  * baseline: `email.message_from_bytes` (stdlib compat32 parse, no decoding at all);
  * reference: `BytesParser(policy=email.policy.default)` plus reading From, To, Subject
    and the body, i.e. what a straightforward adapter would do.

    .venv/bin/python benchmarks/email_parse.py           # about 20 s
    .venv/bin/python benchmarks/email_parse.py --quick   # about 3 s
"""

from __future__ import annotations

import argparse
import email
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from omnicenter.channels.email import parse_email

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "email"
_DEFAULT_PARSER = BytesParser(policy=policy.default)


def _policy_default(raw: bytes) -> object:
    msg = _DEFAULT_PARSER.parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    _ = (msg["from"], msg["to"], msg["subject"], msg["message-id"], msg["date"])
    body = msg.get_body(("plain", "html"))
    try:
        return body.get_content() if body is not None else None
    except LookupError:  # unknown charset: the stdlib gives up where parse_email falls back
        return None


def _measure(
    fn: Callable[[bytes], object],
    messages: list[bytes],
    seconds: float,
    progress: Progress,
    label: str,
) -> float:
    """Messages per second, best of several rounds (the machine is shared)."""
    task = progress.add_task(label, total=seconds)
    best = 0.0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        t0 = time.perf_counter()
        rounds = 20
        for _ in range(rounds):
            for raw in messages:
                fn(raw)
        rate = rounds * len(messages) / (time.perf_counter() - t0)
        best = max(best, rate)
        progress.update(task, completed=min(elapsed, seconds))
    progress.update(task, completed=seconds)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (about 3 s)")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 6.0
    messages = [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]
    console = Console()
    console.print(
        f"{len(messages)} fixture messages, {sum(map(len, messages)) // len(messages)} bytes "
        f"on average; best of {seconds:.0f} s per contender"
    )
    for raw in messages:  # warm up, and check every fixture parses
        parse_email(raw)
    with Progress(console=console, transient=True) as progress:
        ours = _measure(parse_email, messages, seconds, progress, "parse_email")
        base = _measure(email.message_from_bytes, messages, seconds, progress, "message_from_bytes")
        default = _measure(_policy_default, messages, seconds, progress, "policy.default")
    table = Table(title="email parsing, one core")
    for column in ("contender", "messages/s", "µs/message", "vs baseline"):
        table.add_column(column, justify="right")
    for name, rate in (
        ("parse_email (full decode)", ours),
        ("baseline: message_from_bytes (no decode)", base),
        ("policy.default + body", default),
    ):
        table.add_row(name, f"{rate:,.0f}", f"{1e6 / rate:.0f}", f"{rate / base:.2f}x")
    console.print(table)
    console.print(
        f"parse_email costs {1e6 / ours:.0f} µs per message: {ours / default:.1f}x faster than "
        f"policy.default, {base / ours:.1f}x the cost of a bare compat32 parse. "
        f"Budget at 500 messages/s end to end: 2000 µs per message."
    )


if __name__ == "__main__":
    main()
