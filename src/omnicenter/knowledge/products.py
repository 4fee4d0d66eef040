"""Which product variant a customer's words name, or why none does.

A question names a product ("kubek", "T-shirt") and maybe the variant ("czarny", "44",
"M"). The answer is the variant asked for, never a neighbour: "black mug" when the mug is
only white is `no_variant` with the variants that exist (so the bot says "we have the mug
in white; not in black"), and "red TV" is `no_product` (a colour alone names no product).
A colour or size the catalog has never heard of still counts as asked for: the small
vocabularies below know the common ones in Polish and English.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from omnicenter.knowledge.records import Product, Variant
from omnicenter.knowledge.text import STOPWORDS, stem, tokens

__all__ = ["ProductIndex", "ProductMatch"]

_COLOURS = frozenset(
    stem(w)
    for w in [
        "red",
        "black",
        "white",
        "blue",
        "green",
        "yellow",
        "grey",
        "gray",
        "pink",
        "purple",
        "orange",
        "brown",
        "navy",
        "beige",
        "czerwony",
        "czarny",
        "bialy",
        "niebieski",
        "zielony",
        "zolty",
        "szary",
        "rozowy",
        "fioletowy",
        "pomaranczowy",
        "brazowy",
        "granatowy",
        "bezowy",
    ]
)
_SIZES = frozenset({"xxs", "xs", "xl", "xxl", "xxxl"})
# Words that introduce an attribute but are none ("w kolorze czarnym", "size 44").
_ATTRIBUTE_NOUNS = frozenset(
    stem(w) for w in ["kolor", "color", "colour", "rozmiar", "size", "numer"]
)
_MIN_NAME_WORD = 2
_CONTRACTION = re.compile(r"['’]\w+")  # "I'm", "what's": not the sizes M and S
_TYPO_CUTOFF = 0.8


def _asks_attribute(word: str) -> bool:
    """A colour or a size, whether or not the catalog has it."""
    if word.isdigit():
        return 2 <= len(word) <= 3  # "44", "500"; one digit is a quantity, five an order
    return word in _SIZES or stem(word) in _COLOURS


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """The variant named (`sku`), or `reason` ("no_product", "no_variant") with the
    product's existing variants (`options`) and the attribute words not found (`missing`)."""

    sku: str | None
    score: float = 0.0
    reason: str = ""
    options: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


class ProductIndex:
    def __init__(self, products: Mapping[str, Product], variants: Mapping[str, Variant]) -> None:
        self._variants = {sku: v for sku, v in variants.items() if v.active}
        self._by_product: dict[str, list[str]] = defaultdict(list)
        for sku in sorted(self._variants):
            self._by_product[self._variants[sku].product_id].append(sku)
        # Name words -> products; attribute words -> variants. Kept apart: a colour must
        # never stand for a product.
        self._names: dict[str, set[str]] = defaultdict(set)
        self._name_words: dict[str, str] = {}
        for product_id in self._by_product:
            product = products.get(product_id)
            names = [product_id]
            if product is not None:
                names += [product.name_pl, product.name_en, product.category]
            for word in tokens(" ".join(names)):
                if len(word) >= _MIN_NAME_WORD and word not in STOPWORDS:
                    self._names[stem(word)].add(product_id)
                    if len(word) >= 4:
                        self._name_words[word] = stem(word)
        self._name_vocab = sorted(self._name_words)
        self._attributes: dict[str, set[str]] = defaultdict(set)
        for sku, variant in self._variants.items():
            for word in tokens(" ".join(variant.attributes.values())):
                self._attributes[stem(word)].add(sku)

    def _products_named(self, word: str) -> set[str]:
        hits = self._names.get(stem(word))
        if hits is None and len(word) >= 4 and not word.isdigit():  # a typo
            close = difflib.get_close_matches(word, self._name_vocab, n=1, cutoff=_TYPO_CUTOFF)
            hits = self._names.get(self._name_words[close[0]]) if close else None
        return hits or set()

    def match(self, text: str) -> ProductMatch:
        words = [w for w in tokens(_CONTRACTION.sub("", text)) if w not in STOPWORDS]
        named: dict[str, int] = defaultdict(int)
        asked: list[str] = []  # attribute words, in the customer's order
        for word in words:
            products = self._products_named(word)
            for product_id in products:
                named[product_id] += 1
            if products or stem(word) in _ATTRIBUTE_NOUNS:
                continue
            if stem(word) in self._attributes or _asks_attribute(word):
                asked.append(word)
        if not named:
            return ProductMatch(None, reason="no_product")
        product_id = max(sorted(named), key=lambda p: named[p])
        skus = self._by_product[product_id]
        missing = tuple(w for w in asked if not any(self._has(sku, w) for sku in skus))
        fitting = [sku for sku in skus if all(self._has(sku, w) for w in asked)]
        if missing or not fitting:
            return ProductMatch(
                None,
                reason="no_variant",
                options=tuple(skus),
                missing=missing or tuple(asked),
            )
        score = (named[product_id] + len(asked)) / max(1, len(words))
        return ProductMatch(fitting[0], round(min(score, 1.0), 3))

    def _has(self, sku: str, word: str) -> bool:
        return sku in self._attributes.get(stem(word), ())
