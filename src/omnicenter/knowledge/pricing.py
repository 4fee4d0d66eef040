"""How a unit price is computed from a list price, discount rules and a loyalty tier.

The order is fixed and documented because every channel must get the same figure:
1. among eligible non-stackable rules, the one that gives the customer the lowest price
   wins (ties: lower `priority`, then rule id);
2. eligible stackable rules then apply one after another, by priority then id;
3. the customer's loyalty tier percent applies last, to the already discounted price.
A price never goes below zero and a `fixed_price` rule never raises a price.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from omnicenter.knowledge.facts import AppliedDiscount
from omnicenter.knowledge.money import percent_of
from omnicenter.knowledge.records import DiscountKind, DiscountRule, LoyaltyTier

__all__ = ["apply_rule", "eligible", "unit_price"]


def apply_rule(rule: DiscountRule, price_minor: int) -> int:
    value = rule.value_minor_or_percent
    if rule.kind is DiscountKind.PERCENT:
        return max(0, price_minor - percent_of(price_minor, value))
    if rule.kind is DiscountKind.AMOUNT:
        return max(0, price_minor - int(value))
    return min(price_minor, int(value))


def eligible(
    rule: DiscountRule,
    *,
    at: datetime,
    quantity: int,
    basket: Collection[str],
    tier_rank: int,
    tier_ranks: Mapping[str, int],
) -> bool:
    if not rule.active_at(at) or quantity < rule.min_quantity:
        return False
    if rule.tier is not None and tier_rank < tier_ranks.get(rule.tier, 1 << 30):
        return False
    return all(sku in basket for sku in rule.bundle)


def unit_price(
    list_minor: int,
    rules: Sequence[DiscountRule],
    tier: LoyaltyTier | None,
    *,
    at: datetime,
    quantity: int = 1,
    basket: Collection[str] = (),
    tier_ranks: Mapping[str, int],
) -> tuple[int, tuple[AppliedDiscount, ...], tuple[DiscountRule, ...]]:
    """Final unit price, the discounts applied in order, and the rules behind them.

    `rules` are the candidate rules for the SKU, already sorted by (priority, id).
    """
    rank = tier_ranks.get(tier.name, -1) if tier is not None else -1
    best: DiscountRule | None = None
    best_price = list_minor
    stackable: list[DiscountRule] = []
    for rule in rules:
        if not eligible(
            rule, at=at, quantity=quantity, basket=basket, tier_rank=rank, tier_ranks=tier_ranks
        ):
            continue
        if rule.stackable:
            stackable.append(rule)
            continue
        candidate = apply_rule(rule, list_minor)
        if candidate < best_price:  # strict: an earlier rule (by priority) wins a tie
            best, best_price = rule, candidate
    applied: list[AppliedDiscount] = []
    used: list[DiscountRule] = []
    price = list_minor
    for rule in ([best] if best is not None else []) + stackable:
        after = apply_rule(rule, price)
        if after < price:
            applied.append(AppliedDiscount(rule.id, rule.label_pl, rule.label_en, price - after))
            used.append(rule)
        price = after
    if tier is not None and tier.percent > 0 and price > 0:
        after = max(0, price - percent_of(price, tier.percent))
        applied.append(
            AppliedDiscount(f"tier:{tier.name}", tier.label_pl, tier.label_en, price - after)
        )
        price = after
    return price, tuple(applied), tuple(used)
