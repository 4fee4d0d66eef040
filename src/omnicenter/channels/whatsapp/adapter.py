"""The WhatsApp channel adapter: Cloud API webhooks in, Cloud API messages out."""

from __future__ import annotations

import json
from datetime import datetime

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import ChannelError, SendError
from omnicenter.channels.meta.graph import GraphApi
from omnicenter.channels.meta.media import MediaGone, RetryPolicy, download_all
from omnicenter.channels.meta.messages import ChatMessage, MediaRef, Webhook, to_inbound
from omnicenter.channels.whatsapp.cloud_api import (
    Template,
    interactive_payload,
    parse_cloud_webhook,
    template_payload,
    text_payload,
)
from omnicenter.channels.whatsapp.manifest import MANIFEST
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage
from omnicenter.domain.channels import TooLong

__all__ = ["WhatsappChannel"]


class WhatsappChannel:
    """`parse(body)` a verified webhook body, `complete(msg)` its media (`GET /{media-id}`
    for the URL, then the file with the access token, retried), `receive(msg)` the event;
    `send(msg)`: a text, reply buttons or a list for the bot's buttons, or an approved
    template when `msg.meta["template"]` names one. With no access token or phone number
    id configured, messages stay in the outbox (`stored`).

    The 24-hour window is Meta's to enforce as well: a free-form send outside it comes
    back as `OutsideWindow` (error 131047), a permanent `SendError` saying a template is
    needed."""

    manifest: ChannelManifest = MANIFEST

    def __init__(
        self, graph: GraphApi, phone_number_id: str = "", *, retry: RetryPolicy | None = None
    ) -> None:
        self.graph = graph
        self.phone_number_id = phone_number_id
        self._retry = retry or RetryPolicy()

    def parse(self, body: bytes) -> Webhook:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise ChannelError(f"malformed JSON: {exc}") from exc
        return parse_cloud_webhook(payload, phone_number_id=self.phone_number_id or None)

    async def complete(self, msg: ChatMessage) -> ChatMessage:
        if not msg.media:
            return msg
        return msg.with_attachments(await download_all(msg.media, self._fetch, self._retry))

    async def _fetch(self, ref: MediaRef) -> bytes:
        info = await self.graph.get_json(ref.ref)
        url = info.get("url")
        if not isinstance(url, str) or not url:
            raise MediaGone(f"no url for media {ref.ref}")
        return await self.graph.download(url)

    def receive(self, raw: ChatMessage, *, received_at: datetime) -> InboundEvent:
        return to_inbound(self.manifest.channel, raw, received_at, provider="whatsapp_cloud")

    async def send(self, msg: OutboundMessage) -> Delivery:
        if not self.graph.token or not self.phone_number_id:
            return Delivery.stored()
        if msg.meta.get("template"):
            try:
                template = Template.from_meta(msg.meta["template"])
            except ChannelError as exc:
                raise SendError(exc.reason, temporary=False) from exc
            payload = template_payload(msg.to, template)
        else:
            try:
                self.manifest.fit(msg.body)
            except TooLong as exc:
                raise SendError(str(exc), temporary=False) from exc
            buttons = msg.meta.get("buttons") or ()
            payload = (
                interactive_payload(msg.to, msg.body, buttons)
                if buttons
                else text_payload(msg.to, msg.body)
            )
        answer = await self.graph.post(f"{self.phone_number_id}/messages", payload)
        sent = answer.get("messages")
        ref = (
            sent[0].get("id")
            if isinstance(sent, list) and sent and isinstance(sent[0], dict)
            else None
        )
        return Delivery.sent(str(ref) if ref else None)

    async def aclose(self) -> None:
        await self.graph.aclose()
