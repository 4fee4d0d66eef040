"""Request dependencies: the wired services, the authenticated agent or chat visitor, role
checks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from omnicenter.bootstrap import Services
from omnicenter.channels.webchat import verify_visitor
from omnicenter.domain import Agent, AgentRole
from omnicenter.services.agents import agent_for_token
from omnicenter.services.uow import utcnow

__all__ = [
    "CurrentAgent",
    "ServicesDep",
    "VisitorId",
    "authenticate",
    "get_services",
    "require",
    "visitor_from_authorization",
]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def authenticate(services: Services, token: str | None) -> Agent | None:
    if not token:
        return None
    return await services.runtime.read(agent_for_token, token, utcnow())


async def current_agent(
    services: ServicesDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Agent:
    agent = await authenticate(services, creds.credentials if creds else None)
    if agent is None:
        raise HTTPException(401, "missing or invalid token", headers={"WWW-Authenticate": "Bearer"})
    return agent


CurrentAgent = Annotated[Agent, Depends(current_agent)]


def require(*roles: AgentRole) -> Callable[..., Coroutine[Any, Any, Agent]]:
    """A dependency that lets only these roles through (admin always passes)."""

    async def check(agent: CurrentAgent) -> Agent:
        if agent.role is not AgentRole.ADMIN and agent.role not in roles:
            raise HTTPException(403, f"this needs the role: {', '.join(r.value for r in roles)}")
        return agent

    return check


def ws_token(websocket: WebSocket) -> str | None:
    """Browsers cannot set headers on a WebSocket: the token comes as a query parameter."""
    token = websocket.query_params.get("token")
    if token:
        return token
    auth = websocket.headers.get("authorization", "")
    return auth[7:] if auth.lower().startswith("bearer ") else None


def visitor_from_authorization(services: Services, authorization: str | None) -> str:
    """The chat visitor of a `Bearer <visitor token>` header (signed by us), or 401."""
    token = authorization[7:] if authorization and authorization[:7].lower() == "bearer " else None
    visitor = verify_visitor(services.secret, token) if token else None
    if visitor is None:
        raise HTTPException(401, "missing or invalid visitor token")
    return visitor


async def current_visitor(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> str:
    """As a dependency the visitor token is checked before the body is read or validated."""
    return visitor_from_authorization(services, authorization)


VisitorId = Annotated[str, Depends(current_visitor)]
