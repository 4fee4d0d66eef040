"""The in-memory, indexed knowledge base: one query interface for every channel.

A `KnowledgeBase` is built once from an immutable snapshot and never changes; a new
import builds a new one and swaps it in (see `service.py`). Queries are dictionary
lookups over indexes built here, which is what makes tens of thousands of price queries
per second possible in plain Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import TypeVar
from zoneinfo import ZoneInfo

from omnicenter.knowledge.asker import Asker, email_key, phone_key
from omnicenter.knowledge.facts import (
    Fact,
    FaqFact,
    FaqQuery,
    HoursFact,
    HoursQuery,
    NotFound,
    OrderFact,
    OrderQuery,
    PolicyFact,
    PolicyQuery,
    PriceFact,
    PriceQuery,
    ProductFact,
    ProductQuery,
    Query,
    Source,
    StockFact,
    StockQuery,
    VerifyContact,
)
from omnicenter.knowledge.pricing import unit_price
from omnicenter.knowledge.products import ProductIndex
from omnicenter.knowledge.records import (
    WEEKDAYS,
    DiscountRule,
    FaqArticle,
    LoyaltyAccount,
    LoyaltyTier,
    OpeningHours,
    Order,
    Policy,
    PolicyKind,
    Product,
    Record,
    StockLevel,
    Variant,
    normalize_order_number,
)
from omnicenter.knowledge.snapshot import KnowledgeSnapshot, kind_of
from omnicenter.knowledge.text import content_stems, fold

__all__ = ["KnowledgeBase", "KnowledgeQuery"]

Clock = Callable[[], datetime]
_R = TypeVar("_R", bound=Record)
_FAQ_MIN_SCORE = 0.3


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KnowledgeQuery:
    """What readers need: `ask`. The bot, desktop, templates and API depend on this only."""

    def ask(self, query: Query) -> Fact | NotFound:  # pragma: no cover - interface
        raise NotImplementedError


class KnowledgeBase(KnowledgeQuery):
    def __init__(self, snapshot: KnowledgeSnapshot, clock: Clock = _utc_now) -> None:
        self.snapshot = snapshot
        self.revision = snapshot.revision
        self._clock = clock

        def only(kind: str, cls: type[_R]) -> dict[str, _R]:
            return {k: r for k, r in snapshot.of(kind).items() if isinstance(r, cls)}

        self._products = only("products", Product)
        self._variants = only("variants", Variant)
        self._orders = only("orders", Order)
        self._accounts = only("accounts", LoyaltyAccount)
        self._policies = only("policies", Policy)
        self._faq = list(only("faq", FaqArticle).values())
        self._hours = only("hours", OpeningHours)
        tiers = sorted(only("tiers", LoyaltyTier).values(), key=lambda t: t.min_points)
        self._tiers = tiers
        self._tier_by_name = {t.name: t for t in tiers}
        self._tier_ranks = {t.name: i for i, t in enumerate(tiers)}
        self._stock: dict[str, list[StockLevel]] = defaultdict(list)
        for level in only("stock", StockLevel).values():
            self._stock[level.sku].append(level)
        self._rules_by_sku = self._index_rules(list(only("rules", DiscountRule).values()))
        self._sources: dict[int, Source] = {}
        self._product_index = ProductIndex(self._products, self._variants)
        # A loyalty account follows the person: by the shop's id, or the email or phone on it.
        self._accounts_by_email: dict[str, LoyaltyAccount] = {}
        self._accounts_by_phone: dict[str, LoyaltyAccount] = {}
        for account in sorted(self._accounts.values(), key=lambda a: a.customer_id):
            if account.email and (key := email_key(account.email)):
                self._accounts_by_email.setdefault(key, account)
            if account.phone and (key := phone_key(account.phone)):
                self._accounts_by_phone.setdefault(key, account)
        self._faq_index = [(a, set(content_stems(self._faq_text(a)))) for a in self._faq]
        self._customer_tier: dict[str, LoyaltyTier | None] = {}

    # ------------------------------------------------------------ indexes

    def _index_rules(self, rules: list[DiscountRule]) -> dict[str, tuple[DiscountRule, ...]]:
        """Candidate rules per SKU, sorted once so that queries never sort.

        A rule applies to every SKU (no SKUs, no categories), or to the SKUs, products and
        categories it names: look those up instead of testing every rule on every SKU, so
        that rebuilding after a small update stays cheap for a large catalog.
        """
        everywhere: list[DiscountRule] = []
        by_name: dict[str, list[DiscountRule]] = defaultdict(list)  # a SKU or a product id
        by_category: dict[str, list[DiscountRule]] = defaultdict(list)
        for rule in rules:
            if not rule.skus and not rule.categories:
                everywhere.append(rule)
            for name in rule.skus:
                by_name[name].append(rule)
            for category in rule.categories:
                by_category[category].append(rule)
        indexed: dict[str, tuple[DiscountRule, ...]] = {}
        for sku, variant in self._variants.items():
            product = self._products.get(variant.product_id)
            category = product.category if product else ""
            found = {
                rule.id: rule
                for rule in chain(
                    everywhere,
                    by_name.get(sku, ()),
                    by_name.get(variant.product_id, ()),
                    by_category.get(category, ()) if category else (),
                )
            }
            if found:
                indexed[sku] = tuple(sorted(found.values(), key=lambda r: (r.priority, r.id)))
        return indexed

    @staticmethod
    def _faq_text(article: FaqArticle) -> str:
        return " ".join((article.question_pl, article.question_en, *article.keywords))

    def _source(self, record: Record) -> Source:
        cached = self._sources.get(id(record))
        if cached is None:
            cached = Source(kind_of(record), record.key, record.origin, self.revision)
            self._sources[id(record)] = cached
        return cached

    # ------------------------------------------------------------ the one interface

    def ask(self, query: Query) -> Fact | NotFound:
        """Answer any query; the typed helpers below are the same code paths."""
        match query:
            case PriceQuery():
                return self.price(
                    query.sku,
                    query.customer_id,
                    query.at,
                    query.quantity,
                    query.basket,
                    asker=query.asker,
                )
            case StockQuery():
                return self.stock(query.sku, query.location)
            case OrderQuery():
                return self.order(
                    query.number,
                    email=query.email,
                    customer_id=query.customer_id,
                    asker=query.asker,
                )
            case PolicyQuery():
                return self.policy(query.kind, query.order_number, query.at, asker=query.asker)
            case HoursQuery():
                return self.hours(query.at, query.location)
            case FaqQuery():
                return self.faq(query.text, query.lang)
            case ProductQuery():
                return self.find_product(query.text)

    # ------------------------------------------------------------ loyalty

    def account_of(
        self, customer_id: str | None, asker: Asker | None = None
    ) -> LoyaltyAccount | None:
        """The loyalty account of the asking person: keyed by their id (ours or the
        shop's), else linked by an email or phone they proved."""
        if customer_id is not None and (account := self._accounts.get(customer_id)):
            return account
        if asker is None:
            return None
        for key in sorted(asker.shop_ids):
            if account := self._accounts.get(key):
                return account
        for key in sorted(asker.emails):
            if account := self._accounts_by_email.get(key):
                return account
        for key in sorted(asker.phones):
            if account := self._accounts_by_phone.get(key):
                return account
        return None

    def _tier_of_account(self, account: LoyaltyAccount | None) -> LoyaltyTier | None:
        if account is None:
            return None
        if account.tier is not None:
            return self._tier_by_name.get(account.tier)
        tier: LoyaltyTier | None = None
        for candidate in self._tiers:
            if account.points >= candidate.min_points:
                tier = candidate
        return tier

    def tier_of(self, customer_id: str | None, asker: Asker | None = None) -> LoyaltyTier | None:
        if customer_id is None and asker is None:
            return None
        if asker is not None:
            return self._tier_of_account(self.account_of(customer_id, asker))
        assert customer_id is not None
        try:
            return self._customer_tier[customer_id]
        except KeyError:
            pass
        tier = self._tier_of_account(self._accounts.get(customer_id))
        self._customer_tier[customer_id] = tier
        return tier

    # ------------------------------------------------------------ price

    def price(
        self,
        sku: str,
        customer_id: str | None = None,
        at: datetime | None = None,
        quantity: int = 1,
        basket: Collection[str] = (),
        *,
        asker: Asker | None = None,
    ) -> PriceFact | NotFound:
        variant = self._variants.get(sku)
        if variant is None or not variant.active:
            return NotFound(
                PriceQuery(sku, customer_id, at, quantity, tuple(basket), asker), "unknown_sku"
            )
        when = at if at is not None else self._clock()
        rules = self._rules_by_sku.get(sku, ())
        account = self.account_of(customer_id, asker)
        tier = self.tier_of(customer_id, asker)
        final, applied, used = unit_price(
            variant.price_minor,
            rules,
            tier,
            at=when,
            quantity=quantity,
            basket=basket,
            tier_ranks=self._tier_ranks,
        )
        product = self._products.get(variant.product_id)
        sources = [self._source(variant)]
        if product is not None:
            sources.append(self._source(product))
        sources += [self._source(rule) for rule in used]
        if tier is not None and account is not None:
            sources.append(self._source(tier))
            sources.append(self._source(account))
        return PriceFact(
            sku=sku,
            customer_id=customer_id,
            currency=variant.currency,
            list_minor=variant.price_minor,
            final_minor=final,
            discounts=applied,
            tier=tier.name if tier else None,
            product_name_pl=product.name_pl if product else sku,
            product_name_en=product.name_en if product else sku,
            at=when,
            valid_until=self._next_change(rules, when),
            sources=tuple(sources),
        )

    @staticmethod
    def _next_change(rules: tuple[DiscountRule, ...], at: datetime) -> datetime | None:
        edges = [
            edge
            for rule in rules
            for edge in (rule.valid_from, rule.valid_until)
            if edge is not None and edge > at
        ]
        return min(edges) if edges else None

    # ------------------------------------------------------------ stock

    def stock(self, sku: str, location: str | None = None) -> StockFact | NotFound:
        variant = self._variants.get(sku)
        if variant is None:
            return NotFound(StockQuery(sku, location), "unknown_sku")
        levels = self._stock.get(sku, [])
        if location is not None:
            levels = [lv for lv in levels if lv.location == location]
        product = self._products.get(variant.product_id)
        per_location = tuple(sorted((lv.location, lv.available) for lv in levels))
        return StockFact(
            sku=sku,
            location=location,
            available=sum(n for _, n in per_location),
            per_location=per_location,
            product_name_pl=product.name_pl if product else sku,
            product_name_en=product.name_en if product else sku,
            sources=(self._source(variant), *(self._source(lv) for lv in levels)),
        )

    # ------------------------------------------------------------ orders and policies

    def owns(self, asker: Asker, order: Order) -> bool:
        """Whether the order is the asker's: the shop's customer id, the email or the phone
        on the order, or a loyalty account linked to the asker, names them."""
        if order.customer_id and (
            order.customer_id == asker.customer_id or order.customer_id in asker.shop_ids
        ):
            return True
        if order.email and email_key(order.email) in asker.emails:
            return True
        if order.phone and phone_key(order.phone) in asker.phones:
            return True
        account = self.account_of(None, asker)
        return (
            bool(order.customer_id)
            and account is not None
            and (account.customer_id == order.customer_id)
        )

    @staticmethod
    def verify_contacts(order: Order) -> tuple[VerifyContact, ...]:
        """Where a one-time code may prove the order is the asker's."""
        contacts: list[VerifyContact] = []
        if order.email and "@" in order.email:
            local, _, domain = order.email.partition("@")
            contacts.append(VerifyContact("email", order.email, f"{local[:1]}***@{domain}"))
        if order.phone:
            digits = "".join(ch for ch in order.phone if ch.isdigit())
            contacts.append(VerifyContact("phone", order.phone, f"***{digits[-3:]}"))
        return tuple(contacts)

    def _not_theirs(self, query: Query, order: Order, asker: Asker | None) -> NotFound | None:
        if asker is None or self.owns(asker, order):
            return None
        return NotFound(query, "verification_required", verify=self.verify_contacts(order))

    def order(
        self,
        number: str,
        *,
        email: str | None = None,
        customer_id: str | None = None,
        asker: Asker | None = None,
    ) -> OrderFact | NotFound:
        query = OrderQuery(number, email, customer_id, asker)
        order = self._orders.get(normalize_order_number(number))
        if order is None:
            return NotFound(query, "unknown_order")
        if email is not None and order.email and fold(email.strip()) != fold(order.email):
            return NotFound(query, "verification_failed")
        if customer_id is not None and order.customer_id and customer_id != order.customer_id:
            return NotFound(query, "verification_failed")
        if refused := self._not_theirs(query, order, asker):
            return refused
        return OrderFact(
            number=order.number,
            status=order.status,
            placed_at=order.placed_at,
            carrier=order.carrier,
            tracking=order.tracking,
            tracking_url=order.tracking_url,
            shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
            total_minor=order.total_minor,
            currency=order.currency,
            sources=(self._source(order),),
        )

    def policy(
        self,
        kind: PolicyKind,
        order_number: str | None = None,
        at: datetime | None = None,
        *,
        asker: Asker | None = None,
    ) -> PolicyFact | NotFound:
        query = PolicyQuery(kind, order_number, at, asker)
        policy = self._policies.get(kind.value)
        if policy is None:
            return NotFound(query, "unknown_policy")
        deadline: date | None = None
        sources = [self._source(policy)]
        if order_number is not None:
            order = self._orders.get(normalize_order_number(order_number))
            if order is None:
                return NotFound(query, "unknown_order")
            if refused := self._not_theirs(query, order, asker):
                return refused  # a deadline tells when the order was delivered
            sources.append(self._source(order))
            start = order.delivered_at if policy.counted_from == "delivery" else order.placed_at
            if start is not None:
                deadline = start.date() + timedelta(days=policy.days)
        return PolicyFact(
            kind=policy.kind,
            days=policy.days,
            counted_from=policy.counted_from,
            conditions_pl=policy.conditions_pl,
            conditions_en=policy.conditions_en,
            order_number=normalize_order_number(order_number) if order_number else None,
            deadline=deadline,
            sources=tuple(sources),
        )

    # ------------------------------------------------------------ hours

    def hours(self, at: datetime | None = None, location: str = "shop") -> HoursFact | NotFound:
        week_entries = [self._hours.get(f"{location}/{day}") for day in WEEKDAYS]
        present = [e for e in week_entries if e is not None]
        if not present:
            return NotFound(HoursQuery(at, location), "unknown_location")
        tz = ZoneInfo(present[0].timezone)
        local = (at if at is not None else self._clock()).astimezone(tz)
        today = (
            self._hours.get(f"{location}/{local.date().isoformat()}")
            or week_entries[local.weekday()]
        )
        opens = today.opens if today else ""
        closes = today.closes if today else ""
        now_hm = local.strftime("%H:%M")
        week = tuple(
            (day, e.opens if e else "", e.closes if e else "")
            for day, e in zip(WEEKDAYS, week_entries, strict=True)
        )
        sources = [self._source(e) for e in present]
        if today is not None and today not in present:
            sources.append(self._source(today))
        return HoursFact(
            location=location,
            is_open=bool(opens) and opens <= now_hm < closes,
            today_opens=opens,
            today_closes=closes,
            timezone=present[0].timezone,
            week=week,
            sources=tuple(sources),
        )

    # ------------------------------------------------------------ search

    def faq(self, text: str, lang: str = "en") -> FaqFact | NotFound:
        words = set(content_stems(text))
        best: tuple[float, FaqArticle, float] | None = None
        for article, article_words in self._faq_index:
            if not words:
                break
            # Share of the question's words found; a focused article wins a tie.
            score = len(words & article_words) / len(words)
            tie = len(words & article_words) / (len(article_words) + 1)
            if best is None or (score, tie) > (best[0], best[2]):
                best = (score, article, tie)
        if best is None or best[0] < _FAQ_MIN_SCORE:
            return NotFound(FaqQuery(text, lang), "no_article")
        score, article, _ = best
        return FaqFact(
            article_id=article.id,
            question_pl=article.question_pl,
            question_en=article.question_en,
            answer_pl=article.answer_pl,
            answer_en=article.answer_en,
            score=round(score, 3),
            sources=(self._source(article),),
        )

    def find_product(self, text: str) -> ProductFact | NotFound:
        """Exact SKU first; else the variant the words name (`products.py`): never a
        neighbour presented as the one asked for."""
        variant = self._variants.get(text.strip()) or self._variants.get(text.strip().upper())
        if variant is not None:
            return self._product_fact(variant, 1.0)
        match = self._product_index.match(text)
        if match.sku is None:
            return NotFound(
                ProductQuery(text),
                match.reason,
                options=tuple(self._product_fact(self._variants[s], 0.0) for s in match.options),
                missing=match.missing,
            )
        return self._product_fact(self._variants[match.sku], match.score)

    def _product_fact(self, variant: Variant, score: float) -> ProductFact:
        product = self._products.get(variant.product_id)
        sources = [self._source(variant)] + ([self._source(product)] if product else [])
        return ProductFact(
            sku=variant.sku,
            product_id=variant.product_id,
            name_pl=product.name_pl if product else variant.sku,
            name_en=product.name_en if product else variant.sku,
            attributes=tuple(sorted(variant.attributes.items())),
            score=round(score, 3),
            sources=tuple(sources),
        )
