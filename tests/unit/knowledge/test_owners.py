"""Loyalty and orders follow the person: linked by email, phone or the shop's id."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from omnicenter.knowledge import (
    InMemoryKnowledgeRepository,
    KnowledgeQuery,
    KnowledgeService,
    NotFound,
    OrderQuery,
    PriceFact,
    PriceQuery,
)
from omnicenter.knowledge.asker import Asker

CATALOG = Path(__file__).resolve().parents[3] / "examples" / "catalog"
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def base() -> KnowledgeQuery:
    svc = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    report = svc.import_files(sorted(CATALOG.iterdir()))
    assert report.applied, report.rejected
    return svc


@pytest.mark.parametrize(
    "identities",
    [
        ["email:anna@example.com"],
        ["email:ANNA@example.com"],
        ["phone:600 100 200"],
        ["shop:cus_anna"],
    ],
)
def test_the_gold_customer_gets_her_price_from_her_address(
    base: KnowledgeQuery, identities: list[str]
) -> None:
    fact = base.ask(
        PriceQuery("TSH-RED-M", "cus_live_1", NOW, asker=Asker.of("cus_live_1", identities))
    )
    assert isinstance(fact, PriceFact)
    assert fact.tier == "gold" and fact.final_minor == 5129
    assert any(s.kind == "accounts" and s.key == "cus_anna" for s in fact.sources)


def test_a_stranger_pays_the_list_price(base: KnowledgeQuery) -> None:
    fact = base.ask(
        PriceQuery("TSH-RED-M", "cus_live_2", NOW, asker=Asker.of("cus_live_2", ["email:x@y.pl"]))
    )
    assert isinstance(fact, PriceFact) and fact.tier is None


def test_an_order_is_told_to_its_owner_only(base: KnowledgeQuery) -> None:
    owner = base.ask(OrderQuery("10001", asker=Asker.of(None, ["phone:+48 600 100 200"])))
    assert owner.key == "order:10001"
    stranger = base.ask(OrderQuery("10001", asker=Asker.of(None, ["email:jan@example.com"])))
    assert stranger.key == "missing:verification_required"
    assert isinstance(stranger, NotFound)
    assert [c.masked for c in stranger.verify] == ["a***@example.com", "***200"]
    staff = base.ask(OrderQuery("10001"))  # no asker: the business itself (agents, API)
    assert staff.key == "order:10001"
