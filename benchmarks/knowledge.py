"""Knowledge price queries per second: the indexed knowledge base vs a naive linear scan.

    .venv/bin/python benchmarks/knowledge.py [--quick]

Builds a synthetic catalog (variants, category and SKU rules, time windows, bundles,
loyalty tiers and accounts) through the real import path, then asks "price of X for
customer C now" for random X and C. The baseline answers the same questions by scanning
lists, as a straightforward implementation would; both must agree on every answer.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

from rich.console import Console
from rich.progress import Progress

from omnicenter.knowledge import (
    InMemoryKnowledgeRepository,
    KnowledgeService,
    PriceFact,
    RawRow,
)
from omnicenter.knowledge.pricing import unit_price
from omnicenter.knowledge.records import DiscountRule, LoyaltyAccount, LoyaltyTier, Product, Variant

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
TARGET_QPS = 20_000
console = Console()


def catalog_rows(products: int, rules: int, accounts: int, rng: random.Random) -> list[RawRow]:
    rows: list[RawRow] = []
    categories = [f"cat{i}" for i in range(40)]
    for p in range(products):
        rows.append(
            RawRow(
                "bench",
                p + 1,
                "products",
                {"id": f"p{p}", "name_en": f"Product {p}", "category": rng.choice(categories)},
            )
        )
        for v in range(2):
            rows.append(
                RawRow(
                    "bench",
                    p + 1,
                    "variants",
                    {
                        "sku": f"p{p}-{v}",
                        "product_id": f"p{p}",
                        "price": f"{rng.randint(500, 90000) / 100:.2f}",
                    },
                )
            )
    for r in range(rules):
        row: dict[str, object] = {"id": f"r{r}", "label_en": f"Rule {r}"}
        if r % 3 == 0:
            row |= {
                "kind": "percent",
                "value": rng.randint(5, 30),
                "categories": [rng.choice(categories)],
            }
        elif r % 3 == 1:
            row |= {
                "kind": "amount",
                "value": "5.00",
                "skus": [f"p{rng.randrange(products)}-0"],
                "stackable": True,
            }
        else:
            row |= {
                "kind": "fixed_price",
                "value": "9.99",
                "skus": [f"p{rng.randrange(products)}-1"],
                "valid_from": "2025-05-01T00:00:00Z",
                "valid_until": "2025-07-01T00:00:00Z",
            }
        if r % 7 == 0:
            row["tier"] = "gold"
        rows.append(RawRow("bench", r + 1, "rules", row))
    for name, points, pct in (("bronze", 0, 0), ("silver", 500, 3), ("gold", 2000, 5)):
        rows.append(
            RawRow("bench", 1, "tiers", {"name": name, "min_points": points, "percent": pct})
        )
    for a in range(accounts):
        rows.append(
            RawRow(
                "bench", a + 1, "accounts", {"customer_id": f"c{a}", "points": rng.randint(0, 5000)}
            )
        )
    return rows


class LinearScan:
    """The baseline: the same records in plain lists, searched on every query."""

    def __init__(self, service: KnowledgeService) -> None:
        snap = service.snapshot
        self.products = [r for r in snap.of("products").values() if isinstance(r, Product)]
        self.variants = [r for r in snap.of("variants").values() if isinstance(r, Variant)]
        self.rules = [r for r in snap.of("rules").values() if isinstance(r, DiscountRule)]
        self.tiers = sorted(
            (r for r in snap.of("tiers").values() if isinstance(r, LoyaltyTier)),
            key=lambda t: t.min_points,
        )
        self.accounts = [r for r in snap.of("accounts").values() if isinstance(r, LoyaltyAccount)]
        self.ranks = {t.name: i for i, t in enumerate(self.tiers)}

    def price(self, sku: str, customer: str) -> int:
        variant = next(v for v in self.variants if v.sku == sku)
        product = next(p for p in self.products if p.id == variant.product_id)
        account = next((a for a in self.accounts if a.customer_id == customer), None)
        tier = None
        if account is not None:
            for t in self.tiers:
                if account.points >= t.min_points:
                    tier = t
        rules = sorted(
            (
                r
                for r in self.rules
                if (not r.skus and not r.categories)
                or sku in r.skus
                or product.category in r.categories
            ),
            key=lambda r: (r.priority, r.id),
        )
        final, _, _ = unit_price(variant.price_minor, rules, tier, at=NOW, tier_ranks=self.ranks)
        return final


def run(quick: bool) -> None:
    rng = random.Random(7)
    products, rules, accounts = (2_000, 200, 2_000) if quick else (10_000, 1_000, 20_000)
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    started = time.perf_counter()
    report = service.import_rows(catalog_rows(products, rules, accounts, rng))
    assert report.applied, report.rejected[:3]
    console.print(
        f"catalog: {report.total:,} records imported and indexed in {time.perf_counter() - started:.2f} s"
    )
    queries = [
        (f"p{rng.randrange(products)}-{rng.randrange(2)}", f"c{rng.randrange(accounts)}")
        for _ in range(50_000 if quick else 300_000)
    ]
    base = service.base
    scan = LinearScan(service)
    for sku, customer in queries[:200]:  # the two must agree before we time them
        fact = base.price(sku, customer, NOW)
        assert isinstance(fact, PriceFact) and fact.final_minor == scan.price(sku, customer)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("indexed knowledge base", total=len(queries))
        started = time.perf_counter()
        for i in range(0, len(queries), 5_000):
            for sku, customer in queries[i : i + 5_000]:
                base.price(sku, customer, NOW)
            progress.advance(task, 5_000)
        indexed = len(queries) / (time.perf_counter() - started)
        baseline_n = 1_000 if quick else 2_000
        task = progress.add_task("linear scan baseline", total=baseline_n)
        started = time.perf_counter()
        for sku, customer in queries[:baseline_n]:
            scan.price(sku, customer)
            progress.advance(task)
        linear = baseline_n / (time.perf_counter() - started)
    console.print(
        f"indexed: [bold]{indexed:,.0f}[/bold] price queries/s (target {TARGET_QPS:,}: {'met' if indexed >= TARGET_QPS else 'NOT met'})"
    )
    console.print(f"linear scan baseline: {linear:,.0f} queries/s")
    console.print(f"ratio indexed / baseline: [bold]{indexed / linear:,.0f}x[/bold]")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller catalog and fewer queries")
    run(parser.parse_args().quick)
