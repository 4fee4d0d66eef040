"""Proactive engagement: business events from the shop or bank, and the per-rule report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from omnicenter.api.deps import ServicesDep, require
from omnicenter.domain import Agent, AgentRole
from omnicenter.engagement import BusinessEvent, CustomerRef
from omnicenter.services.engagement import EngagementError

__all__ = ["router"]

router = APIRouter(tags=["engagement"])
# API keys are agents' tokens (POST /auth/api-keys): a shop's key belongs to an agent
Sender = Annotated[Agent, Depends(require(AgentRole.AGENT, AgentRole.SUPERVISOR))]
Reader = Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))]


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    lang: str | None = Field(default=None, max_length=10)


class BusinessEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(
        min_length=1, max_length=200, description="The sender's id: sent twice, taken once"
    )
    type: str = Field(min_length=1, max_length=80, examples=["order_delayed"])
    occurred_at: AwareDatetime
    customer: CustomerIn
    fields: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


_NOT_RUNNING = HTTPException(503, "engagement is not running", headers={"Retry-After": "5"})


@router.post("/engagement/events", summary="A business event (idempotent by its id)")
async def post_event(body: BusinessEventIn, services: ServicesDep, _: Sender) -> dict[str, Any]:
    c = body.customer
    event = BusinessEvent(
        id=body.id,
        type=body.type,
        occurred_at=body.occurred_at,
        customer=CustomerRef(c.id, c.email, c.phone, c.name, c.timezone, c.lang),
        fields=body.fields,
    )
    try:
        if services.engagement is None:
            raise _NOT_RUNNING
        outcome = await services.engagement.receive(event)
    except EngagementError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {
        "event_id": outcome.event_id,
        "customer_id": outcome.customer_id,
        "duplicate": outcome.duplicate,
        "decisions": [
            {
                "id": d.id, "rule_id": d.rule_id, "status": d.status, "reason": d.reason,
                "channel": d.channel, "outbox_id": d.outbox_id, "case_id": d.case_id,
                "release_at": _iso(d.release_at),
            }
            for d in outcome.decisions
        ],
    }  # fmt: skip


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


@router.get("/engagement/report", summary="Per rule: sent, delivered, replied, converted, uplift")
async def report(services: ServicesDep, _: Reader) -> list[dict[str, Any]]:
    if services.engagement is None:
        raise _NOT_RUNNING
    return [s.as_dict() for s in await services.engagement.report()]
