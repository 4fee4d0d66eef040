"""Inbound email end to end in the service: parse, thread, store on SQLite (one transaction
per message, as the SMTP listener does before it says 250).

    python benchmarks/email_ingest.py [--messages 3000] [--quick]

Prints messages/s and the ratio to a plain `email.message_from_bytes` loop over the same
messages, measured in the same run. Target: at least 500 messages/s on 2 cores.
"""

from __future__ import annotations

import argparse
import email
import random
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

from omnicenter.channels.email import parse_email, to_inbound
from omnicenter.services.inbound import ingest
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import Database

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "email"


def corpus(n: int, seed: int = 7) -> list[bytes]:
    """A realistic mix: new threads, replies with References, replies by subject only,
    multipart with attachments, and the recorded fixtures."""
    rng = random.Random(seed)
    fixtures = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
    out: list[bytes] = []
    threads: list[tuple[str, str, str]] = []  # (sender, subject, last message id)
    for i in range(n):
        roll = rng.random()
        if fixtures and roll < 0.1:
            raw = rng.choice(fixtures)
            # A fresh Message-ID so each one is stored, not dropped as a re-delivery.
            raw = raw.replace(b"Message-ID:", f"X-Orig-{i}:".encode(), 1)
            out.append(raw)
            continue
        msg = EmailMessage()
        if threads and roll < 0.55:
            sender, subject, last = rng.choice(threads)
            msg["Subject"] = f"Re: {subject}"
            if roll < 0.45:
                msg["In-Reply-To"] = last
                msg["References"] = last
        else:
            sender = f"customer{rng.randrange(n // 3 + 1)}@example.com"
            subject = f"Order {rng.randrange(100000, 999999)}"
            msg["Subject"] = subject
        mid = f"<bench-{i}@example.com>"
        msg["From"] = f"Customer {i} <{sender}>"
        msg["To"] = "support@omnicenter.local"
        msg["Message-ID"] = mid
        msg["Date"] = "Mon, 2 Mar 2026 10:00:00 +0100"
        msg.set_content(f"Hello, this is message {i}.\nWhere is my parcel?\n" * 3)
        if rng.random() < 0.3:
            msg.add_alternative(f"<p>Hello, message <b>{i}</b></p>", subtype="html")
        if rng.random() < 0.1:
            msg.add_attachment(
                rng.randbytes(20_000), maintype="application", subtype="pdf", filename="invoice.pdf"
            )
        threads.append((sender, subject, mid))
        out.append(msg.as_bytes())
    return out


def bench_baseline(raws: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in raws:
        email.message_from_bytes(raw)
    return len(raws) / (time.perf_counter() - start)


def bench_ingest(raws: list[bytes], db: Database) -> float:
    start = time.perf_counter()
    for raw in track(raws, description="parse + thread + store", transient=True):
        event = to_inbound(parse_email(raw), datetime.now(UTC), "support@omnicenter.local")
        with db.transaction() as conn:
            ingest(UnitOfWork(conn), event)
    return len(raws) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 300 if args.quick else args.messages
    console = Console()
    raws = corpus(n)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.sqlite3")
        db.migrate()
        base = bench_baseline(raws)
        rate = bench_ingest(raws, db)
        db.dispose()
    table = Table(title=f"Inbound email, {n} messages, SQLite (WAL)")
    table.add_column("what")
    table.add_column("messages/s", justify="right")
    table.add_column("ratio to baseline", justify="right")
    table.add_row("baseline: email.message_from_bytes (parse only)", f"{base:,.0f}", "1.00")
    table.add_row(
        "omnicenter: parse + thread + store + commit", f"{rate:,.0f}", f"{rate / base:.2f}"
    )
    console.print(table)
    verdict = "[green]meets[/]" if rate >= 500 else "[red]misses[/]"
    console.print(f"target ≥ 500 messages/s: {verdict}")


if __name__ == "__main__":
    main()
