"""The supervisor wallboard's figures and its actions (reassign); presence uses /agents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict

from omnicenter.api.deps import ServicesDep, require
from omnicenter.api.routes.desktop import reroute
from omnicenter.domain import Agent, AgentRole
from omnicenter.metrics.config import zone
from omnicenter.metrics.kpis import Grain
from omnicenter.services.replies import ReplyError
from omnicenter.services.transfers import transfer_case
from omnicenter.services.uow import utcnow
from omnicenter.services.wallboard import charts as wallboard_charts
from omnicenter.services.wallboard import figures, live_figures

__all__ = ["router"]

router = APIRouter(tags=["supervisor"])
Supervisor = Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))]


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str


@router.get("/supervisor/wallboard", summary="Live figures per channel, agents, service level")
async def wallboard(services: ServicesDep, _: Supervisor) -> dict[str, Any]:
    tz = zone(services.settings.timezone)  # today's KPIs: the center's day, as in GET /kpis
    board = await services.runtime.read(figures, utcnow(), tz)
    if services.router is None:
        return {**board, "source": "database"}
    # Waiting, longest wait and agents' states as the routing engine holds them.
    snap, offered = services.router.wallboard_view()
    return live_figures(board, snap, offered)


@router.get("/supervisor/charts", summary="Today's service level, volume and breaches (KPIs)")
async def charts(
    services: ServicesDep,
    _: Supervisor,
    grain: Annotated[str, Query(pattern=r"^(quarter|hour)$")] = "hour",
) -> dict[str, Any]:
    tz = zone(services.settings.timezone)  # the center's day, as in GET /kpis
    return await services.runtime.read(wallboard_charts, utcnow(), Grain[grain.upper()], None, tz)


@router.post("/supervisor/cases/{case_id}/reassign", status_code=201, summary="Reassign a case")
async def reassign(
    case_id: str, body: ReassignIn, services: ServicesDep, supervisor: Supervisor
) -> dict[str, Any]:
    try:
        event_id = await services.runtime.write(
            transfer_case, supervisor, case_id, to_agent_id=body.agent_id, queue=None
        )
    except ReplyError as exc:
        raise HTTPException(422, str(exc)) from exc
    task_id = await reroute(services, case_id, to_agent_id=body.agent_id, queue=None)
    return {"event_id": event_id, "task_id": task_id}
