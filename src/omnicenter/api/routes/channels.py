"""Inbound channel webhooks (SMS, web forms) and the web chat visitor API."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from omnicenter.api.deps import ServicesDep, VisitorId
from omnicenter.api.schemas import ChatSessionIn
from omnicenter.bootstrap import Services
from omnicenter.channels.errors import ChannelError
from omnicenter.channels.forms import FormSubmission
from omnicenter.channels.sms import verify_signature
from omnicenter.channels.webchat import VisitorMessage, sign_visitor, verify_visitor
from omnicenter.identity import InvalidAddress
from omnicenter.knowledge.connectors import WebhookRejected, receive_webhook
from omnicenter.services.transcripts import chat_transcript
from omnicenter.services.webchat import open_session

router = APIRouter(tags=["channels"])
log = logging.getLogger(__name__)

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@router.post(
    "/channels/sms/twilio",
    summary="Inbound SMS webhook (Twilio format, X-Twilio-Signature checked)",
    response_class=Response,
    responses={200: {"content": {"text/xml": {}}}, 403: {"description": "bad signature"}},
)
async def sms_webhook(
    request: Request,
    services: ServicesDep,
    x_twilio_signature: Annotated[str | None, Header()] = None,
) -> Response:
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("application/x-www-form-urlencoded"):
        raise HTTPException(415, "expected application/x-www-form-urlencoded")
    form = await request.form()
    params = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    s = services.settings
    url = (
        (s.public_base_url.rstrip("/") + request.url.path)
        if s.public_base_url
        else str(request.url)
    )
    token = s.twilio_auth_token.get_secret_value()
    if not verify_signature(token, url, params, x_twilio_signature):
        log.warning("SMS webhook refused: bad signature from %s", request.client)
        raise HTTPException(403, "invalid X-Twilio-Signature")
    try:
        event = services.channels.sms.receive(params, received_at=datetime.now(UTC))
        await services.ingest(event)
    except ChannelError as exc:
        raise HTTPException(exc.status, exc.reason) from exc
    except InvalidAddress as exc:
        raise HTTPException(422, str(exc)) from exc
    return Response(TWIML_EMPTY, media_type="text/xml")


@router.post("/channels/forms/{form_key}", status_code=201, summary="A web form submission")
async def form_submission(
    form_key: str,
    request: Request,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> dict[str, Any]:
    if form_key not in services.settings.form_keys:
        raise HTTPException(403, "unknown form key")
    ctype = request.headers.get("content-type", "")
    fields: dict[str, Any]
    if ctype.startswith("application/json"):
        try:
            data = await request.json()
        except ValueError as exc:
            raise HTTPException(400, f"malformed JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise HTTPException(422, "expected a JSON object of form fields")
        fields = data
    elif ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    else:
        raise HTTPException(415, "expected a form or a JSON object")
    try:
        submission = FormSubmission(form_key, fields, idempotency_key)
        event = services.channels.forms.receive(submission, received_at=datetime.now(UTC))
        result = await services.ingest(event)
    except ChannelError as exc:
        raise HTTPException(exc.status, exc.reason) from exc
    except InvalidAddress as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"case_id": result.case_id, "duplicate": result.duplicate}


@router.post("/webchat/sessions", summary="Start or resume a visitor's chat (widget key)")
async def chat_session(body: ChatSessionIn, services: ServicesDep) -> dict[str, Any]:
    if body.widget_key not in services.settings.widget_keys:
        raise HTTPException(403, "unknown widget key")
    visitor = verify_visitor(services.secret, body.visitor_token) if body.visitor_token else None
    try:
        session = await services.runtime.write(
            open_session,
            visitor,
            name=body.name,
            email=body.email,
            phone=body.phone,
            region=services.settings.default_region,
            lang=body.lang,
        )
    except InvalidAddress as exc:
        raise HTTPException(422, str(exc)) from exc
    return {
        "visitor_id": session.visitor_id,
        "visitor_token": sign_visitor(services.secret, session.visitor_id),
        "interaction_id": session.interaction_id,
    }


@router.get("/webchat/transcript", summary="The visitor's current conversation")
async def transcript(services: ServicesDep, visitor_id: VisitorId) -> list[dict[str, Any]]:
    return await services.runtime.read(chat_transcript, visitor_id)


@router.post("/webchat/messages", status_code=201, summary="Send a visitor message over HTTP")
async def visitor_message(
    request: Request, services: ServicesDep, visitor_id: VisitorId
) -> JSONResponse:
    try:
        payload = await request.json()
    except ValueError as exc:
        raise HTTPException(400, f"malformed JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise HTTPException(422, "expected a JSON object")
    result = await handle_visitor_message(services, visitor_id, payload)
    return JSONResponse(result, status_code=201)


async def handle_visitor_message(
    services: Services, visitor_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    # The visitor token is signed by us, so the session exists; the service finds its
    # interaction inside the same transaction (one thread hop per message).
    try:
        message = VisitorMessage(visitor_id, payload)
        event = services.channels.webchat.receive(message, received_at=datetime.now(UTC))
    except ChannelError as exc:
        raise HTTPException(exc.status, exc.reason) from exc
    result = await services.ingest(event)
    return {
        "event_id": result.event_id,
        "case_id": result.case_id,
        "interaction_id": result.interaction_id,
        "duplicate": result.duplicate,
    }


@router.post(
    "/channels/shop/woocommerce",
    summary="WooCommerce webhook (product and order topics, X-WC-Webhook-Signature checked)",
    responses={
        401: {"description": "missing or bad signature"},
        404: {"description": "no shop connector configured"},
        422: {"description": "rows rejected, nothing applied"},
    },
)
async def woocommerce_webhook(
    request: Request,
    services: ServicesDep,
    x_wc_webhook_signature: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """A shop pushes a changed product or order: a new knowledge version, once per delivery."""
    if not x_wc_webhook_signature:
        raise HTTPException(401, "missing X-WC-Webhook-Signature")
    if services.shop is None or services.knowledge is None:
        raise HTTPException(404, "no shop connector configured (OMNICENTER_WOOCOMMERCE_URL)")
    body = await request.body()
    try:
        report = await asyncio.to_thread(
            receive_webhook, services.shop, services.knowledge, dict(request.headers), body
        )
    except WebhookRejected as exc:
        status = 401 if "Signature" in str(exc) else 400
        log.warning("shop webhook refused from %s: %s", request.client, exc)
        raise HTTPException(status, str(exc)) from exc
    if not report.applied:
        raise HTTPException(422, "; ".join(str(r) for r in report.rejected[:10]))
    snapshot = report.snapshot
    return {
        "applied": True,
        "unchanged": report.unchanged,
        "revision": snapshot.revision if snapshot is not None else None,
        "counts": dict(report.counts),
    }
