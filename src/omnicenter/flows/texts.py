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
    "verify_sent": {
        "pl": "Ze względów bezpieczeństwa podam szczegóły zamówienia tylko jego właścicielowi. "
        "Wysłałem kod na {masked}. Wpisz go tutaj.",
        "en": "To keep orders private I give their details to their owner only. "
        "I sent a code to {masked}. Please type it here.",
    },
    "verify_prompt": {"pl": "Wpisz kod.", "en": "Type the code."},
    "verify_wrong": {
        "pl": "To nie ten kod (albo już wygasł).",
        "en": "That is not the code (or it has expired).",
    },
    "verify_message": {
        "pl": "Twój kod weryfikacyjny: {code}. Ważny 10 minut. Nie podawaj go nikomu.",
        "en": "Your verification code: {code}. Valid for 10 minutes. Do not share it.",
    },
    "verify_person": {
        "pl": "Szczegóły zamówienia podam tylko jego właścicielowi. "
        "Połączę Cię z konsultantem, który pomoże.",
        "en": "I give order details to their owner only. "
        "Let me connect you with a person who can help.",
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
