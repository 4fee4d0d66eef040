"""A real `Services` (SQLite, routing on, no SMTP listener) with the bot attached, and
customers who write on web chat, SMS and email through the same ingest path as the
adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, asc, select

from omnicenter.bootstrap import Services
from omnicenter.bus.events import BusEvent
from omnicenter.channels.webchat import parse_visitor_message
from omnicenter.domain import Channel, InboundEvent, new_id
from omnicenter.live.bot import Bot
from omnicenter.services.inbound import ingest
from omnicenter.services.webchat import open_session
from omnicenter.settings import Settings
from omnicenter.store import tables as t

ROOT = Path(__file__).resolve().parents[3]
FLOW = ROOT / "examples" / "flows" / "shop.yaml"
CATALOG = ROOT / "examples" / "catalog"


@dataclass
class Live:
    services: Services
    bot: Bot
    events: list[BusEvent] = field(default_factory=list)

    async def _ingest(self, ev: InboundEvent) -> str:
        result = await self.services.runtime.write(ingest, ev)
        await self.bot.idle()
        assert result.interaction_id is not None
        return result.interaction_id

    async def bot_messages(self, interaction_id: str) -> list[Any]:
        return await self.services.runtime.read(_bot_rows, interaction_id)

    async def timeline(self, interaction_id: str) -> list[Any]:
        return await self.services.runtime.read(_timeline, interaction_id)


def _bot_rows(conn: Connection, interaction_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(t.events)
            .where(
                t.events.c.interaction_id == interaction_id,
                t.events.c.author_type == "bot",
                t.events.c.kind == "message_out",
            )
            .order_by(asc(t.events.c.created_at))
        )
    )


def _timeline(conn: Connection, interaction_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(t.events)
            .where(t.events.c.interaction_id == interaction_id)
            .order_by(asc(t.events.c.created_at))
        )
    )


class Customer:
    """One person writing on one channel; keeps the thread like the real adapters do."""

    def __init__(self, live: Live, channel: Channel, address: str, **claims: str) -> None:
        self.live = live
        self.channel = channel
        self.address = address
        self.claims = claims
        self.interaction_id: str | None = None
        self.subject = f"Pytanie {new_id('sub')}"

    async def say(self, text: str) -> list[Any]:
        """Send one message; returns the bot messages written in answer to it."""
        known = self.interaction_id
        before = len(await self.live.bot_messages(known)) if known else 0
        now = datetime.now(UTC)
        if self.channel is Channel.WEBCHAT:
            if self.interaction_id is None:  # the widget opens a session first
                session = await self.live.services.runtime.write(open_session, None, **self.claims)
                self.address = session.visitor_id
            ev = parse_visitor_message(self.address, {"text": text}, now, self.interaction_id)
        elif self.channel is Channel.SMS:
            ev = InboundEvent(Channel.SMS, self.address, text, now, new_id("sms"))
        else:
            refs: tuple[str, ...] = ()
            if self.interaction_id is not None:
                last = (await self.live.bot_messages(self.interaction_id))[-1]
                refs = (f"{last.id}@{self.live.services.settings.email_domain}",)
            ev = InboundEvent(
                Channel.EMAIL,
                self.address,
                text,
                now,
                new_id("eml"),
                subject=self.subject if not refs else f"Re: {self.subject}",
                thread_refs=refs,
                message_ref=f"{new_id('msg')}@customer.example",
            )
        self.interaction_id = await self.live._ingest(ev)
        return (await self.live.bot_messages(self.interaction_id))[before:]


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    services = Services(Settings(data_dir=tmp_path))
    await services.start(smtp=False)
    bot = await services.attach_bot(FLOW, CATALOG)
    result = Live(services, bot)
    services.bus.subscribe(result.events.append)
    try:
        yield result
    finally:
        await bot.stop()
        await services.stop()
