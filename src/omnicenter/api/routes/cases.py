"""Cases, their timelines, replies (same or another channel), notes, the outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.api.schemas import CaseMessageIn, CasePatch, MessageIn, NoteIn
from omnicenter.bootstrap import Services
from omnicenter.domain import Agent, AgentRole
from omnicenter.services import queries
from omnicenter.services.case_moves import (
    CaseMoveError,
    Moved,
    move_interaction,
    split_interaction,
)
from omnicenter.services.replies import (
    ReplyError,
    ReplyResult,
    add_note,
    reply,
    reply_on_channel,
    update_case,
)

router = APIRouter(tags=["cases"])


def _out(r: ReplyResult) -> dict[str, Any]:
    return {
        "event_id": r.event_id,
        "outbox_id": r.outbox_id,
        "interaction_id": r.interaction_id,
        "case_id": r.case_id,
        "channel": r.channel.value,
    }


@router.get("/cases", summary="Cases, newest activity first (default: open ones)")
async def list_cases(
    services: ServicesDep,
    agent: CurrentAgent,
    status: Annotated[str, Query(pattern=r"^(open|all|new|pending|resolved|closed)$")] = "open",
    customer_id: str | None = None,
    mine: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    return await services.runtime.read(
        queries.list_cases,
        status=status,
        customer_id=customer_id,
        owner=agent.id if mine else None,
        limit=limit,
    )


@router.get("/cases/{case_id}", summary="A case with its interactions")
async def get_case(case_id: str, services: ServicesDep, _: CurrentAgent) -> dict[str, Any]:
    found = await services.runtime.read(queries.case_detail, case_id)
    if found is None:
        raise HTTPException(404, "unknown case")
    return found


@router.patch("/cases/{case_id}", summary="Change status, priority, owner or subject")
async def patch_case(
    case_id: str, body: CasePatch, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    try:
        await services.runtime.write(
            update_case,
            agent,
            case_id,
            status=body.status,
            priority=body.priority,
            owner_agent_id=body.owner_agent_id,
            subject=body.subject,
        )
    except ReplyError as exc:
        raise HTTPException(404, str(exc)) from exc
    found = await services.runtime.read(queries.case_detail, case_id)
    assert found is not None
    return found


@router.get("/cases/{case_id}/timeline", summary="The events of one case, all channels")
async def case_timeline(
    case_id: str,
    services: ServicesDep,
    agent: CurrentAgent,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    return await services.runtime.read(queries.timeline, case_id=case_id, limit=limit, viewer=agent)


async def _send(
    services: Services, fn: Callable[..., ReplyResult], *args: object, **kwargs: object
) -> dict[str, Any]:
    try:
        result: ReplyResult = await services.runtime.write(fn, *args, **kwargs)
    except ReplyError as exc:
        raise HTTPException(422, str(exc)) from exc
    services.dispatcher.kick(result.outbox_id)
    return _out(result)


@router.get("/interactions/{interaction_id}", summary="An interaction with its events")
async def get_interaction(
    interaction_id: str, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    found = await services.runtime.read(queries.interaction_detail, interaction_id, agent)
    if found is None:
        raise HTTPException(404, "unknown interaction")
    return found


class MoveIn(BaseModel):
    case_id: str = Field(min_length=1, max_length=80)


def _moved(m: Moved) -> dict[str, str]:
    return {
        "interaction_id": m.interaction_id,
        "from_case_id": m.from_case_id,
        "case_id": m.to_case_id,
    }


async def _move(services: Services, fn: Callable[..., Moved], *args: object) -> dict[str, str]:
    try:
        moved: Moved = await services.runtime.write(fn, *args)
    except CaseMoveError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return _moved(moved)


@router.post(
    "/interactions/{interaction_id}/split",
    summary="Split a contact off into a case of its own (the case's agent or a supervisor)",
    responses={403: {"description": "not your case"}, 409: {"description": "nothing to split"}},
)
async def split(interaction_id: str, services: ServicesDep, agent: CurrentAgent) -> dict[str, str]:
    return await _move(services, split_interaction, agent, interaction_id)


@router.post(
    "/interactions/{interaction_id}/move",
    summary="Move a contact to another open case of the same customer",
    responses={403: {"description": "not your case"}, 409: {"description": "not possible"}},
)
async def move(
    interaction_id: str, body: MoveIn, services: ServicesDep, agent: CurrentAgent
) -> dict[str, str]:
    return await _move(services, move_interaction, agent, interaction_id, body.case_id)


@router.post(
    "/interactions/{interaction_id}/messages",
    status_code=201,
    summary="Reply in the channel of this interaction",
)
async def post_interaction_message(
    interaction_id: str,
    body: MessageIn,
    services: ServicesDep,
    agent: CurrentAgent,
) -> dict[str, Any]:
    return await _send(
        services,
        reply,
        agent,
        interaction_id,
        body.body,
        sender=services.sender,
        subject=body.subject,
        facts=[f.model_dump() for f in body.facts],
    )


@router.post(
    "/cases/{case_id}/messages",
    status_code=201,
    summary="Write to the customer on a channel of your choice (e.g. answer a chat by email)",
)
async def post_case_message(
    case_id: str, body: CaseMessageIn, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    return await _send(
        services,
        reply_on_channel,
        agent,
        case_id,
        body.channel,
        body.body,
        to=body.to,
        sender=services.sender,
        subject=body.subject,
        facts=[f.model_dump() for f in body.facts],
    )


@router.post("/cases/{case_id}/notes", status_code=201, summary="An internal note")
async def post_note(
    case_id: str, body: NoteIn, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    try:
        event_id = await services.runtime.write(add_note, agent, case_id, body.body)
    except ReplyError as exc:
        raise HTTPException(404, str(exc)) from exc
    return {"event_id": event_id}


@router.get("/outbox", summary="Outgoing messages and their delivery state (supervisor)")
async def outbox(
    services: ServicesDep,
    _: Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))],
    channel: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    return await services.runtime.read(
        queries.list_outbox, channel=channel, status=status, limit=limit
    )
