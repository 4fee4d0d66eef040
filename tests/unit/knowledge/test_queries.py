from __future__ import annotations

from datetime import UTC, date, datetime

from omnicenter.knowledge import (
    FaqFact,
    HoursFact,
    KnowledgeService,
    NotFound,
    OrderFact,
    OrderStatus,
    PolicyFact,
    PolicyKind,
    ProductFact,
    StockFact,
)


def test_stock_sums_available_across_locations(service: KnowledgeService) -> None:
    fact = service.base.stock("TSH-RED-M")
    assert isinstance(fact, StockFact)
    assert fact.available == 38 + 5  # 40 minus 2 reserved, plus the store
    assert dict(fact.per_location) == {"warehouse": 38, "store-warsaw": 5}
    one = service.base.stock("TSH-RED-M", "store-warsaw")
    assert isinstance(one, StockFact) and one.available == 5
    empty = service.base.stock("TSH-RED-L")
    assert isinstance(empty, StockFact) and not empty.in_stock


def test_order_by_any_spelling_of_its_number(service: KnowledgeService) -> None:
    for number in ("10001", "#10001", " 10001 "):
        fact = service.base.order(number)
        assert isinstance(fact, OrderFact)
        assert fact.status is OrderStatus.SHIPPED and fact.carrier == "InPost"
        assert fact.sources[0].origin == "orders.json:2"


def test_order_with_wrong_email_reveals_nothing(service: KnowledgeService) -> None:
    assert isinstance(service.base.order("10001", email="ANNA@example.com"), OrderFact)
    wrong = service.base.order("10001", email="eve@example.com")
    assert isinstance(wrong, NotFound) and wrong.reason == "verification_failed"


def test_return_deadline_counts_from_delivery(service: KnowledgeService) -> None:
    fact = service.base.policy(PolicyKind.RETURN, "10002")
    assert isinstance(fact, PolicyFact)
    assert fact.deadline == date(2025, 4, 4)  # delivered 2025-03-05 + 30 days
    undelivered = service.base.policy(PolicyKind.RETURN, "10001")
    assert isinstance(undelivered, PolicyFact) and undelivered.deadline is None


def test_hours_in_local_time_with_date_override(service: KnowledgeService) -> None:
    # 19:30 UTC on a Thursday in March is 20:30 in Warsaw: closed.
    evening = service.base.hours(datetime(2025, 3, 20, 19, 30, tzinfo=UTC))
    assert isinstance(evening, HoursFact) and not evening.is_open
    morning = service.base.hours(datetime(2025, 3, 20, 8, 0, tzinfo=UTC))
    assert isinstance(morning, HoursFact) and morning.is_open
    eve = service.base.hours(datetime(2025, 12, 24, 13, 0, tzinfo=UTC))  # 14:00 local
    assert isinstance(eve, HoursFact) and eve.today_closes == "13:00" and not eve.is_open


def test_faq_in_polish_and_english(service: KnowledgeService) -> None:
    cases = {
        "ile kosztuje wysyłka?": "shipping-cost",
        "Czy mogę zapłacić BLIKIEM": "payment",
        "how long does delivery take": "delivery-time",
        "do you issue an invoice": "invoice",
    }
    for text, article in cases.items():
        fact = service.base.faq(text)
        assert isinstance(fact, FaqFact) and fact.article_id == article, text
    assert isinstance(service.base.faq("pogoda w Krakowie"), NotFound)


def test_product_search_by_words_diacritics_and_typos(service: KnowledgeService) -> None:
    assert _sku(service, "TSH-RED-L") == "TSH-RED-L"
    assert _sku(service, "czerwona koszulka L") == "TSH-RED-L"
    assert _sku(service, "red t-shirt size L") == "TSH-RED-L"
    assert _sku(service, "plecak miejski") == "BAG-20L"
    assert _sku(service, "termiczna butelk") == "BTL-500"
    assert isinstance(service.base.find_product("xyz"), NotFound)
    assert _sku(service, "ile kosztuje czerwona koszlka L") == "TSH-RED-L"  # a typo


def test_a_product_not_in_the_catalog_is_not_found_by_the_words_of_the_question(
    service: KnowledgeService,
) -> None:
    # "kosztuje" (costs) is one letter pair from "koszulka" (T-shirt) once both are stemmed;
    # typos are judged on whole words, so a blender is not sold as a T-shirt.
    assert isinstance(service.base.find_product("Ile kosztuje blender?"), NotFound)
    assert isinstance(service.base.find_product("how much does a blender cost"), NotFound)


def _sku(service: KnowledgeService, text: str) -> str:
    fact = service.base.find_product(text)
    assert isinstance(fact, ProductFact), text
    return fact.sku
