"""What the agent desktop and the chat widget need beyond the core API.

Canned responses, wrap-up, transfer, the typing indicator relay, file uploads with limits,
the visitor's rating and the transcript by email.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from omnicenter.api.deps import CurrentAgent, ServicesDep, VisitorId
from omnicenter.api.routes.channels import handle_visitor_message
from omnicenter.bootstrap import Services
from omnicenter.bus.events import TypingIndicator
from omnicenter.domain import CaseStatus, Channel
from omnicenter.domain.ids import new_id
from omnicenter.live.work import OfferError
from omnicenter.services import attachments, transfers, webchat
from omnicenter.services.canned_responses import CANNED_RESPONSES
from omnicenter.services.chat_wait import chat_wait, estimate_from_database
from omnicenter.services.csat import record_csat
from omnicenter.services.replies import ReplyError
from omnicenter.services.transcripts import email_transcript
from omnicenter.services.uow import utcnow
from omnicenter.services.wrap_up import DISPOSITIONS, wrap_up

__all__ = ["reroute", "router"]

router = APIRouter(tags=["desktop"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WrapUpIn(_In):
    disposition: str = Field(max_length=60)
    status: CaseStatus = CaseStatus.RESOLVED
    callback_at: datetime | None = None
    note: str | None = Field(default=None, max_length=2000)


class TransferIn(_In):
    to_agent_id: str | None = None
    queue: str | None = Field(default=None, max_length=80)


class CsatIn(_In):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)


class TranscriptIn(_In):
    email: str = Field(min_length=3, max_length=320)


@router.get(
    "/desktop/canned-responses", summary="Canned responses; {variables} filled by the desktop"
)
async def canned(_: CurrentAgent) -> list[dict[str, str]]:
    return list(CANNED_RESPONSES)


@router.get("/desktop/dispositions", summary="Wrap-up disposition codes")
async def dispositions(_: CurrentAgent) -> list[str]:
    return list(DISPOSITIONS)


@router.post("/cases/{case_id}/wrap-up", status_code=201, summary="Disposition, status, callback")
async def post_wrap_up(
    case_id: str, body: WrapUpIn, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    try:
        event_id = await services.runtime.write(
            wrap_up, agent, case_id, body.disposition, body.status,
            callback_at=body.callback_at, note=body.note,
        )  # fmt: skip
    except ReplyError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"event_id": event_id}


@router.post("/cases/{case_id}/transfer", status_code=201, summary="To an agent or a queue")
async def post_transfer(
    case_id: str, body: TransferIn, services: ServicesDep, agent: CurrentAgent
) -> dict[str, Any]:
    if body.queue is not None and services.router is not None:
        try:
            services.router.check_transfer(case_id, body.queue)
        except OfferError as exc:
            raise HTTPException(422, str(exc)) from exc
    try:
        event_id = await services.runtime.write(
            transfers.transfer_case, agent, case_id, to_agent_id=body.to_agent_id, queue=body.queue
        )
    except ReplyError as exc:
        raise HTTPException(422, str(exc)) from exc
    task_id = await reroute(services, case_id, to_agent_id=body.to_agent_id, queue=body.queue)
    return {"event_id": event_id, "task_id": task_id}


async def _read_upload(file: UploadFile, *, named: bool = False) -> tuple[str, str, bytes]:
    """An uploaded file within the limits, read no further than one byte past the size
    limit: 413 when larger, 415 for a refused type (`named`: say which file)."""
    data = await file.read(attachments.ATTACHMENT_MAX_BYTES + 1)
    name, ctype = file.filename or "file", file.content_type or "application/octet-stream"
    which = f"{name}: " if named else ""
    if len(data) > attachments.ATTACHMENT_MAX_BYTES:
        raise HTTPException(
            413, f"{which}file too large: the limit is {attachments.ATTACHMENT_MAX_BYTES} bytes"
        )
    if ctype not in attachments.ATTACHMENT_TYPES:
        raise HTTPException(415, f"{which}file type {ctype!r} is not accepted")
    return name, ctype, data


async def reroute(
    services: Services, case_id: str, *, to_agent_id: str | None, queue: str | None
) -> str | None:
    """After a recorded transfer, the live task goes where the case went (routing on)."""
    if services.router is None:
        return None
    try:
        return await services.router.transfer(case_id, to_agent_id=to_agent_id, queue=queue)
    except OfferError as exc:  # recorded, but routing cannot move it (e.g. channel not served)
        raise HTTPException(409, f"transfer recorded; routing refused it: {exc}") from exc


@router.get("/desktop/queues", summary="Queues a case can be transferred to")
async def queues(services: ServicesDep, _: CurrentAgent) -> list[str]:
    if services.router is None:
        return list(transfers.DEFAULT_QUEUES)
    return services.router.queues()


@router.post(
    "/cases/{case_id}/replies",
    status_code=201,
    summary="Reply with files (multipart: channel, body, file...); email only, limits apply",
)
async def post_reply_with_files(
    case_id: str,
    services: ServicesDep,
    agent: CurrentAgent,
    file: Annotated[list[UploadFile], File()],
    channel: Annotated[Channel, Form()] = Channel.EMAIL,
    body: Annotated[str, Form(min_length=1, max_length=100_000)] = "",
) -> dict[str, Any]:
    if len(file) > attachments.MAX_FILES_PER_REPLY:
        raise HTTPException(422, f"attach 1 to {attachments.MAX_FILES_PER_REPLY} files")
    files = [await _read_upload(f, named=True) for f in file]
    try:
        result, stored = await services.runtime.write(
            attachments.reply_with_files,
            agent,
            case_id,
            channel,
            body,
            files,
            sender=services.sender,
        )
    except (ReplyError, attachments.AttachmentError) as exc:
        raise HTTPException(422, str(exc)) from exc
    services.dispatcher.kick(result.outbox_id)
    return {
        "event_id": result.event_id,
        "outbox_id": result.outbox_id,
        "interaction_id": result.interaction_id,
        "case_id": result.case_id,
        "channel": result.channel.value,
        "attachments": stored,
    }


@router.post("/interactions/{interaction_id}/typing", status_code=204, summary="Agent is typing")
async def agent_typing(interaction_id: str, services: ServicesDep, _: CurrentAgent) -> Response:
    visitor = await services.runtime.read(webchat.visitor_for_interaction, interaction_id)
    if visitor is not None:
        event = TypingIndicator(interaction_id=interaction_id, author_type="agent")
        await services.visitors.send(visitor, event.model_dump(mode="json"))
    return Response(status_code=204)


@router.get("/attachments/{attachment_id}", summary="Download an attachment")
async def get_attachment(attachment_id: str, services: ServicesDep, _: CurrentAgent) -> Response:
    found = await services.runtime.read(attachments.attachment, attachment_id)
    if found is None:
        raise HTTPException(404, "unknown attachment")
    safe = found.filename.replace('"', "")
    return Response(
        found.data,
        media_type=found.content_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


@router.post("/webchat/typing", status_code=204, summary="Visitor is typing")
async def visitor_typing(services: ServicesDep, visitor: VisitorId) -> Response:
    interaction = await services.runtime.read(webchat.visitor_interaction, visitor)
    if interaction is not None:
        event = TypingIndicator(interaction_id=interaction, author_type="customer")
        services.queues.push(event.model_dump(mode="json"))
    return Response(status_code=204)


@router.post("/webchat/attachments", status_code=201, summary="Visitor uploads a file (limits)")
async def visitor_upload(
    services: ServicesDep,
    visitor: VisitorId,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    name, ctype, data = await _read_upload(file)
    result = await handle_visitor_message(
        services, visitor, {"type": "message", "text": f"📎 {name}", "client_id": new_id("up")}
    )
    try:
        att_id = await services.runtime.write(
            attachments.attach_to_event, result["event_id"], name, ctype, data
        )
    except attachments.AttachmentError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {**result, "attachment_id": att_id, "filename": name}


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=3, max_length=40)


@router.post("/webchat/callback", summary="The visitor would rather be called than wait")
async def visitor_callback(
    services: ServicesDep, visitor: VisitorId, body: CallbackIn
) -> dict[str, Any]:
    """The request goes on the chat as the visitor's message; a waiting chat then keeps its
    place as a callback promise (or a callback is queued now), on the timeline and counted.
    The number joins the customer first (`POST /webchat/sessions` with `phone`)."""
    text = f"Please call me back at {body.phone}."
    sent = await handle_visitor_message(
        services, visitor, {"type": "message", "text": text, "client_id": new_id("cb")}
    )
    interaction_id = await services.runtime.read(webchat.visitor_interaction, visitor)
    if interaction_id is None:
        raise HTTPException(409, "no conversation yet")
    promise = await services.callbacks.instead_of_waiting(
        interaction_id, body.phone, "asked in the chat widget"
    )
    out = {"event_id": sent["event_id"], "text": text, "promise_id": None, "due_at": None}
    if promise is not None:
        out.update(promise_id=promise.promise_id, due_at=promise.due_at.isoformat())
    return out


@router.get("/webchat/wait", summary="Estimated wait and whether to offer a callback or email")
async def estimated_wait(services: ServicesDep, _: VisitorId) -> dict[str, Any]:
    router = services.router
    if router is None:
        wait = await services.runtime.read(estimate_from_database, utcnow())
        return asdict(wait)
    # The routing engine's own estimate for the queue a chat goes to.
    queue = router.engine.config.engine.default_queue or next(iter(router.engine.config.queues))
    ewt = router.engine.estimated_wait(queue, Channel.WEBCHAT, router.now())
    available = sum(
        1 for a in router.engine.snapshot(router.now()).agents if a.state.value == "available"
    )
    return asdict(chat_wait(None if ewt is None else math.ceil(ewt), available))


@router.post("/webchat/csat", status_code=201, summary="The visitor rates the chat (1..5)")
async def visitor_csat(body: CsatIn, services: ServicesDep, visitor: VisitorId) -> dict[str, Any]:
    try:
        event_id = await services.runtime.write(record_csat, visitor, body.score, body.comment)
    except ReplyError as exc:
        raise HTTPException(409, str(exc)) from exc
    return {"event_id": event_id}


@router.post("/webchat/transcript/email", status_code=202, summary="Email the visitor the chat")
async def visitor_transcript_email(
    body: TranscriptIn, services: ServicesDep, visitor: VisitorId
) -> dict[str, Any]:
    try:
        outbox_id = await services.runtime.write(
            email_transcript, visitor, body.email, services.sender,
            services.settings.default_region,
        )  # fmt: skip
    except ReplyError as exc:
        raise HTTPException(409, str(exc)) from exc
    except ValueError as exc:  # an address that does not parse
        raise HTTPException(422, str(exc)) from exc
    services.dispatcher.kick(outbox_id)
    return {"outbox_id": outbox_id}
