from __future__ import annotations

from datetime import UTC, datetime

from omnicenter.knowledge import KnowledgeService, NotFound, PriceFact, PriceQuery
from omnicenter.knowledge.money import format_money, parse_money


def price(
    service: KnowledgeService, sku: str, customer: str | None = None, **kw: object
) -> PriceFact:
    fact = service.ask(PriceQuery(sku, customer, **kw))  # type: ignore[arg-type]
    assert isinstance(fact, PriceFact), fact
    return fact


def test_list_price_without_customer_gets_only_public_promotions(service: KnowledgeService) -> None:
    fact = price(service, "TSH-RED-M")
    assert (fact.list_minor, fact.final_minor) == (5999, 5399)  # apparel -10%
    assert [d.rule_id for d in fact.discounts] == ["apparel-10"]


def test_loyalty_tier_applies_after_the_promotion(service: KnowledgeService) -> None:
    gold = price(service, "TSH-RED-M", "cus_anna")  # 2500 points: gold, 5%
    silver = price(service, "TSH-RED-M", "cus_jan")  # 800 points: silver, 3%
    assert gold.tier == "gold" and silver.tier == "silver"
    assert gold.final_minor == 5399 - 270  # 5% of 53.99 rounded half up
    assert silver.final_minor == 5399 - 162
    assert any(s.kind == "accounts" and s.key == "cus_anna" for s in gold.sources)


def test_explicit_tier_overrides_points(service: KnowledgeService) -> None:
    assert price(service, "MUG-WHT", "cus_vip").tier == "gold"


def test_time_window_rule_applies_only_inside_its_window(service: KnowledgeService) -> None:
    during = price(service, "SHO-42", at=datetime(2025, 11, 29, 12, tzinfo=UTC))
    after = price(service, "SHO-42", at=datetime(2025, 12, 2, 12, tzinfo=UTC))
    assert during.final_minor == 34900 - 8725
    assert after.final_minor == 34900


def test_best_non_stackable_rule_wins(service: KnowledgeService) -> None:
    # In the Black Friday window apparel has -10% and -25%; only the better one applies.
    fact = price(service, "HOOD-GRY-M", at=datetime(2025, 11, 29, 12, tzinfo=UTC))
    assert [d.rule_id for d in fact.discounts] == ["black-friday"]


def test_fixed_price_sale(service: KnowledgeService) -> None:
    assert price(service, "BAG-20L").final_minor == 19900


def test_bundle_rule_needs_the_other_item_in_the_basket(service: KnowledgeService) -> None:
    alone = price(service, "BTL-500")
    bundled = price(service, "BTL-500", basket=("MUG-WHT",))
    assert alone.final_minor == 8900
    assert bundled.final_minor == 8900 - 1335


def test_tier_restricted_rule_stacks_for_members_only(service: KnowledgeService) -> None:
    gold = price(service, "SHO-42", "cus_anna")
    silver = price(service, "SHO-42", "cus_jan")
    assert [d.rule_id for d in gold.discounts] == ["gold-shoes", "tier:gold"]
    assert gold.final_minor == (34900 - 2000) - 1645
    assert [d.rule_id for d in silver.discounts] == ["tier:silver"]


def test_valid_until_names_the_next_rule_boundary(service: KnowledgeService) -> None:
    assert price(service, "SHO-42").valid_until == datetime(2025, 11, 28, tzinfo=UTC)


def test_unknown_sku_is_not_found(service: KnowledgeService) -> None:
    answer = service.ask(PriceQuery("NOPE"))
    assert isinstance(answer, NotFound) and answer.reason == "unknown_sku"


def test_money_parsing_and_formatting() -> None:
    assert parse_money("129,99") == parse_money("129.99") == parse_money(129.99) == 12999
    assert parse_money(129) == 12900
    assert format_money(129999, "PLN", "pl") == "1 299,99 zł"
    assert format_money(129999, "PLN", "en") == "PLN 1,299.99"
