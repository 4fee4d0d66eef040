"""Outbound SMS providers: the default keeps messages in the outbox table for an operator;
the Twilio provider sends through the Messages REST resource."""

from __future__ import annotations

from typing import Protocol

import httpx

from omnicenter.channels.errors import SendError
from omnicenter.domain import OutboundMessage

__all__ = ["OutboxSmsProvider", "SmsProvider", "SmsSendError", "TwilioSmsProvider"]


class SmsSendError(SendError):
    """A provider could not send; the channels' `SendError` under the name callers know."""


class SmsProvider(Protocol):
    name: str

    async def send(self, msg: OutboundMessage) -> tuple[str, str | None]:
        """Returns (status, provider reference): status is `sent` or `stored`."""
        ...


class OutboxSmsProvider:
    """No gateway configured: the message stays in the outbox with status `stored`."""

    name = "outbox"

    async def send(self, msg: OutboundMessage) -> tuple[str, str | None]:
        return "stored", None


class TwilioSmsProvider:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_base: str = "https://api.twilio.com",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.from_number = from_number
        self._client = httpx.AsyncClient(
            base_url=api_base,
            auth=(account_sid, auth_token),
            timeout=10.0,
            transport=transport,
        )

    async def send(self, msg: OutboundMessage) -> tuple[str, str | None]:
        try:
            resp = await self._client.post(
                f"/2010-04-01/Accounts/{self.account_sid}/Messages.json",
                data={"To": msg.to, "From": msg.sender or self.from_number, "Body": msg.body},
            )
        except httpx.HTTPError as exc:
            raise SmsSendError(f"SMS gateway unreachable: {exc}", temporary=True) from exc
        if resp.status_code >= 500 or resp.status_code == 429:
            raise SmsSendError(f"SMS gateway busy ({resp.status_code})", temporary=True)
        try:
            data = resp.json()
        except ValueError as exc:
            raise SmsSendError("SMS gateway answered with invalid JSON", temporary=True) from exc
        if resp.status_code >= 400:
            raise SmsSendError(
                f"SMS gateway refused: {data.get('code')} {data.get('message')}", temporary=False
            )
        return "sent", str(data.get("sid"))

    async def aclose(self) -> None:
        await self._client.aclose()
