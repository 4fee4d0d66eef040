"""Fuzzy matching: customers who are probably the same person, for an agent to confirm.

Exact matches on a normalised address are merged automatically by the service; what is
here only produces suggestions, never merges.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MergeHint", "name_key", "suggest_matches"]


@dataclass(frozen=True, slots=True)
class MergeHint:
    other_customer_id: str
    reason: str
    score: float


def name_key(name: str | None) -> str | None:
    """`  Anna  Nowak-Kowalska ` and `anna nowak kowalska` and `Ánna Nowak Kowalska` agree."""
    if not name:
        return None
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    words = sorted(letters.split())
    if len(words) < 2:  # a first name alone matches far too many people
        return None
    return " ".join(words)


def suggest_matches(
    customer_id: str,
    same_name: Iterable[str],
    same_phone_tail: Iterable[str],
) -> list[MergeHint]:
    """Score candidates found by the store's indexes; both signals together score highest."""
    scores: dict[str, tuple[float, list[str]]] = {}
    for other in same_name:
        if other != customer_id:
            score, reasons = scores.get(other, (0.0, []))
            scores[other] = (score + 0.5, [*reasons, "same name"])
    for other in same_phone_tail:
        if other != customer_id:
            score, reasons = scores.get(other, (0.0, []))
            scores[other] = (score + 0.6, [*reasons, "phone number differs only in country code"])
    hints = [
        MergeHint(other, " and ".join(reasons), min(score, 1.0))
        for other, (score, reasons) in scores.items()
    ]
    return sorted(hints, key=lambda h: (-h.score, h.other_customer_id))
