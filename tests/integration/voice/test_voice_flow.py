"""The phone IVR runs a flow: keys in, spoken answers out, facts, handover and callback
promises on the timeline, the same facts as chat, SMS and email."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flow_line import Line, close_line, open_line, prompted, said_fact
from sqlalchemy import Connection, select
from tests.integration.bot.conftest import Customer, Live

from omnicenter.bus.events import TimelineEventAdded
from omnicenter.channels.voice.prompts import SpeechSynth
from omnicenter.domain import Channel
from omnicenter.store import tables as t

CALLER = "+48603111222"
EMAIL = "kasia@example.com"

# What the chat customer writes, and the keys the caller presses, for the same question.
CHAT = {
    "price": ["Ile kosztuje koszulka czerwona M?"],
    "stock": ["dostępność", "koszulka czerwona M"],
    "order status": ["status zamówienia", "10001"],
    "return deadline": ["zwrot", "zwrot", "10002"],
}
KEYS = {
    "price": ["3", "1"],
    "stock": ["2", "1"],
    "order status": ["1", "10001#"],
    "return deadline": ["4", "10002#"],
}
ORDER_TOPICS = ("order status", "return deadline")  # last: the chat visitor stops there
FACT_KEYS = {
    "price": "price:TSH-RED-M",
    "stock": "stock:TSH-RED-M:",
    "order status": "order:10001",
    "return deadline": "policy:return:10002",
}


@pytest.fixture
async def line(tmp_path: Path) -> AsyncIterator[Line]:
    made = await open_line(tmp_path, CALLER, EMAIL)
    try:
        yield made
    finally:
        await close_line(made)


def is_note(event: TimelineEventAdded) -> bool:
    return event.kind == "note" and "handover" in event.meta


def call_event(name: str) -> Any:
    return lambda event: event.meta.get("call") == name


def promise(event: TimelineEventAdded) -> bool:
    return event.kind == "routing" and event.meta.get("fact") == "promise_made"


async def ask_by_phone(line: Line, call: Any, keys: list[str]) -> dict[str, Any]:
    for key in keys[:-1]:
        await line.press(call, key, prompted)
    told = await line.press(call, keys[-1], said_fact)
    fact: dict[str, Any] = told.meta["facts"][-1]
    return fact


async def test_the_caller_is_told_what_chat_sms_and_email_are_told(line: Line) -> None:
    since = datetime.now(UTC)
    live = Live(line.services, line.bot)
    customers = [
        Customer(live, Channel.WEBCHAT, "vis_kasia", email=EMAIL, phone=CALLER),
        Customer(live, Channel.SMS, CALLER),
        Customer(live, Channel.EMAIL, EMAIL),
    ]
    told: dict[str, dict[str, Any]] = {}
    for customer in customers:
        for topic, script in CHAT.items():
            answer = []
            for text in script:
                answer = await customer.say(text)
            facts = [f for m in answer for f in (m.meta or {}).get("facts", [])]
            if customer.channel is Channel.WEBCHAT and topic in ORDER_TOPICS:
                # a chat visitor proves no address: order data only after a one-time code
                assert not facts, (topic, answer)
                break
            assert facts and facts[-1]["key"].startswith(FACT_KEYS[topic]), (topic, answer)
            told.setdefault(topic, {})[customer.channel.value] = facts[-1]["value"]
            await customer.say("1")  # anything else? yes

    call = await line.call(CALLER)
    menu = await line.timeline.wait(prompted)
    assert menu.customer_id == line.customer_id  # the caller is known by the number
    assert menu.meta["dtmf"]["3"] == "price" and menu.meta["dtmf"]["0"] == "__handover__"
    for topic, keys in KEYS.items():
        fact = await ask_by_phone(line, call, keys)
        assert fact["key"].startswith(FACT_KEYS[topic]), (topic, fact)
        if topic == "price":  # the caller's loyalty tier applies, as in chat
            assert any(s.startswith("tiers/gold") for s in fact["sources"])
        told[topic]["voice"] = fact["value"]
        await line.press(call, "1", prompted)  # anything else? yes: the menu again
    await call.hangup()

    for topic, per_channel in told.items():
        chat = set() if topic in ORDER_TOPICS else {"webchat"}
        assert set(per_channel) == {"sms", "email", "voice"} | chat
        assert len({repr(v) for v in per_channel.values()}) == 1, (topic, per_channel)
    assert told["return deadline"]["voice"]["deadline"] == "2025-04-04"
    assert await line.bot.audit(since) == []


async def test_zero_hands_the_call_to_routing_with_the_context(line: Line) -> None:
    call = await line.call(CALLER)
    await line.timeline.wait(prompted)
    await line.press(call, "3", prompted)  # price: which product?
    note = await line.press(call, "0", is_note)
    context = note.meta["handover"]
    assert context["reason"] == "requested" and context["channel"] == "voice"
    assert context["intent"] == "price" and context["fields"]["topic"] == "price"
    assert context["fields"]["phone"] == CALLER
    assert [m["role"] for m in context["transcript"]][:2] == ["bot", "bot"]
    assert {"role": "customer", "text": "price"} in context["transcript"]
    queued = await line.timeline.wait(call_event("queued"))
    assert queued.interaction_id == note.interaction_id
    router = line.services.router
    assert router is not None
    task_id = router.task_for_interaction(note.interaction_id)
    task = router.task_for(task_id) if task_id else None
    assert task is not None and task.work.case_id == note.case_id
    case = await line.services.runtime.read(_case_fields, note.case_id)
    assert case["bot_handover"]["reason"] == "requested" and case["queue"] == "shop"
    await call.hangup()


async def test_a_number_may_start_with_zero_and_zero_alone_is_a_person(line: Line) -> None:
    call = await line.call(CALLER)
    await line.timeline.wait(prompted)
    await line.press(call, "1", prompted)  # order status: the number, then #
    note = await line.press(call, "0999#", is_note)  # no such order: a person takes over
    assert note.meta["handover"]["fields"]["order_number"] == "0999"
    assert note.meta["handover"]["reason"] != "requested"
    await call.hangup()
    call = await line.call(CALLER)
    await line.timeline.wait(prompted)
    await line.press(call, "1", prompted)
    note = await line.press(call, "0#", is_note)
    assert note.meta["handover"]["reason"] == "requested"


async def test_a_callback_step_on_the_phone_is_a_routing_promise(line: Line) -> None:
    before = await line.promises_made()
    call = await line.call(CALLER)
    await line.timeline.wait(prompted)
    made = await line.press(call, "6", promise)
    assert made.meta["number"] == CALLER and made.channel == "voice"
    due = datetime.fromisoformat(made.meta["due_at"])
    assert due <= made.created_at + timedelta(hours=1)  # as soon as possible: no time asked
    await line.timeline.wait(call_event("ended"))  # the flow says goodbye and hangs up
    router = line.services.router
    assert router is not None and router.task_for(made.meta["promise_id"]) is not None
    assert made.meta["promise_id"] in line.voice.service._promises  # kept by dialling
    assert await line.promises_made() == before + 1


async def test_a_callback_step_on_sms_is_a_routing_promise_at_the_asked_time(
    line: Line,
) -> None:
    before = await line.promises_made()
    sms = Customer(Live(line.services, line.bot), Channel.SMS, CALLER)
    await sms.say("Inne pytanie")
    await sms.say("Czy sprzedajecie rowery elektryczne?")  # not in the FAQ: offers a callback
    await sms.say("1")
    await sms.say(CALLER)
    mark = len(line.timeline.events)
    await sms.say("2030-05-06 15:00")
    made = await line.timeline.wait(promise, after=mark)
    assert made.channel == "sms" and made.meta["number"] == CALLER
    asked = datetime(2030, 5, 6, 13, 0, tzinfo=UTC)  # 15:00 in Warsaw
    assert datetime.fromisoformat(made.meta["due_at"]) >= asked
    router = line.services.router
    assert router is not None and router.task_for(made.meta["promise_id"]) is not None
    assert await line.promises_made() == before + 1


def _case_fields(conn: Connection, case_id: str) -> dict[str, Any]:
    row = conn.execute(select(t.cases.c.fields).where(t.cases.c.id == case_id)).one()
    fields: dict[str, Any] = row.fields
    return fields


async def test_a_silent_caller_reaches_a_person(line: Line) -> None:
    line.ivr.digit_timeout = 0.2  # seconds to wait for a key: nobody presses one
    line.ivr.retries = 1
    line.ivr.speech = SpeechSynth(line.ivr.speech.directory, espeak="")  # short tones
    call = await line.call(CALLER)
    note = await line.timeline.wait(is_note)
    assert note.meta["handover"]["channel"] == "voice"
    await line.timeline.wait(call_event("queued"))
    await call.hangup()


async def test_the_flow_says_goodbye_and_ends_the_call(line: Line) -> None:
    call = await line.call(CALLER)
    await line.timeline.wait(prompted)
    await line.press(call, "5", prompted)  # opening hours, then "anything else?"
    ended = await line.press(call, "2", call_event("ended"))  # no, thanks
    rows = await line.rows(ended.interaction_id or "")
    said = [r.body for r in rows if r.kind == "message_out"]
    assert said[-1].startswith("Dziękuję za telefon")
    choice = next(r for r in rows if (r.meta or {}).get("call") == "ivr_choice")
    assert choice.meta["path"] == ["hours", "no"] and choice.meta["action"] == "hangup"
