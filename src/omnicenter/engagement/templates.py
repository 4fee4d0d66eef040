"""Message texts: a template per channel and language, filled from the event, the rule's
values and facts from knowledge (the single source of what customers are told), so an
offer quotes the same price and a reminder the same deadline everywhere."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from omnicenter.engagement.model import FactLookup
from omnicenter.knowledge import (
    KnowledgeQuery,
    NotFound,
    OrderFact,
    OrderQuery,
    PolicyFact,
    PolicyQuery,
    PriceFact,
    PriceQuery,
    format_money,
)
from omnicenter.knowledge.records import PolicyKind

__all__ = [
    "FACT_KINDS",
    "OPT_OUT_LINE",
    "MissingValue",
    "lookup_facts",
    "placeholders",
    "render",
]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")
FACT_KINDS: Mapping[str, frozenset[str]] = {
    "order": frozenset({"number", "email"}),
    "return_policy": frozenset({"order"}),
    "price": frozenset({"sku"}),
}
OPT_OUT_LINE = {
    "pl": "Odpisz STOP, aby nie dostawać takich wiadomości.",
    "en": "Reply STOP to stop these messages.",
}

Scope = Mapping[str, object]


class MissingValue(LookupError):
    """A template names a value the event, the rule or knowledge does not have."""


def placeholders(text: str) -> tuple[str, ...]:
    return tuple(m.group(1) for m in _PLACEHOLDER.finditer(text))


def _get(scope: Scope, path: str) -> object:
    value: object = scope
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise MissingValue(path)
        value = value[part]
    return value


def render(text: str, scope: Scope) -> str:
    def fill(m: re.Match[str]) -> str:
        value = _get(scope, m.group(1))
        if value is None:
            raise MissingValue(m.group(1))
        return str(value)

    return _PLACEHOLDER.sub(fill, text)


def _arg(scope: Scope, spec: str) -> str:
    """An argument is a dotted path into the scope when it has a dot, else a literal."""
    return str(_get(scope, spec)) if "." in spec else spec


def lookup_facts(
    lookups: tuple[FactLookup, ...],
    scope: Scope,
    knowledge: KnowledgeQuery | None,
    lang: str,
    now: datetime,
) -> dict[str, dict[str, object]]:
    """The facts a rule's templates quote, by the names the rule gives them."""
    out: dict[str, dict[str, object]] = {}
    for lookup in lookups:
        if knowledge is None:
            raise MissingValue(f"{lookup.name} (knowledge is not loaded)")
        args = {k: _arg(scope, v) for k, v in lookup.args.items()}
        if lookup.kind == "order":
            fact = knowledge.ask(OrderQuery(args["number"], email=args.get("email")))
            if not isinstance(fact, OrderFact):
                raise MissingValue(f"{lookup.name} (order {args['number']} not found)")
            out[lookup.name] = {
                "number": fact.number, "status": fact.status.value, "carrier": fact.carrier,
                "tracking": fact.tracking, "tracking_url": fact.tracking_url,
                "total": format_money(fact.total_minor, fact.currency, lang),
            }  # fmt: skip
        elif lookup.kind == "return_policy":
            policy = knowledge.ask(PolicyQuery(PolicyKind.RETURN, args.get("order"), now))
            if not isinstance(policy, PolicyFact):
                raise MissingValue(f"{lookup.name} (no return policy)")
            out[lookup.name] = {
                "days": policy.days,
                "deadline": policy.deadline.isoformat() if policy.deadline else None,
                "conditions": policy.conditions(lang),
            }
        elif lookup.kind == "price":
            price = knowledge.ask(PriceQuery(args["sku"], at=now))
            if isinstance(price, NotFound) or not isinstance(price, PriceFact):
                raise MissingValue(f"{lookup.name} (no price for {args['sku']})")
            out[lookup.name] = {
                "final": format_money(price.final_minor, price.currency, lang),
                "list": format_money(price.list_minor, price.currency, lang),
                "name": price.product_name_pl if lang == "pl" else price.product_name_en,
            }
        else:  # the parser admits only FACT_KINDS
            raise MissingValue(f"{lookup.name} (unknown fact kind {lookup.kind})")
    return out
