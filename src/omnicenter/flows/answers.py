"""Knowledge facts as template variables, worded in the conversation's language.

A lookup step stores `{var}` = these values; flow text then says e.g. "{price.summary}"
or builds its own sentence from "{price.final}" and "{price.name}". The `summary` is the
same sentence on every channel for the same fact, which the consistency tests rely on.
"""

from __future__ import annotations

from typing import Any

from omnicenter.knowledge.facts import (
    Fact,
    FaqFact,
    HoursFact,
    NotFound,
    OrderFact,
    PolicyFact,
    PriceFact,
    ProductFact,
    StockFact,
)
from omnicenter.knowledge.money import format_money

__all__ = ["fact_record", "fact_vars", "not_found_vars", "variant_label"]

_STATUS = {
    "pending": ("oczekuje na płatność", "awaiting payment"),
    "paid": ("opłacone", "paid"),
    "processing": ("w realizacji", "being prepared"),
    "shipped": ("wysłane", "shipped"),
    "delivered": ("dostarczone", "delivered"),
    "cancelled": ("anulowane", "cancelled"),
    "returned": ("zwrócone", "returned"),
    "refunded": ("zwrot pieniędzy wykonany", "refunded"),
    "on_hold": ("wstrzymane", "on hold"),
    "failed": ("płatność nieudana", "payment failed"),
}
_DAYS = {
    "pl": ("pn", "wt", "śr", "czw", "pt", "sob", "nd"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_POLICY = {
    "return": ("Zwrot", "Returns"),
    "exchange": ("Wymiana", "Exchanges"),
    "complaint": ("Reklamacja", "Complaints"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "pl" else pair[1]


def fact_vars(fact: Fact, lang: str) -> dict[str, Any]:
    pl = lang == "pl"
    out: dict[str, Any] = {"found": True, "key": fact.key}
    match fact:
        case PriceFact():
            name = fact.product_name_pl if pl else fact.product_name_en
            final = format_money(fact.final_minor, fact.currency, lang)
            listed = format_money(fact.list_minor, fact.currency, lang)
            labels = ", ".join(d.label(lang) for d in fact.discounts)
            out |= {
                "sku": fact.sku,
                "name": name,
                "final": final,
                "list": listed,
                "discounts": labels,
                "tier": fact.tier or "",
            }
            if fact.final_minor < fact.list_minor:
                out["summary"] = (
                    f"{name} ({fact.sku}): {final} zamiast {listed} ({labels})."
                    if pl
                    else f"{name} ({fact.sku}): {final} instead of {listed} ({labels})."
                )
            else:
                out["summary"] = f"{name} ({fact.sku}): {final}."
        case StockFact():
            name = fact.product_name_pl if pl else fact.product_name_en
            out |= {
                "sku": fact.sku,
                "name": name,
                "available": fact.available,
                "in_stock": "yes" if fact.in_stock else "no",
            }
            if fact.in_stock:
                out["summary"] = (
                    f"{name} ({fact.sku}) jest dostępny: {fact.available} szt."
                    if pl
                    else f"{name} ({fact.sku}) is in stock: {fact.available} pcs."
                )
            else:
                out["summary"] = (
                    f"{name} ({fact.sku}) jest chwilowo niedostępny."
                    if pl
                    else f"{name} ({fact.sku}) is out of stock at the moment."
                )
        case OrderFact():
            status = _pick(
                _STATUS.get(fact.status.value, (fact.status.value, fact.status.value)), lang
            )
            out |= {
                "number": fact.number,
                "status": status,
                "status_code": fact.status.value,
                "carrier": fact.carrier,
                "tracking": fact.tracking,
                "tracking_url": fact.tracking_url,
            }
            summary = (
                f"Zamówienie {fact.number}: {status}." if pl else f"Order {fact.number}: {status}."
            )
            if fact.tracking:
                summary += (
                    f" Przesyłka {fact.carrier}, numer {fact.tracking}."
                    if pl
                    else f" Parcel by {fact.carrier}, tracking number {fact.tracking}."
                )
            out["summary"] = summary
        case PolicyFact():
            title = _pick(_POLICY[fact.kind.value], lang)
            deadline = fact.deadline.isoformat() if fact.deadline else ""
            out |= {"days": fact.days, "deadline": deadline, "conditions": fact.conditions(lang)}
            summary = (
                f"{title}: {fact.days} dni od {'dostawy' if fact.counted_from == 'delivery' else 'zakupu'}."
                if pl
                else f"{title}: {fact.days} days from {fact.counted_from}."
            )
            if deadline:
                summary += (
                    f" Dla zamówienia {fact.order_number} termin mija {deadline}."
                    if pl
                    else f" For order {fact.order_number} the deadline is {deadline}."
                )
            out["summary"] = f"{summary} {fact.conditions(lang)}"
        case HoursFact():
            days = _DAYS["pl" if pl else "en"]
            week = "; ".join(
                f"{days[i]} {o}-{c}" if o else f"{days[i]} {'nieczynne' if pl else 'closed'}"
                for i, (_, o, c) in enumerate(fact.week)
            )
            today = (
                f"{fact.today_opens}-{fact.today_closes}"
                if fact.today_opens
                else ("nieczynne" if pl else "closed")
            )
            out |= {"week": week, "today": today, "open_now": "yes" if fact.is_open else "no"}
            now = (
                ("Teraz jesteśmy otwarci." if fact.is_open else "Teraz jesteśmy zamknięci.")
                if pl
                else ("We are open now." if fact.is_open else "We are closed now.")
            )
            out["summary"] = (
                f"Godziny otwarcia: {week}. {now}" if pl else f"Opening hours: {week}. {now}"
            )
        case FaqFact():
            out |= {
                "answer": fact.answer(lang),
                "summary": fact.answer(lang),
                "article": fact.article_id,
            }
        case ProductFact():
            out |= {
                "sku": fact.sku,
                "name": fact.name(lang),
                "summary": f"{fact.name(lang)} ({fact.sku})",
            }
    return out


# Attribute names with a twin in the other language: show the one in the customer's.
_TWINS = {"color": "kolor", "capacity": "pojemność", "size": "rozmiar"}


def variant_label(attributes: tuple[tuple[str, str], ...], lang: str) -> str:
    """ "biały", "czerwony M": a variant by its attributes, in the customer's language."""
    keys = {k for k, _ in attributes}
    if lang == "pl":
        shown = [v for k, v in attributes if not (k in _TWINS and _TWINS[k] in keys)]
    else:
        english = {pl: en for en, pl in _TWINS.items()}
        shown = [v for k, v in attributes if not (k in english and english[k] in keys)]
    return " ".join(shown)


def _no_variant(missing: NotFound, lang: str) -> str:
    """ "We have the Ceramic mug in white; not in black." """
    first = missing.options[0]
    name = first.name(lang)
    have = ", ".join(dict.fromkeys(variant_label(o.attributes, lang) for o in missing.options))
    asked = " ".join(missing.missing)
    if lang == "pl":
        return f"Mamy {name} w wersji: {have}; nie w wersji: {asked}."
    return f"We have the {name} in {have}; not in {asked}."


def not_found_vars(missing: NotFound, lang: str = "en") -> dict[str, Any]:
    """What a flow can say when there is no fact: `summary` says what does exist."""
    summary = ""
    if missing.reason == "no_variant" and missing.options:
        summary = _no_variant(missing, lang)
    elif missing.reason in ("no_product", "unknown_sku"):
        summary = (
            "Nie mamy takiego produktu w ofercie."
            if lang == "pl"
            else "We do not have that product."
        )
    return {
        "found": False,
        "reason": missing.reason,
        "summary": summary,
        "options": [o.sku for o in missing.options],
        "missing": " ".join(missing.missing),
    }


def fact_record(fact: Fact) -> dict[str, Any]:
    """What the state and the handover keep of a fact told: key, value and its sources."""
    return {
        "key": fact.key,
        "value": dict(fact.value),
        "sources": [s.describe() for s in fact.sources],
        "revision": max((s.revision for s in fact.sources), default=0),
    }
