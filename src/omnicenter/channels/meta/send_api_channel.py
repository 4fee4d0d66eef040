"""The adapter Messenger and Instagram share: Send API webhooks in, Send API messages out.

Each subclass names its manifest, its webhook `object` and its provider name; everything
else (parsing, media, the window, quick replies) is the same Messenger Platform.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import ClassVar

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import ChannelError, SendError
from omnicenter.channels.meta.graph import GraphApi, OutsideWindow
from omnicenter.channels.meta.media import RetryPolicy, download_all
from omnicenter.channels.meta.messages import ChatMessage, MediaRef, Webhook, to_inbound
from omnicenter.channels.meta.send_api import message_payload, parse_send_api_webhook
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage
from omnicenter.domain.channels import TooLong

__all__ = ["HUMAN_AGENT", "SendApiChannel"]

log = logging.getLogger(__name__)

# The tag that lets a person (not a bot) answer up to 7 days after the customer wrote.
HUMAN_AGENT = "HUMAN_AGENT"


class SendApiChannel:
    """`parse(body)` a verified webhook body, `complete(msg)` its media, `receive(msg)` the
    event; `send(msg)` through `POST /me/messages` (kept in the outbox, `stored`, when no
    access token is configured).

    Outside the 24-hour window Meta refuses a `RESPONSE`; a person's reply then goes once
    more with the `HUMAN_AGENT` tag (allowed within 7 days, when the app has that
    permission), a bot's never does. What Meta still refuses is a permanent `SendError`
    that says why."""

    manifest: ClassVar[ChannelManifest]
    webhook_object: ClassVar[str]
    provider: ClassVar[str]

    def __init__(self, graph: GraphApi, *, retry: RetryPolicy | None = None) -> None:
        self.graph = graph
        self._retry = retry or RetryPolicy()

    def parse(self, body: bytes) -> Webhook:
        """The webhook's messages and statuses (its signature is checked before)."""
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise ChannelError(f"malformed JSON: {exc}") from exc
        return parse_send_api_webhook(payload, expected_object=self.webhook_object)

    async def complete(self, msg: ChatMessage) -> ChatMessage:
        """`msg` with its media downloaded (retried; `MediaUnavailable` when they fail)."""
        if not msg.media:
            return msg
        return msg.with_attachments(await download_all(msg.media, self._fetch, self._retry))

    async def _fetch(self, ref: MediaRef) -> bytes:
        return await self.graph.download(ref.ref, authorized=False)

    def receive(self, raw: ChatMessage, *, received_at: datetime) -> InboundEvent:
        return to_inbound(self.manifest.channel, raw, received_at, provider=self.provider)

    async def send(self, msg: OutboundMessage) -> Delivery:
        if not self.graph.token:
            return Delivery.stored()
        try:
            self.manifest.fit(msg.body)
        except TooLong as exc:
            raise SendError(str(exc), temporary=False) from exc
        buttons = msg.meta.get("buttons") or ()
        try:
            answer = await self.graph.post(
                "me/messages", message_payload(msg.to, msg.body, buttons)
            )
        except OutsideWindow:
            if msg.meta.get("author_type", "agent") != "agent":
                raise
            log.info("%s: outside the window, sending with the HUMAN_AGENT tag", msg.event_id)
            answer = await self.graph.post(
                "me/messages", message_payload(msg.to, msg.body, buttons, tag=HUMAN_AGENT)
            )
        return Delivery.sent(str(answer.get("message_id") or "") or None)

    async def aclose(self) -> None:
        await self.graph.aclose()
