"""Voice in the live service: real services (SQLite, bus, live router) and real SIP phones.

A call from a known customer's number lands on that customer's timeline, is queued and
assigned by the routing engine, counts as abandoned when the caller leaves the queue, and a
callback request is a routing promise kept by ringing the agent, then the customer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select
from voice_helpers import AGENT_TONE, PROMPT_TONES, TEST_MENU, Timeline, make_prompts

from omnicenter.bootstrap import Services
from omnicenter.channels.voice import MenuDefinition, VoiceSettings
from omnicenter.channels.voice.media.audio import goertzel_power, tone
from omnicenter.channels.voice.softphone import PhoneCall, Softphone
from omnicenter.domain import Channel, Presence
from omnicenter.live.phone.accounts import sip_password
from omnicenter.live.phone.phone import Phone
from omnicenter.services import queries
from omnicenter.services.agents import NewAgent, create_agent, set_presence
from omnicenter.services.identity import Claim, create_customer
from omnicenter.services.uow import UnitOfWork
from omnicenter.settings import Settings
from omnicenter.store import tables as t

CALLER = "+48601234567"
Start = Callable[..., Awaitable[Phone]]


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    svc = Services(Settings(data_dir=tmp_path, secret_key="voice-test-secret"))  # type: ignore[arg-type]
    await svc.start(smtp=False)
    yield svc
    await svc.stop()


@pytest.fixture
def timeline(services: Services) -> Timeline:
    tl = Timeline()
    services.bus.subscribe(tl)
    return tl


@pytest.fixture
async def start(services: Services, tmp_path: Path) -> AsyncIterator[Start]:
    handles: list[Phone] = []
    data = tmp_path / "voice"
    make_prompts(data / "prompts")
    base = VoiceSettings(
        port=0,
        rtp_port_min=0,
        data_dir=data,
        generate_prompts=False,
        menu=MenuDefinition.from_mapping(TEST_MENU),
        ring_timeout=3,
        t1=0.1,
    )

    async def starter(**changes: Any) -> Phone:
        handle = await services.attach_voice(replace(base, **changes))
        handles.append(handle)
        return handle

    yield starter
    for handle in handles:
        await handle.stop()


@pytest.fixture
async def phones() -> AsyncIterator[list[Softphone]]:
    made: list[Softphone] = []
    yield made
    for phone in made:
        await phone.aclose()


async def phone(handle: Phone, phones: list[Softphone], user: str, **kwargs: Any) -> Softphone:
    ep = handle.endpoint
    made = Softphone(user, (ep.host, ep.port), t1=0.1, **kwargs)
    await made.start()
    phones.append(made)
    return made


async def new_agent(services: Services, username: str) -> str:
    new = NewAgent(username, username.title(), channels=(Channel.VOICE, Channel.WEBCHAT))
    return (await services.runtime.write(create_agent, new, actor="test")).id


async def make_available(services: Services, agent_id: str) -> None:
    await services.runtime.write(set_presence, agent_id, Presence.AVAILABLE, None, actor="test")


async def available_agent(services: Services, username: str) -> str:
    agent_id = await new_agent(services, username)
    await make_available(services, agent_id)
    return agent_id


async def agent_phone(
    services: Services, handle: Phone, phones: list[Softphone], username: str
) -> Softphone:
    made = await phone(
        handle,
        phones,
        username,
        password=sip_password(services.secret, username),
        answer_with=tone(AGENT_TONE, 1.0),
    )
    assert (await made.register()).status == 200
    return made


async def heard(call: PhoneCall, freq: float, within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        audio = call.audio()
        if len(audio) >= 1600 and goertzel_power(audio[-1600:], freq) > 0.6:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"never heard {freq} Hz")


async def queue_call(handle: Phone, phones: list[Softphone]) -> PhoneCall:
    caller = await phone(handle, phones, CALLER)
    call = await caller.call("ivr")
    await heard(call, PROMPT_TONES["welcome"])
    await call.dtmf("1")  # sales
    return call


async def known_customer(services: Services) -> str:
    claim = Claim("phone", "601 234 567")  # stored as E.164 by identity resolution
    return await services.runtime.write(create_customer, "Ann Caller", [claim], actor="test")


def rows(conn: Connection, table: Any, **where: Any) -> list[Any]:
    q = select(table).where(*(table.c[k] == v for k, v in where.items()))
    return list(conn.execute(q))


async def test_call_from_known_customer_is_routed_onto_their_timeline(
    services: Services, timeline: Timeline, start: Start, phones: list[Softphone]
) -> None:
    customer_id = await known_customer(services)
    agent_id = await available_agent(services, "anna")
    handle = await start()
    await agent_phone(services, handle, phones, "anna")

    call = await queue_call(handle, phones)
    connected = await timeline.wait("connected")
    assert connected.customer_id == customer_id and connected.meta["agent_id"] == agent_id
    await heard(call, AGENT_TONE)
    await call.hangup()
    ended = await timeline.wait("ended")

    events = await services.runtime.read(queries.timeline, customer_id=customer_id)
    mine = [e for e in events if e["interaction_id"] == ended.interaction_id]
    calls = [e["meta"]["call"] for e in mine if "call" in e["meta"]]
    assert calls[:3] == ["started", "ivr_choice", "queued"]
    assert {"connected", "ended"} <= set(calls)
    assert all(e["channel"] == "voice" for e in mine)
    ivr = next(e for e in mine if e["meta"].get("call") == "ivr_choice")
    assert ivr["kind"] == "bot_step" and ivr["meta"]["target"] == "sales"
    routing = [e["body"] for e in mine if e["kind"] == "routing"]
    assert routing[:2] == ["queued", "assigned"]

    def state(conn: Connection) -> tuple[Any, Any]:
        interaction = rows(conn, t.interactions, id=ended.interaction_id)[0]
        case = rows(conn, t.cases, id=interaction.case_id)[0]
        return interaction, case

    interaction, case = await services.runtime.read(state)
    assert interaction.status == "closed" and interaction.address == CALLER
    assert case.owner_agent_id == agent_id and case.customer_id == customer_id
    assert handle.service.answered == 1 and handle.service.abandoned == 0


async def test_second_call_joins_the_customers_open_case(
    services: Services, timeline: Timeline, start: Start, phones: list[Softphone]
) -> None:
    customer_id = await known_customer(services)
    handle = await start()
    for _ in range(2):
        call = await queue_call(handle, phones)
        await timeline.wait("queued")
        await call.hangup()
        await timeline.wait("ended")
        timeline.events.clear()

    def cases(conn: Connection) -> list[Any]:
        return rows(conn, t.cases, customer_id=customer_id)

    assert len(await services.runtime.read(cases)) == 1
    assert handle.service.abandoned == 2


async def test_caller_leaving_the_queue_is_abandoned(
    services: Services, timeline: Timeline, start: Start, phones: list[Softphone]
) -> None:
    handle = await start()  # nobody to answer
    call = await queue_call(handle, phones)
    queued = await timeline.wait("queued")
    assert queued.meta["queue"] == "sales"
    await call.hangup()
    abandoned = await timeline.wait("abandoned")
    await timeline.wait("ended")
    assert handle.service.abandoned == 1 and handle.service.answered == 0
    assert abandoned.interaction_id == queued.interaction_id
    router = services.router
    assert router is not None and router.engine.waiting_count() == 0


async def test_callback_request_is_a_promise_kept_by_agent_and_customer(
    services: Services, timeline: Timeline, start: Start, phones: list[Softphone]
) -> None:
    customer_id = await known_customer(services)
    customer = Softphone("customer", ("127.0.0.1", 9), t1=0.1)  # answers the callback
    await customer.start()
    phones.append(customer)
    bob = await new_agent(services, "bob")  # exists, not logged in yet
    handle = await start(trunk=f"{customer.host}:{customer.port}")

    call = await queue_call(handle, phones)
    await timeline.wait("queued")
    await heard(call, PROMPT_TONES["queued"])
    await call.dtmf("9")
    promised = await timeline.wait("callback_requested")
    assert promised.customer_id == customer_id
    assert promised.meta["promise_id"].startswith("tsk_") and promised.meta["due_at"]
    assert promised.meta["number"] == CALLER
    await timeline.wait("ended")
    timeline.events.clear()

    await agent_phone(services, handle, phones, "bob")
    await make_available(services, bob)  # routing now offers the callback to bob
    answered = await asyncio.wait_for(customer.incoming.get(), 10)
    connected = await timeline.wait("connected")
    assert connected.channel == "callback" and connected.case_id == promised.case_id
    await answered.hangup()
    await timeline.wait("ended")
    assert handle.service.callbacks_requested == 1

    await handle.service.drain()  # the promise's task is completed...
    await services.runtime.write(flush)  # ...and its routing fact written before this one
    events = await services.runtime.read(queries.timeline, case_id=promised.case_id)
    routing = [e["body"] for e in events if e["kind"] == "routing"]
    assert routing[-1] == "completed" and "abandoned" not in routing


def flush(uow: UnitOfWork) -> None:
    """A no-op write: the single writer runs writes in order, so earlier ones are done."""
