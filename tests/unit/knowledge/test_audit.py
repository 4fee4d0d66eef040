from __future__ import annotations

from datetime import UTC, datetime, timedelta

from omnicenter.knowledge import (
    InMemoryAnswerLog,
    KnowledgeService,
    PriceFact,
    ToldFact,
    find_inconsistencies,
    told,
)

T0 = datetime(2025, 3, 20, 12, tzinfo=UTC)


def test_same_answer_on_every_channel_is_consistent(service: KnowledgeService) -> None:
    log = InMemoryAnswerLog()
    fact = service.base.price("TSH-RED-M", "cus_anna")
    assert isinstance(fact, PriceFact)
    for i, channel in enumerate(("webchat", "sms", "email", "voice")):
        log.record(told(channel, "cus_anna", fact, T0 + timedelta(minutes=i)))
    assert find_inconsistencies(log.entries) == []


def test_a_channel_told_a_different_price_is_flagged() -> None:
    a = ToldFact("webchat", "c1", "price:X:c1", {"final_minor": 100}, T0, 3)
    b = ToldFact("email", "c1", "price:X:c1", {"final_minor": 120}, T0 + timedelta(minutes=5), 3)
    found = find_inconsistencies([a, b])
    assert len(found) == 1 and not found[0].explained_by_update
    assert "webchat was told" in found[0].describe()


def test_difference_across_revisions_is_marked_as_maybe_explained() -> None:
    a = ToldFact("webchat", "c1", "price:X:c1", {"final_minor": 100}, T0, 3)
    b = ToldFact("sms", "c1", "price:X:c1", {"final_minor": 120}, T0 + timedelta(minutes=1), 4)
    assert find_inconsistencies([a, b])[0].explained_by_update


def test_answers_far_apart_in_time_or_for_other_customers_are_not_compared() -> None:
    a = ToldFact("webchat", "c1", "k", {"v": 1}, T0, 1)
    later = ToldFact("sms", "c1", "k", {"v": 2}, T0 + timedelta(days=2), 1)
    other = ToldFact("sms", "c2", "k", {"v": 2}, T0, 1)
    assert find_inconsistencies([a, later, other]) == []
