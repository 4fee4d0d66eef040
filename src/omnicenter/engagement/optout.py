"""Opt-out by keyword: a message that is only STOP (or its Polish and English kin)."""

from __future__ import annotations

import re

__all__ = ["OPT_OUT_WORDS", "is_opt_out"]

OPT_OUT_WORDS = frozenset(
    {
        "stop", "stop all", "stopall", "unsubscribe", "opt out", "optout",
        "nie", "rezygnuje", "rezygnuję", "wypisz", "wypisz mnie",
    }
)  # fmt: skip
_NOISE = re.compile(r"[\s.!,;:]+")


def is_opt_out(text: str) -> bool:
    """Only the whole message counts: "stop" opts out, "stop the order" does not."""
    words = _NOISE.sub(" ", text).strip().casefold()
    return words in OPT_OUT_WORDS
