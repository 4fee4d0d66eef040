"""Agents: accounts and presence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.api.schemas import AgentIn, PresenceIn
from omnicenter.domain import Agent, AgentRole
from omnicenter.services import queries
from omnicenter.services.agents import AgentError, NewAgent, create_agent, set_presence

router = APIRouter(tags=["agents"])


@router.get("/agents", summary="All agents with their presence")
async def list_agents(services: ServicesDep, _: CurrentAgent) -> list[dict[str, Any]]:
    return await services.runtime.read(queries.list_agents)


@router.post("/agents", status_code=201, summary="Create an agent (admin)")
async def add_agent(
    body: AgentIn,
    services: ServicesDep,
    admin: Annotated[Agent, Depends(require(AgentRole.ADMIN))],
) -> dict[str, Any]:
    new = NewAgent(
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
        team=body.team,
        skills=body.skills,
        channels=tuple(body.channels),
        capacity=body.capacity,
        max_total=body.max_total,
    )
    try:
        agent = await services.runtime.write(create_agent, new, actor=admin.username)
    except AgentError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"id": agent.id, "username": agent.username, "role": agent.role.value}


@router.put("/agents/{agent_id}/presence", summary="Set presence (own, or any as supervisor)")
async def put_presence(
    agent_id: str, body: PresenceIn, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    if agent_id == "me":
        agent_id = agent.id
    if agent_id != agent.id and agent.role not in (AgentRole.SUPERVISOR, AgentRole.ADMIN):
        raise HTTPException(403, "only a supervisor can change another agent's presence")
    try:
        updated = await services.runtime.write(
            set_presence, agent_id, body.presence, body.reason, actor=agent.username
        )
    except AgentError as exc:
        raise HTTPException(404, str(exc)) from exc
    return {"id": updated.id, "presence": updated.presence.value, "reason": updated.presence_reason}
