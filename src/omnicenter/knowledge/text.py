"""Text normalisation shared by FAQ search, product search and intent matching.

Polish and English only need crude handling here: lower case, no diacritics, and a
suffix-stripping stem so that "zamówienie", "zamówienia" and "zamówieniu" meet.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["STOPWORDS", "content_stems", "fold", "stem", "stems", "tokens"]

# ł has no decomposition in Unicode, so NFKD alone leaves it in place.
_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "đ": "d"})
_WORD = re.compile(r"[a-z0-9]+")
# Longest first, so "ach" is stripped before "h" could be considered.
_SUFFIXES = (
    "iami",
    "ach",
    "ami",
    "ing",
    "owi",
    "ego",
    "emu",
    "ymi",
    "ich",
    "ych",
    "iem",
    "om",
    "ow",
    "em",
    "ie",
    "ia",
    "iu",
    "es",
    "ed",
    "ej",
    "y",
    "a",
    "e",
    "i",
    "o",
    "u",
    "s",
)
# Question words that say nothing about the topic, folded. Kept short on purpose.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "do",
        "does",
        "did",
        "of",
        "to",
        "for",
        "in",
        "on",
        "at",
        "my",
        "your",
        "i",
        "you",
        "we",
        "it",
        "this",
        "that",
        "and",
        "or",
        "how",
        "what",
        "when",
        "where",
        "which",
        "who",
        "can",
        "could",
        "please",
        "jak",
        "jaki",
        "jaka",
        "jakie",
        "ile",
        "czy",
        "co",
        "gdzie",
        "kiedy",
        "do",
        "w",
        "we",
        "na",
        "z",
        "ze",
        "i",
        "o",
        "od",
        "po",
        "mi",
        "mnie",
        "moje",
        "moj",
        "moja",
        "jest",
        "sa",
        "to",
        "ten",
        "ta",
        "prosze",
        "sie",
    ]
)
_MAX_STEM = 6
_MIN_STEM = 3


def fold(text: str) -> str:
    """Lower case without diacritics: "Zażółć" -> "zazolc"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded alphanumeric words."""
    return _WORD.findall(fold(text))


@functools.lru_cache(maxsize=1 << 16)  # catalogs repeat words; rebuilding indexes re-stems
def stem(word: str) -> str:
    """A crude stem of a folded word: strip one inflection suffix, keep at most 6 letters.

    Digits are kept whole, since "12" and "123" must not meet.
    """
    if word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    return word[:_MAX_STEM]


def stems(text: str) -> list[str]:
    return [stem(t) for t in tokens(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (stop words dropped)."""
    return [stem(t) for t in tokens(text) if t not in STOPWORDS]
