"""Customers, identities, merges and merge suggestions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.api.schemas import CustomerIn, IdentityIn, MergeIn
from omnicenter.domain import Agent, AgentRole
from omnicenter.identity import InvalidAddress
from omnicenter.services import queries
from omnicenter.services.identity import (
    Claim,
    MergeError,
    attach_identity,
    create_customer,
    decide_suggestion,
    merge,
    unmerge,
)

router = APIRouter(tags=["customers"])
InHouse = Annotated[Agent, Depends(require(AgentRole.AGENT, AgentRole.SUPERVISOR))]


@router.get("/customers", summary="Search customers by name or any address")
async def list_customers(
    services: ServicesDep,
    _: InHouse,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[dict[str, Any]]:
    return await services.runtime.read(queries.list_customers, q, limit)


@router.post("/customers", status_code=201, summary="Create a customer with identities")
async def add_customer(body: CustomerIn, services: ServicesDep, agent: InHouse) -> dict[str, Any]:
    claims = [Claim(i.kind, i.address, i.verified) for i in body.identities]
    try:
        cid = await services.runtime.write(
            create_customer,
            body.display_name,
            claims,
            actor=agent.username,
            region=services.settings.default_region,
        )
    except InvalidAddress as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"id": cid}


@router.get("/customers/{customer_id}", summary="A customer's 360 view")
async def get_customer(
    customer_id: str, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    found = await services.runtime.read(queries.customer_detail, customer_id, agent)
    if found is None:
        raise HTTPException(404, "unknown customer")
    return found


@router.get("/customers/{customer_id}/timeline", summary="Every event on every channel")
async def customer_timeline(
    customer_id: str,
    services: ServicesDep,
    agent: CurrentAgent,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    return await services.runtime.read(
        queries.timeline, customer_id=customer_id, after=after, limit=limit, viewer=agent
    )


@router.post("/customers/{customer_id}/identities", status_code=201, summary="Add an address")
async def add_identity(
    customer_id: str, body: IdentityIn, services: ServicesDep, agent: InHouse
) -> dict[str, Any]:
    try:
        result = await services.runtime.write(
            attach_identity,
            customer_id,
            Claim(body.kind, body.address, body.verified),
            actor=agent.username,
            region=services.settings.default_region,
        )
    except InvalidAddress as exc:
        raise HTTPException(422, str(exc)) from exc
    except MergeError as exc:
        raise HTTPException(404, str(exc)) from exc
    return result


@router.post("/merges", status_code=201, summary="Merge two customers (reversible)")
async def post_merge(body: MergeIn, services: ServicesDep, agent: InHouse) -> dict[str, Any]:
    try:
        mid = await services.runtime.write(
            merge, body.source_id, body.target_id, actor=agent.username, reason=body.reason
        )
    except MergeError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"merge_id": mid}


@router.post("/merges/{merge_id}/undo", summary="Undo a merge: both customers come back")
async def undo_merge(merge_id: str, services: ServicesDep, agent: InHouse) -> dict[str, Any]:
    try:
        await services.runtime.write(unmerge, merge_id, actor=agent.username)
    except MergeError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"merge_id": merge_id, "undone": True}


@router.get("/merge-suggestions", summary="Probable duplicates for an agent to confirm")
async def suggestions(
    services: ServicesDep, _: InHouse, customer_id: str | None = None
) -> list[dict[str, Any]]:
    return await services.runtime.read(queries.list_merge_suggestions, customer_id=customer_id)


@router.post("/merge-suggestions/{suggestion_id}/{decision}", summary="Accept or reject")
async def decide(
    suggestion_id: str, decision: str, services: ServicesDep, agent: InHouse
) -> dict[str, Any]:
    if decision not in ("accept", "reject"):
        raise HTTPException(404, "decision must be accept or reject")
    try:
        mid = await services.runtime.write(
            decide_suggestion, suggestion_id, accept=decision == "accept", actor=agent.username
        )
    except MergeError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"suggestion_id": suggestion_id, "decision": decision, "merge_id": mid}
