from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from omnicenter.knowledge import (
    InMemoryKnowledgeRepository,
    KnowledgeService,
    KnowledgeSnapshot,
    NotFound,
    PriceFact,
    plan_import,
    read_csv,
    read_json,
)

NOW = datetime(2025, 3, 20, tzinfo=UTC)


def test_bad_rows_are_reported_with_line_and_reason_and_nothing_applies(
    service: KnowledgeService,
) -> None:
    before = service.snapshot
    rows, rejected = read_csv(
        "variants.csv",
        "sku,product_id,price\n"
        "NEW-1,tshirt,10.00\n"
        "NEW-2,tshirt,abc\n"
        "NEW-3,ghost,5\n"
        "\n"
        "NEW-1,tshirt,11.00\n"
        ",tshirt,1\n",
    )
    report = service.import_rows(rows, rejected)
    assert not report.applied and report.snapshot is None
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "field 'price': not an amount: 'abc'"),
        (4, "unknown product_id 'ghost'"),
        (6, "duplicate key 'NEW-1' (first at variants.csv:2)"),
        (7, "missing required field 'sku'"),
    ]
    assert service.snapshot is before
    assert isinstance(service.base.price("NEW-1"), NotFound)


def test_unknown_column_rejects_the_file_at_the_header() -> None:
    rows, rejected = read_csv("stock.csv", "sku,location,quantiy\nA,w,1\n")
    assert rows == [] and rejected[0].line == 1 and "'quantiy'" in rejected[0].reason


def test_semicolon_csv_and_multiline_cells_keep_line_numbers() -> None:
    text = 'id;name_pl;description_pl\np1;Kubek;"dwie\nlinie"\np2;Miska;\n'
    rows, rejected = read_csv("products.csv", text)
    assert not rejected
    assert [(r.line, r.row["id"]) for r in rows] == [(2, "p1"), (4, "p2")]


def test_json_rows_have_their_line_numbers() -> None:
    text = '{\n  "tiers": [\n    {"name": "a", "min_points": 0},\n\n    {"name": "b", "min_points": "x"}\n  ]\n}\n'
    rows, rejected = read_json("catalog.json", text)
    assert not rejected and [r.line for r in rows] == [3, 5]
    report = plan_import(KnowledgeSnapshot(), rows, NOW)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (5, "field 'min_points' must be a whole number, got 'x'")
    ]


def test_invalid_json_points_at_the_line() -> None:
    _, rejected = read_json("faq.json", '[\n {"id": "a",}\n]')
    assert rejected[0].line == 2 and rejected[0].reason.startswith("invalid JSON")


def test_a_good_import_makes_a_new_revision_and_is_saved(tmp_path: Path) -> None:
    repo = InMemoryKnowledgeRepository()
    svc = KnowledgeService(repo, clock=lambda: NOW)
    (tmp_path / "products.csv").write_text("id,name_en\nmug,Mug\n", encoding="utf-8")
    (tmp_path / "variants.json").write_text('[{"sku": "M1", "product_id": "mug", "price": 12.5}]')
    report = svc.import_files([tmp_path / "products.csv", tmp_path / "variants.json"])
    assert report.applied and report.counts == {"products": 1, "variants": 1}
    assert repo.saves == 1 and svc.snapshot.revision == 1
    fact = svc.base.price("M1")
    assert isinstance(fact, PriceFact) and fact.final_minor == 1250
    assert fact.sources[0].origin == "variants.json:1"


def test_rules_must_point_at_known_things(service: KnowledgeService) -> None:
    rows, _ = read_json(
        "rules.json",
        '[{"id": "x", "kind": "percent", "value": 150, "label_en": "x"},'
        ' {"id": "y", "kind": "amount", "value": 5, "label_en": "y", "tier": "platinum"},'
        ' {"id": "z", "kind": "bogus", "value": 5, "label_en": "z"}]',
    )
    report = service.import_rows(rows)
    reasons = sorted(r.reason for r in report.rejected)
    assert reasons == [
        "a percent discount must be in (0, 100], got 150.0",
        "field 'kind' must be one of percent, amount, fixed_price; got 'bogus'",
        "unknown loyalty tier 'platinum'",
    ]
