"""Intent recognition for free text: keyword and fuzzy matching, Polish and English.

Both the phrases and the customer's text are folded (lower case, no diacritics) and
stemmed crudely, so "zamówienia" meets "zamówienie" and "Zamowienie". A phrase scores
the mean over its words of the best match among the text's words: 1.0 for the same
stem, 0.9 when one stem starts with the other, else difflib's ratio when it is at least
0.8 (a typo). An intent scores its best phrase. Anything implementing `IntentClassifier`
can replace this (see `semantic.py`).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from omnicenter.flows.model import Intent
from omnicenter.knowledge.text import STOPWORDS, stem, tokens

__all__ = ["HybridClassifier", "IntentClassifier", "IntentMatch", "KeywordClassifier"]

_FUZZY_CUTOFF = 0.8


@dataclass(frozen=True, slots=True, order=True)
class IntentMatch:
    confidence: float
    name: str
    # Words of the best phrase: of two equal scores the longer phrase says more.
    words: int = field(default=1, compare=False)


class IntentClassifier(Protocol):
    def rank(self, text: str, intents: Sequence[Intent]) -> list[IntentMatch]:
        """Intents scored for `text`, best first; confidences in [0, 1]."""
        ...


def _content(text: str) -> tuple[str, ...]:
    words = tokens(text)
    kept = [w for w in words if w not in STOPWORDS] or words
    return tuple(stem(w) for w in kept)


class KeywordClassifier:
    """The default classifier: no model, no state besides a cache of phrase stems."""

    def __init__(self) -> None:
        self._phrases: dict[Intent, tuple[tuple[str, ...], ...]] = {}

    def _phrase_stems(self, intent: Intent) -> tuple[tuple[str, ...], ...]:
        cached = self._phrases.get(intent)
        if cached is None:
            cached = tuple(p for p in (_content(phrase) for phrase in intent.phrases) if p)
            self._phrases[intent] = cached
        return cached

    @staticmethod
    def _word_score(word: str, text_words: frozenset[str]) -> float:
        if word in text_words:
            return 1.0
        best = 0.0
        for candidate in text_words:
            if (
                len(word) >= 4
                and len(candidate) >= 4
                and (candidate.startswith(word) or word.startswith(candidate))
            ):
                best = max(best, 0.9)
                continue
            if abs(len(candidate) - len(word)) > 2 or len(word) < 4:
                continue
            matcher = difflib.SequenceMatcher(None, word, candidate)
            if matcher.quick_ratio() >= _FUZZY_CUTOFF:
                ratio = matcher.ratio()
                if ratio >= _FUZZY_CUTOFF:
                    best = max(best, ratio)
        return best

    def rank(self, text: str, intents: Sequence[Intent]) -> list[IntentMatch]:
        text_words = frozenset(_content(text))
        if not text_words:
            return []
        matches: list[IntentMatch] = []
        for intent in intents:
            best, words = 0.0, 1
            for phrase in self._phrase_stems(intent):
                score = sum(self._word_score(w, text_words) for w in phrase) / len(phrase)
                if (score, len(phrase)) > (best, words):
                    best, words = score, len(phrase)
            if best > 0:
                matches.append(IntentMatch(round(best, 3), intent.name, words))
        matches.sort(key=lambda m: (-m.confidence, -m.words, m.name))
        return matches


class HybridClassifier:
    """Keywords first; ask a second classifier (e.g. semantic) only when they are unsure."""

    def __init__(
        self, first: IntentClassifier, second: IntentClassifier, threshold: float = 0.6
    ) -> None:
        self.first, self.second, self.threshold = first, second, threshold

    def rank(self, text: str, intents: Sequence[Intent]) -> list[IntentMatch]:
        ranked = self.first.rank(text, intents)
        if ranked and ranked[0].confidence >= self.threshold:
            return ranked
        return self.second.rank(text, intents) or ranked
