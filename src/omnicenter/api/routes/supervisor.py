"""The supervisor wallboard's figures and its actions (reassign); presence uses /agents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict

from omnicenter.api.deps import ServicesDep, require
from omnicenter.domain import Agent, AgentRole
from omnicenter.services import desktop
from omnicenter.services.replies import ReplyError
from omnicenter.services.uow import utcnow

__all__ = ["router"]

router = APIRouter(tags=["supervisor"])
Supervisor = Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))]


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str


@router.get("/supervisor/wallboard", summary="Live figures per channel, agents, service level")
async def wallboard(services: ServicesDep, _: Supervisor) -> dict[str, Any]:
    return await services.runtime.read(desktop.wallboard, utcnow())


@router.post("/supervisor/cases/{case_id}/reassign", status_code=201, summary="Reassign a case")
async def reassign(
    case_id: str, body: ReassignIn, services: ServicesDep, supervisor: Supervisor
) -> dict[str, Any]:
    try:
        event_id = await services.runtime.write(
            desktop.transfer_case, supervisor, case_id, to_agent_id=body.agent_id, queue=None
        )
    except ReplyError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"event_id": event_id}
