"""Whether a customer asks for a person: escape words, common phrasings, negations.

"konsultant", "a real person", "prawdziwa osoba", "żywy człowiek" and "0" ask for a
person; "nie potrzebuję konsultanta" and "I don't need an agent" do not. A negation counts
within its own clause only, so "nie, chcę konsultanta" and "no bot, a human please" still
ask for one.
"""

from __future__ import annotations

import re

from omnicenter.flows.outputs import HANDOVER_VALUE
from omnicenter.knowledge.text import tokens

__all__ = ["ESCAPE_WORDS", "is_escape"]

# Whole words, folded; inflected Polish forms are listed because stems would also catch
# unrelated words ("personal", "pracować").
ESCAPE_WORDS = frozenset(
    {
        "agent",
        "agenta",
        "agentem",
        "human",
        "person",
        "operator",
        "operatora",
        "representative",
        "czlowiek",
        "czlowieka",
        "czlowiekiem",
        "konsultant",
        "konsultanta",
        "konsultantem",
        "konsultantka",
        "konsultantki",
        "pracownik",
        "pracownika",
        "pracownikiem",
    }
)
# "a real person", "prawdziwa osoba", "żywy człowiek": an adjective that means "not a bot"
# before a word for someone, which alone would be too common ("osoba", "someone").
_REAL = frozenset(
    [
        "real",
        "live",
        "actual",
        "prawdziwy",
        "prawdziwa",
        "prawdziwego",
        "prawdziwej",
        "prawdziwym",
        "zywy",
        "zywa",
        "zywego",
        "zywej",
        "zywym",
    ]
)
_SOMEONE = frozenset(
    [
        "person",
        "someone",
        "somebody",
        "people",
        "human",
        "agent",
        "osoba",
        "osoby",
        "osobe",
        "czlowiek",
        "czlowieka",
        "czlowiekiem",
        "kims",
        "kogos",
    ]
)
_NEGATIONS = frozenset(
    ["nie", "not", "dont", "don", "doesn", "didn", "no", "never", "nigdy", "bez", "without"]
)
_CLAUSE = re.compile(r"[,.;:!?\n]|\b(?:but|ale|tylko)\b", re.IGNORECASE)
# A negation this far before the escape word still governs it ("nie potrzebuję teraz
# konsultanta"); further away it belongs to something else.
_NEGATION_REACH = 4


def _asks_in(words: list[str], extra: frozenset[str]) -> bool:
    for i, word in enumerate(words):
        escape = word in ESCAPE_WORDS or word in extra
        if not escape and word in _SOMEONE and i > 0 and words[i - 1] in _REAL:
            escape = True
        if escape and not _NEGATIONS & set(words[max(0, i - _NEGATION_REACH) : i]):
            return True
    return False


def is_escape(text: str, extra: frozenset[str] = frozenset()) -> bool:
    stripped = text.strip()
    if stripped in ("0", HANDOVER_VALUE):
        return True
    return any(_asks_in(tokens(clause), extra) for clause in _CLAUSE.split(stripped))
