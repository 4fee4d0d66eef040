"""Live push over WebSockets: agents' event queues (with resume) and the visitor chat socket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect

from omnicenter.api.deps import CurrentAgent, ServicesDep, authenticate, ws_token
from omnicenter.api.routes.channels import handle_visitor_message
from omnicenter.bootstrap import Services
from omnicenter.bus.queues import ClientQueue, QueueExpired
from omnicenter.channels.webchat import verify_visitor

router = APIRouter(tags=["live"])
log = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_RELOAD = 4000


def _for(agent_id: str) -> Callable[[dict[str, Any]], bool]:
    """Everything but offers and assignments meant for another agent."""

    def accepts(payload: dict[str, Any]) -> bool:
        target = payload.get("to_agent")
        return target is None or target == agent_id

    return accepts


@router.post("/events/register", summary="Register an event queue; then connect to /events/ws")
async def register(services: ServicesDep, agent: CurrentAgent) -> dict[str, Any]:
    queue = services.queues.register(agent.id, _for(agent.id))
    return {"queue_id": queue.id, "last_event_id": 0}


@router.websocket("/events/ws")
async def agent_events(websocket: WebSocket) -> None:
    """Query: token, and queue_id + last_event_id to resume. Client sends {"ack": n}."""
    services: Services = websocket.app.state.services
    agent = await authenticate(services, ws_token(websocket))
    if agent is None:
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="missing or invalid token")
        return
    await websocket.accept()
    queue_id = websocket.query_params.get("queue_id")
    try:
        last = int(websocket.query_params.get("last_event_id", "0"))
    except ValueError:
        last = 0
    try:
        if queue_id:
            queue = services.queues.get(queue_id, agent.id)
            missed = queue.since(last)
        else:
            queue = services.queues.register(agent.id, _for(agent.id))
            missed = []
    except QueueExpired:
        await websocket.send_json({"type": "reload", "reason": "event queue expired"})
        await websocket.close(code=CLOSE_RELOAD)
        return
    await websocket.send_json({"type": "hello", "queue_id": queue.id, "agent_id": agent.id})
    for event in missed:
        await websocket.send_json(event)
        last = event["id"]
    await _pump(websocket, queue, last)


async def _pump(websocket: WebSocket, queue: ClientQueue, last: int) -> None:
    wake = asyncio.Event()
    queue.waiters.append(wake)
    wake.set()  # anything pushed while we were sending the backlog goes out at once

    async def reader() -> None:
        while True:
            msg = await websocket.receive_text()
            with contextlib.suppress(ValueError, TypeError, KeyError):
                queue.ack(int(json.loads(msg)["ack"]))

    read_task = asyncio.create_task(reader())
    try:
        while not read_task.done():
            waiter = asyncio.create_task(wake.wait())
            done, _ = await asyncio.wait({waiter, read_task}, return_when=asyncio.FIRST_COMPLETED)
            if waiter not in done:
                waiter.cancel()
                break
            wake.clear()
            try:
                pending = queue.since(last)
            except QueueExpired:
                await websocket.send_json({"type": "reload", "reason": "fell too far behind"})
                await websocket.close(code=CLOSE_RELOAD)
                break
            for event in pending:
                await websocket.send_json(event)
                last = event["id"]
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        queue.waiters.remove(wake)
        read_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await read_task


@router.websocket("/webchat/ws")
async def visitor_socket(websocket: WebSocket) -> None:
    """The widget's socket. Visitor sends {"type": "message", "text", "client_id"}."""
    services: Services = websocket.app.state.services
    token = websocket.query_params.get("token")
    visitor_id = verify_visitor(services.secret, token) if token else None
    if visitor_id is None:
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="missing or invalid visitor token")
        return
    await websocket.accept()

    async def send(payload: dict[str, Any]) -> None:
        await websocket.send_json(payload)

    services.visitors.attach(visitor_id, send)
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                payload = json.loads(raw)
                if not isinstance(payload, dict):
                    raise ValueError("expected a JSON object")
            except ValueError as exc:
                await websocket.send_json({"type": "error", "detail": f"malformed message: {exc}"})
                continue
            if payload.get("type") == "typing":
                continue
            try:
                result = await handle_visitor_message(services, visitor_id, payload)
            except HTTPException as exc:
                await websocket.send_json(
                    {"type": "error", "detail": exc.detail, "client_id": payload.get("client_id")}
                )
                continue
            await websocket.send_json(
                {"type": "ack", "client_id": payload.get("client_id"), **result}
            )
    except WebSocketDisconnect:
        pass
    finally:
        services.visitors.detach(visitor_id, send)
