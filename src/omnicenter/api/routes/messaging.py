"""Messaging channel webhooks: WhatsApp, Messenger and Instagram (Meta) and Telegram.

Every POST is verified before its body is parsed (Meta: `X-Hub-Signature-256` over the raw
bytes; Telegram: `X-Telegram-Bot-Api-Secret-Token`), and a channel whose secret is not
configured refuses everything with 503 and a log line. Each customer message is completed
(its media downloaded, with retries) and goes through the one ingest; a redelivered
message id is stored once. A download that keeps failing answers 503, so the provider
delivers the message again rather than it being lost.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse

from omnicenter.api.deps import ServicesDep
from omnicenter.bootstrap import Services
from omnicenter.channels.errors import ChannelError
from omnicenter.channels.meta import ChatMessage, Webhook, verify_handshake, verify_signature
from omnicenter.channels.telegram import verify_secret_token
from omnicenter.domain import ChannelManifest, InboundEvent
from omnicenter.identity import InvalidAddress
from omnicenter.services.deliveries import record_provider_status

router = APIRouter(tags=["channels"])
log = logging.getLogger(__name__)

_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "bad or missing signature"},
    503: {"description": "the channel's secret is not configured, or media not yet fetched"},
}


class MessagingAdapter(Protocol):
    """What these webhooks need of a messaging channel adapter."""

    @property
    def manifest(self) -> ChannelManifest: ...

    def parse(self, body: bytes) -> Webhook: ...

    async def complete(self, msg: ChatMessage) -> ChatMessage: ...

    def receive(self, raw: ChatMessage, *, received_at: datetime) -> InboundEvent: ...


def _meta_adapter(services: Services, app: str) -> MessagingAdapter:
    adapters: dict[str, MessagingAdapter] = {
        "whatsapp": services.channels.whatsapp,
        "messenger": services.channels.messenger,
        "instagram": services.channels.instagram,
    }
    return adapters[app]


def _handshake(
    services: Services, app: str, mode: str | None, token: str | None, challenge: str | None
) -> PlainTextResponse:
    secret = services.settings.meta_verify_token.get_secret_value()
    try:
        return PlainTextResponse(verify_handshake(secret, mode, token, challenge))
    except ChannelError as exc:
        log.warning("%s webhook subscription refused: %s", app, exc.reason)
        raise HTTPException(exc.status, exc.reason) from exc


async def _take(
    services: Services, app: str, adapter: MessagingAdapter, body: bytes
) -> dict[str, Any]:
    """Every message of a verified delivery through the one ingest."""
    stored = duplicates = 0
    try:
        webhook = adapter.parse(body)
        for msg in webhook.messages:
            complete = await adapter.complete(msg)
            event = adapter.receive(complete, received_at=datetime.now(UTC))
            result = await services.ingest(event)
            duplicates += result.duplicate
            stored += not result.duplicate
    except ChannelError as exc:
        log.warning("%s webhook refused: %s", app, exc.reason)
        raise HTTPException(exc.status, exc.reason) from exc
    except InvalidAddress as exc:
        raise HTTPException(422, str(exc)) from exc
    for status in webhook.statuses:
        error = f"{status.error_code} {status.error_title}" if status.error_code else None
        await services.runtime.write(
            record_provider_status,
            adapter.manifest.channel,
            status.message_ref,
            status.status,
            error,
        )
    return {"stored": stored, "duplicates": duplicates, "statuses": len(webhook.statuses)}


async def _meta_post(
    services: Services, app: str, request: Request, signature: str | None
) -> dict[str, Any]:
    body = await request.body()
    try:
        verify_signature(services.settings.meta_app_secret.get_secret_value(), body, signature)
    except ChannelError as exc:
        log.warning("%s webhook refused from %s: %s", app, request.client, exc.reason)
        raise HTTPException(exc.status, exc.reason) from exc
    return await _take(services, app, _meta_adapter(services, app), body)


Mode = Annotated[str | None, Query(alias="hub.mode")]
VerifyToken = Annotated[str | None, Query(alias="hub.verify_token")]
Challenge = Annotated[str | None, Query(alias="hub.challenge")]
HubSignature = Annotated[str | None, Header(alias="X-Hub-Signature-256")]


# The three Meta channels share one handshake and one signed POST, each at its own path.
_META_APPS = {
    "whatsapp": "WhatsApp Cloud API",
    "messenger": "Messenger Platform",
    "instagram": "Instagram messaging",
}


def _meta_routes(app: str, title: str) -> None:
    async def handshake(
        services: ServicesDep,
        mode: Mode = None,
        token: VerifyToken = None,
        challenge: Challenge = None,
    ) -> PlainTextResponse:
        return _handshake(services, app, mode, token, challenge)

    async def webhook(
        request: Request, services: ServicesDep, signature: HubSignature = None
    ) -> dict[str, Any]:
        return await _meta_post(services, app, request, signature)

    path = f"/channels/{app}/webhook"
    router.add_api_route(
        path,
        handshake,
        methods=["GET"],
        name=f"{app}_handshake",
        summary=f"{title} webhook subscription (echoes hub.challenge)",
        response_class=PlainTextResponse,
        responses=_REFUSED,
    )
    router.add_api_route(
        path,
        webhook,
        methods=["POST"],
        name=f"{app}_webhook",
        summary=f"{title} webhook (X-Hub-Signature-256 checked)",
        responses=_REFUSED,
    )


for _app, _title in _META_APPS.items():
    _meta_routes(_app, _title)


@router.post(
    "/channels/telegram/webhook",
    summary="Telegram Bot API webhook (X-Telegram-Bot-Api-Secret-Token checked)",
    responses=_REFUSED,
)
async def telegram_webhook(
    request: Request,
    services: ServicesDep,
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> dict[str, Any]:
    try:
        verify_secret_token(services.settings.telegram_secret_token.get_secret_value(), secret)
    except ChannelError as exc:
        log.warning("telegram webhook refused from %s: %s", request.client, exc.reason)
        raise HTTPException(exc.status, exc.reason) from exc
    body = await request.body()
    return await _take(services, "telegram", services.channels.telegram, body)
