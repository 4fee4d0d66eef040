"""A customer's consents per channel and purpose, shown and edited in the Customer 360 panel."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.domain import Agent, AgentRole
from omnicenter.services.consents import (
    ConsentChange,
    ConsentError,
    list_consents,
    set_consents,
)

__all__ = ["router"]

router = APIRouter(tags=["customers"])
Writer = Annotated[Agent, Depends(require(AgentRole.AGENT, AgentRole.SUPERVISOR))]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal[
        "email", "sms", "voice", "webchat", "messenger", "whatsapp", "instagram", "telegram"
    ]
    purpose: Literal["marketing", "service", "surveys"]
    granted: bool
    source: str = Field(default="agent", min_length=1, max_length=80)


class ConsentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    consents: list[ConsentIn] = Field(min_length=1, max_length=50)


@router.get("/customers/{customer_id}/consents", summary="A customer's consents")
async def get_consents(
    customer_id: str, services: ServicesDep, _: CurrentAgent
) -> list[dict[str, Any]]:
    try:
        return await services.runtime.read(list_consents, customer_id)
    except ConsentError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.put("/customers/{customer_id}/consents", summary="Record consents (audited)")
async def put_consents(
    customer_id: str, body: ConsentsIn, services: ServicesDep, agent: Writer
) -> list[dict[str, Any]]:
    changes = [ConsentChange(c.channel, c.purpose, c.granted, c.source) for c in body.consents]
    try:
        return await services.runtime.write(set_consents, agent, customer_id, changes)
    except ConsentError as exc:
        raise HTTPException(404, str(exc)) from exc
