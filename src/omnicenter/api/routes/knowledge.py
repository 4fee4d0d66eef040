"""The single source of truth for agents: what the bot tells customers, asked for the customer
in view, each answer with its source and version; and the answer audit.

Agents read as the business (no asker): an order's details are theirs to see. What they tell
the customer from here goes into the reply with `facts`, so the audit covers agents too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.domain import Agent, AgentRole
from omnicenter.flows.answers import fact_record, fact_vars, not_found_vars
from omnicenter.knowledge import KnowledgeService
from omnicenter.knowledge.facts import (
    FaqQuery,
    HoursQuery,
    NotFound,
    OrderQuery,
    PolicyQuery,
    PriceQuery,
    ProductQuery,
    StockQuery,
)
from omnicenter.knowledge.facts import (
    Query as KnowledgeQuery,
)
from omnicenter.knowledge.records import PolicyKind
from omnicenter.services.answer_audit import answer_audit

router = APIRouter(tags=["knowledge"])

Lang = Annotated[str, Query(pattern=r"^(pl|en)$")]


def _knowledge(services: ServicesDep) -> KnowledgeService:
    found = services.knowledge or (services.bot.knowledge if services.bot else None)
    if found is None:
        raise HTTPException(404, "no knowledge loaded (OMNICENTER_BOT_ENABLED or a shop)")
    return found


KnowledgeDep = Annotated[KnowledgeService, Depends(_knowledge)]


def _answer(knowledge: KnowledgeService, query: KnowledgeQuery, lang: str) -> dict[str, Any]:
    """The fact as the panel shows it (`summary`, in the customer's language) and as a reply
    records it (`fact`: key, value, sources, revision); or why there is none."""
    result = knowledge.ask(query)
    if isinstance(result, NotFound):
        missing = not_found_vars(result, lang)
        return {"found": False, "reason": result.reason, "summary": missing.get("summary", "")}
    return {
        "found": True,
        "summary": str(fact_vars(result, lang).get("summary", "")),
        "fact": fact_record(result),
    }


@router.get("/knowledge/price", summary="A price for a customer now, with discounts")
async def price(
    knowledge: KnowledgeDep,
    _: CurrentAgent,
    sku: Annotated[str, Query(min_length=1, max_length=80)],
    customer_id: Annotated[str | None, Query(max_length=80)] = None,
    lang: Lang = "pl",
) -> dict[str, Any]:
    return _answer(knowledge, PriceQuery(sku, customer_id=customer_id), lang)


@router.get("/knowledge/stock", summary="Stock of a product variant")
async def stock(
    knowledge: KnowledgeDep,
    _: CurrentAgent,
    sku: Annotated[str, Query(min_length=1, max_length=80)],
    lang: Lang = "pl",
) -> dict[str, Any]:
    return _answer(knowledge, StockQuery(sku), lang)


@router.get("/knowledge/products", summary="Find a product by words or SKU")
async def product(
    knowledge: KnowledgeDep,
    _: CurrentAgent,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    lang: Lang = "pl",
) -> dict[str, Any]:
    return _answer(knowledge, ProductQuery(q), lang)


@router.get("/knowledge/orders/{number}", summary="An order's status and tracking")
async def order(
    number: str, knowledge: KnowledgeDep, _: CurrentAgent, lang: Lang = "pl"
) -> dict[str, Any]:
    return _answer(knowledge, OrderQuery(number), lang)


@router.get("/knowledge/returns/{order_number}", summary="An order's return deadline")
async def return_deadline(
    order_number: str, knowledge: KnowledgeDep, _: CurrentAgent, lang: Lang = "pl"
) -> dict[str, Any]:
    return _answer(knowledge, PolicyQuery(PolicyKind.RETURN, order_number=order_number), lang)


@router.get("/knowledge/hours", summary="Opening hours, and whether open now")
async def hours(knowledge: KnowledgeDep, _: CurrentAgent, lang: Lang = "pl") -> dict[str, Any]:
    return _answer(knowledge, HoursQuery(), lang)


@router.get("/knowledge/faq", summary="The FAQ answer to a question")
async def faq(
    knowledge: KnowledgeDep,
    _: CurrentAgent,
    q: Annotated[str, Query(min_length=1, max_length=400)],
    lang: Lang = "pl",
) -> dict[str, Any]:
    return _answer(knowledge, FaqQuery(q, lang), lang)


@router.get(
    "/knowledge/audit",
    summary="Customers told different facts on different channels (supervisor)",
)
async def audit(
    services: ServicesDep,
    _: Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))],
    hours: Annotated[float, Query(gt=0, le=24 * 90)] = 24.0,
    window_minutes: Annotated[float, Query(gt=0, le=24 * 60)] = 60.0,
) -> list[dict[str, Any]]:
    since = datetime.now(UTC) - timedelta(hours=hours)
    found = await services.runtime.read(answer_audit, since, timedelta(minutes=window_minutes))
    return [
        {
            "customer_id": i.customer_id,
            "key": i.key,
            "explained_by_update": i.explained_by_update,
            "description": i.describe(),
            "told": [
                {
                    "channel": told.channel,
                    "value": told.value,
                    "at": told.told_at.isoformat(),
                    "revision": told.revision,
                }
                for told in (i.first, i.second)
            ],
        }
        for i in found
    ]
