"""Built-in bot phrases in Polish and English; a flow's `texts:` section overrides them."""

from __future__ import annotations

from collections.abc import Mapping

from omnicenter.flows.model import Localized

__all__ = ["BUILTIN", "phrase"]

BUILTIN: dict[str, dict[str, str]] = {
    "not_understood": {
        "pl": "Nie zrozumiałem. Spróbujmy jeszcze raz.",
        "en": "Sorry, I did not get that. Let us try again.",
    },
    "invalid_value": {
        "pl": "To nie wygląda na poprawną wartość.",
        "en": "That does not look like a valid value.",
    },
    "handover": {
        "pl": "Łączę z konsultantem. Przekażę mu całą naszą rozmowę.",
        "en": "Connecting you with a person. They will see our whole conversation.",
    },
    "human_option": {"pl": "Rozmowa z konsultantem", "en": "Talk to a person"},
    "reply_with_number": {"pl": "Odpisz numerem.", "en": "Reply with a number."},
    "press": {"pl": "Wciśnij {digit}: {label}.", "en": "Press {digit} for {label}."},
    "press_zero": {
        "pl": "Wciśnij 0, aby porozmawiać z konsultantem.",
        "en": "Press 0 to talk to a person.",
    },
    "callback_scheduled": {
        "pl": "Zadzwonimy pod numer {phone}.",
        "en": "We will call you on {phone}.",
    },
    "bye": {"pl": "Dziękujemy, do usłyszenia!", "en": "Thank you, goodbye!"},
    "closed": {
        "pl": "Ta rozmowa jest już zakończona.",
        "en": "This conversation has ended.",
    },
}


def phrase(name: str, lang: str, overrides: Mapping[str, Localized] | None = None) -> str:
    if overrides and name in overrides:
        return overrides[name].get(lang)
    texts = BUILTIN[name]
    return texts.get(lang, texts["en"])
