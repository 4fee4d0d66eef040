"""The SMS channel adapter: Twilio webhooks in, texts out through the configured provider."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import SendError
from omnicenter.channels.sms.manifest import MANIFEST
from omnicenter.channels.sms.providers import SmsProvider
from omnicenter.channels.sms.twilio import TwilioParams, parse_webhook
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage
from omnicenter.domain.channels import TooLong

__all__ = ["SmsChannel"]

log = logging.getLogger(__name__)


class SmsChannel:
    """`receive(params)`: a Twilio inbound-message webhook (its signature is checked before,
    by `verify_signature`); `send(msg)`: through the provider, a text over the manifest's
    `max_length` as several texts.

    When a later part of a split text fails, the parts already sent are remembered (per
    timeline event, for the `remember` most recent ones), so the dispatcher's retry sends
    only the rest and the customer does not get the beginning twice.
    """

    manifest: ChannelManifest = MANIFEST

    def __init__(
        self, provider: SmsProvider, *, account_sid: str | None = None, remember: int = 1000
    ) -> None:
        self.provider = provider
        self._account_sid = account_sid or None
        self._remember = remember
        self._sent_parts: OrderedDict[str, list[str]] = OrderedDict()

    def receive(self, raw: TwilioParams, *, received_at: datetime) -> InboundEvent:
        """Raises `ChannelError`: a parameter missing, another account's SID (403)."""
        return parse_webhook(raw, received_at, self._account_sid)

    async def send(self, msg: OutboundMessage) -> Delivery:
        """`sent` with the provider's id for the first text (the others are logged), or
        `stored` when the provider keeps messages for an operator; raises `SendError`."""
        try:
            parts = self.manifest.fit(msg.body)
        except TooLong as exc:
            raise SendError(str(exc), temporary=False) from exc
        done = self._sent_parts.pop(msg.event_id, [])
        for part in parts[len(done) :]:
            one = msg if len(parts) == 1 else replace(msg, body=part)
            try:
                status, ref = await self.provider.send(one)
            except SendError as exc:
                if done and exc.temporary:
                    self._keep(msg.event_id, done)
                raise
            if status == "stored":  # the outbox row keeps the whole text
                return Delivery.stored()
            done.append(ref or "")
        if len(done) > 1:
            log.info("SMS for event %s went as %d texts: %s", msg.event_id, len(done), done)
        return Delivery.sent(done[0] or None)

    def _keep(self, event_id: str, refs: list[str]) -> None:
        self._sent_parts[event_id] = refs
        while len(self._sent_parts) > self._remember:
            self._sent_parts.popitem(last=False)
