"""The Telegram channel adapter: Bot API webhook updates in, `sendMessage` out."""

from __future__ import annotations

import json
from datetime import datetime

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import ChannelError, SendError
from omnicenter.channels.meta.media import RetryPolicy, download_all
from omnicenter.channels.meta.messages import ChatMessage, MediaRef, Webhook, to_inbound
from omnicenter.channels.telegram.bot_api import parse_update, send_message_payload
from omnicenter.channels.telegram.client import BotApi
from omnicenter.channels.telegram.manifest import MANIFEST
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage
from omnicenter.domain.channels import TooLong

__all__ = ["TelegramChannel"]


class TelegramChannel:
    """`parse(body)` a verified update, `complete(msg)` its files (retried),
    `receive(msg)` the event; `send(msg)` with `sendMessage`, the bot's buttons as an
    inline keyboard. With no bot token configured, messages stay in the outbox."""

    manifest: ChannelManifest = MANIFEST

    def __init__(self, api: BotApi, *, retry: RetryPolicy | None = None) -> None:
        self.api = api
        self._retry = retry or RetryPolicy()

    def parse(self, body: bytes) -> Webhook:
        try:
            update = json.loads(body)
        except ValueError as exc:
            raise ChannelError(f"malformed JSON: {exc}") from exc
        return parse_update(update)

    async def complete(self, msg: ChatMessage) -> ChatMessage:
        if not msg.media:
            return msg
        return msg.with_attachments(await download_all(msg.media, self._fetch, self._retry))

    async def _fetch(self, ref: MediaRef) -> bytes:
        return await self.api.download(ref.ref)

    def receive(self, raw: ChatMessage, *, received_at: datetime) -> InboundEvent:
        return to_inbound(self.manifest.channel, raw, received_at, provider="telegram")

    async def send(self, msg: OutboundMessage) -> Delivery:
        if not self.api.token:
            return Delivery.stored()
        try:
            self.manifest.fit(msg.body)
        except TooLong as exc:
            raise SendError(str(exc), temporary=False) from exc
        payload = send_message_payload(msg.to, msg.body, msg.meta.get("buttons") or ())
        result = await self.api.call("sendMessage", payload)
        ref = result.get("message_id") if isinstance(result, dict) else None
        return Delivery.sent(f"{msg.to}:{ref}" if ref is not None else None)

    async def aclose(self) -> None:
        await self.api.aclose()
