"""Glue from the SMTP listener to the inbound service: 250 is said only after the commit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from omnicenter.channels.email import AcceptCallback
from omnicenter.domain import InboundEvent

if TYPE_CHECKING:
    from omnicenter.bootstrap import Services

__all__ = ["make_accept"]


def make_accept(services: Services) -> AcceptCallback:
    email = services.channels.email

    async def accept(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> None:
        def parse() -> InboundEvent:
            recipient = rcpt_tos[0] if rcpt_tos else None
            return email.receive(raw, received_at=datetime.now(UTC), recipient=recipient)

        event = await asyncio.to_thread(parse)
        await services.ingest(event)

    return accept
