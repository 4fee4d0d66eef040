from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicenter.flows import (
    HybridClassifier,
    Intent,
    IntentMatch,
    KeywordClassifier,
    detect_lang,
    is_escape,
)
from omnicenter.flows.model import CollectKind
from omnicenter.flows.validators import validate

INTENTS = [
    Intent(
        "order_status",
        ("status zamówienia", "gdzie jest paczka", "order status", "where is my parcel"),
    ),
    Intent("returns", ("zwrot", "oddać towar", "return", "refund")),
    Intent("price", ("ile kosztuje", "cena", "price", "how much")),
]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Gdzie jest moja paczka?", "order_status"),
        ("gdzie jest paczka", "order_status"),
        ("Chcę zrobić zwrot", "returns"),
        ("chciałbym oddać towar", "returns"),
        ("jaka jest cena", "price"),
        ("Ile kosztują buty?", "price"),
        ("where is my parcel", "order_status"),
        ("I want a refund", "returns"),
        ("how much is it", "price"),
        ("zamowienia status", "order_status"),  # no diacritics, other word order
        ("statsu zamówienia", "order_status"),  # a typo
    ],
)
def test_keyword_classifier_polish_and_english(text: str, intent: str) -> None:
    best = KeywordClassifier().rank(text, INTENTS)[0]
    assert best.name == intent and best.confidence >= 0.6, best


def test_unrelated_text_scores_low() -> None:
    ranked = KeywordClassifier().rank("pogoda w Krakowie", INTENTS)
    assert not ranked or ranked[0].confidence < 0.6


def test_hybrid_asks_the_second_classifier_only_when_unsure() -> None:
    calls: list[str] = []

    class Fixed:
        def rank(self, text: str, intents: object) -> list[IntentMatch]:
            calls.append(text)
            return [IntentMatch(0.9, "returns")]

    hybrid = HybridClassifier(KeywordClassifier(), Fixed())
    assert hybrid.rank("cena", INTENTS)[0].name == "price" and calls == []
    assert hybrid.rank("towar mi nie pasuje", INTENTS)[0].name == "returns" and calls


def test_escape_words_in_both_languages() -> None:
    for text in ("człowiek", "Chcę rozmawiać z KONSULTANTEM", "agent", "human please", "0"):
        assert is_escape(text), text
    for text in ("moje dane osobowe", "personal details", "10", "agenda"):
        assert not is_escape(text), text


def test_language_detection() -> None:
    assert detect_lang("Gdzie jest moje zamówienie?") == "pl"
    assert detect_lang("gdzie jest paczka") == "pl"
    assert detect_lang("where is my order") == "en"
    assert detect_lang("10001") is None


NOW = datetime(2025, 3, 20, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (CollectKind.ORDER_NUMBER, "#10001", "10001"),
        (CollectKind.ORDER_NUMBER, "nr 10001", "10001"),
        (CollectKind.ORDER_NUMBER, "wc-727", "WC-727"),
        (CollectKind.ORDER_NUMBER, "nie wiem", None),
        (CollectKind.EMAIL, "Anna@Example.com", "anna@example.com"),
        (CollectKind.EMAIL, "anna@", None),
        (CollectKind.PHONE, "601 234 567", "+48601234567"),
        (CollectKind.PHONE, "+44 20 7946 0958", "+442079460958"),
        (CollectKind.PHONE, "123", None),
        (CollectKind.DATE, "jutro", "2025-03-21"),
        (CollectKind.DATE, "tomorrow", "2025-03-21"),
        (CollectKind.DATE, "24.12.2025", "2025-12-24"),
        (CollectKind.DATE, "05.01", "2026-01-05"),
        (CollectKind.DATE, "31.02.2025", None),
        (CollectKind.DATETIME, "jutro 15:00", "2025-03-21T14:00:00+00:00"),
        (CollectKind.DATETIME, "dziś 9:00", None),  # already past
        (CollectKind.NUMBER, "2,5", "2.5"),
    ],
)
def test_validators(kind: CollectKind, text: str, value: str | None) -> None:
    assert validate(kind, text, now=NOW) == value


def test_pattern_restricts_a_value() -> None:
    assert validate(CollectKind.TEXT, "abc", now=NOW, pattern=r"[a-c]+") == "abc"
    assert validate(CollectKind.TEXT, "abd", now=NOW, pattern=r"[a-c]+") is None
