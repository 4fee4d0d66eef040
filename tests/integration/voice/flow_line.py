"""A live phone line running a flow: real services (SQLite, routing), the bot on chat, SMS
and email, the SIP endpoint with the flow IVR, and softphones that press keys (RFC 4733)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, asc, select
from voice_helpers import TEST_MENU, Timeline, make_prompts

from omnicenter.bootstrap import Services
from omnicenter.bus.events import TimelineEventAdded
from omnicenter.channels.voice import MenuDefinition, VoiceSettings
from omnicenter.channels.voice.softphone import PhoneCall, Softphone
from omnicenter.live.bot import Bot, load_knowledge
from omnicenter.live.phone.flow_ivr import FlowIvr
from omnicenter.live.phone.phone import Phone
from omnicenter.services.identity import Claim, create_customer
from omnicenter.settings import Settings
from omnicenter.store import tables as t
from omnicenter.store.metrics import query_counters

ROOT = Path(__file__).resolve().parents[3]
SHOP = ROOT / "examples" / "flows" / "shop.yaml"
PHONE = ROOT / "examples" / "flows" / "phone.yaml"
CATALOG = ROOT / "examples" / "catalog"
FAR = datetime(2100, 1, 1, tzinfo=UTC)
Match = Callable[[TimelineEventAdded], bool]


def said_fact(event: TimelineEventAdded) -> bool:
    return (
        event.author_type == "bot"
        and event.kind == "message_out"
        and event.channel == "voice"
        and bool(event.meta.get("facts"))
    )


def prompted(event: TimelineEventAdded) -> bool:
    return event.channel == "voice" and event.author_type == "bot" and "dtmf" in event.meta


@dataclass
class Line:
    services: Services
    bot: Bot
    voice: Phone
    ivr: FlowIvr
    customer_id: str
    timeline: Timeline
    phones: list[Softphone] = field(default_factory=list)

    async def call(self, number: str) -> PhoneCall:
        ep = self.voice.endpoint
        phone = Softphone(number, (ep.host, ep.port), t1=0.1)
        await phone.start()
        self.phones.append(phone)
        return await phone.call("ivr")

    async def press(self, call: PhoneCall, keys: str, match: Match) -> TimelineEventAdded:
        """Press `keys` and wait for the next timeline event that `match`es."""
        mark = len(self.timeline.events)
        for key in keys:
            await call.dtmf(key)
        return await self.timeline.wait(match, after=mark)

    async def rows(self, interaction_id: str) -> list[Any]:
        def read(conn: Connection) -> list[Any]:
            q = select(t.events).where(t.events.c.interaction_id == interaction_id)
            return list(conn.execute(q.order_by(asc(t.events.c.created_at))))

        rows: list[Any] = await self.services.runtime.read(read)
        return rows

    async def promises_made(self) -> float:
        def read(conn: Connection) -> float:  # all time: a promise may count when due
            counters = query_counters(conn, datetime(2000, 1, 1, tzinfo=UTC), FAR)
            return sum(c.promises_made for c in counters.values())

        made: float = await self.services.runtime.read(read)
        return made

    async def close(self) -> None:
        for phone in self.phones:
            await phone.aclose()


OWN_ORDERS = ("10001", "10002")


async def open_line(tmp_path: Path, phone: str, email: str, tier: str = "gold") -> Line:
    """The services with a known customer (`phone`, `email`) who has a loyalty `tier`."""
    services = Services(Settings(data_dir=tmp_path, secret_key="voice-flow-secret"))  # type: ignore[arg-type]
    await services.start(smtp=False)
    claims = [Claim("phone", phone), Claim("email", email)]
    customer_id = await services.runtime.write(create_customer, "Kasia", claims, actor="test")
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    with (catalog / "accounts.csv").open("a", encoding="utf-8") as accounts:
        accounts.write(f"{customer_id},0,{tier}\n")
    # orders 10001 and 10002 are this customer's: order data goes only to its owner
    orders = json.loads((catalog / "orders.json").read_text(encoding="utf-8"))
    for order in orders:
        if order["number"] in OWN_ORDERS:
            order.update(customer_id=None, email=email, phone=phone)
    (catalog / "orders.json").write_text(json.dumps(orders), encoding="utf-8")
    knowledge = await asyncio.to_thread(load_knowledge, tmp_path, catalog)
    bot = await services.attach_bot(SHOP, None, knowledge=knowledge)
    data = tmp_path / "voice"
    make_prompts(data / "prompts")
    settings = VoiceSettings(
        port=0,
        rtp_port_min=0,
        data_dir=data,
        generate_prompts=False,
        menu=MenuDefinition.from_mapping(TEST_MENU),
        ring_timeout=3,
        t1=0.1,
    )
    voice = await services.attach_voice(settings)
    ivr = await services.attach_flow_ivr(PHONE)
    timeline = Timeline()
    services.bus.subscribe(timeline)
    return Line(services, bot, voice, ivr, customer_id, timeline)


async def close_line(line: Line) -> None:
    await line.close()
    await line.services.stop()  # stops voice and the bot too (services.voice / .bot)
