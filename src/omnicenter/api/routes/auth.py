"""Login and API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.api.schemas import LoginIn, TokenIn
from omnicenter.domain import Agent, AgentRole
from omnicenter.services.agents import AgentError, issue_token, login

router = APIRouter(tags=["auth"])


@router.post("/auth/token", summary="Log in with username and password; returns a bearer token")
async def token(body: LoginIn, services: ServicesDep) -> dict[str, Any]:
    result = await services.runtime.write(login, body.username, body.password)
    if result is None:
        raise HTTPException(401, "wrong username or password")
    agent, tok = result
    return {"token": tok, "agent_id": agent.id, "role": agent.role.value}


@router.post("/auth/api-keys", summary="Create a long-lived API key (admin)")
async def api_key(
    body: TokenIn,
    services: ServicesDep,
    admin: Annotated[Agent, Depends(require(AgentRole.ADMIN))],
) -> dict[str, Any]:
    owner = body.agent_id or admin.id
    try:
        tok = await services.runtime.write(issue_token, owner, body.name)
    except AgentError as exc:
        raise HTTPException(404, str(exc)) from exc
    return {"token": tok, "agent_id": owner, "name": body.name}


@router.get("/me", summary="The authenticated agent")
async def me(agent: CurrentAgent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "username": agent.username,
        "display_name": agent.display_name,
        "role": agent.role.value,
        "team": agent.team,
        "partner": agent.partner,
        "skills": agent.skills,
        "channels": [c.value for c in agent.channels],
        "capacity": agent.capacity,
        "presence": agent.presence.value,
        "presence_reason": agent.presence_reason,
    }
