"""Routing: answer offers, finish work, watch queues, explain decisions, change the rules."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.bootstrap import Services
from omnicenter.domain import Agent, AgentRole, Channel
from omnicenter.live.router import LiveRouter
from omnicenter.live.routing_config import save_routing_config
from omnicenter.live.work import OfferError
from omnicenter.routing import ConfigError, RoutingConfig, UnknownTask

router = APIRouter(tags=["routing"])
Supervisor = Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))]


def _router(services: Services) -> LiveRouter:
    if services.router is None:
        raise HTTPException(409, "routing is switched off (OMNICENTER_ROUTING_ENABLED=false)")
    return services.router


@router.post("/offers/{task_id}/accept", summary="Accept a task offered to you")
async def accept(task_id: str, services: ServicesDep, agent: CurrentAgent) -> dict[str, Any]:
    try:
        _router(services).accept(task_id, agent.id)
    except OfferError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"task_id": task_id, "accepted": True}


@router.post("/offers/{task_id}/reject", summary="Decline a task offered to you")
async def reject(task_id: str, services: ServicesDep, agent: CurrentAgent) -> dict[str, Any]:
    try:
        _router(services).reject(task_id, agent.id)
    except OfferError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"task_id": task_id, "rejected": True}


@router.post("/tasks/{task_id}/complete", summary="Finish a task (starts wrap-up)")
async def complete(task_id: str, services: ServicesDep, agent: CurrentAgent) -> dict[str, Any]:
    live = _router(services)
    task = live.task_for(task_id)
    if task is None:
        raise HTTPException(404, "unknown or finished task")
    if task.agent_id != agent.id and agent.role not in (AgentRole.SUPERVISOR, AgentRole.ADMIN):
        raise HTTPException(403, "this task is someone else's")
    live.complete(task_id)
    return {"task_id": task_id, "completed": True}


def _jsonable(value: object) -> object:
    if isinstance(value, Channel):
        return value.value
    if isinstance(value, dict):
        return {str(_jsonable(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


@router.get("/routing/snapshot", summary="Queues and agents, live (supervisor)")
async def snapshot(services: ServicesDep, _: Supervisor) -> dict[str, Any]:
    live = _router(services)
    snap = live.engine.snapshot(live.now())
    return {
        "at": snap.at,
        "queues": [_jsonable(asdict(q)) for q in snap.queues],
        "agents": [_jsonable(asdict(a)) for a in snap.agents],
    }


@router.get("/routing/tasks/{task_id}/explain", summary="Why routing did what it did")
async def explain(task_id: str, services: ServicesDep, _: Supervisor) -> dict[str, Any]:
    try:
        return {"task_id": task_id, "explanation": _router(services).engine.explain(task_id)}
    except UnknownTask as exc:
        raise HTTPException(404, "unknown task") from exc


@router.get("/routing/estimated-wait", summary="Estimated wait of a queue and channel")
async def estimated_wait(
    queue: str, channel: Channel, services: ServicesDep, _: CurrentAgent
) -> dict[str, Any]:
    live = _router(services)
    if queue not in live.engine.config.queues:
        raise HTTPException(404, f"unknown queue {queue!r}")
    return {
        "queue": queue,
        "channel": channel.value,
        "seconds": live.engine.estimated_wait(queue, channel, live.now()),
    }


@router.put("/routing/config", summary="Replace the routing rules; applies at once (admin)")
async def put_config(
    services: ServicesDep,
    admin: Annotated[Agent, Depends(require(AgentRole.ADMIN))],
    config: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    live = _router(services)
    try:
        RoutingConfig.from_dict(config)
        live.reconfigure(config)
    except ConfigError as exc:
        raise HTTPException(422, str(exc)) from exc
    save_routing_config(services.settings.data_dir, config)
    return {"queues": sorted(live.engine.config.queues), "applied_by": admin.username}
