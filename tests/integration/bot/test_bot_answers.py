"""The bot answers web chat, SMS and email from the same knowledge, rendered per channel."""

from __future__ import annotations

from omnicenter.domain import Channel

from .conftest import Customer, Live

PRICE_QUESTION = "Ile kosztuje koszulka czerwona M?"


def _facts(messages: list) -> list[dict]:  # type: ignore[type-arg]
    return [f for m in messages for f in (m.meta or {}).get("facts", [])]


async def test_webchat_and_sms_get_the_same_price(live: Live) -> None:
    chat = Customer(live, Channel.WEBCHAT, "vis_price")
    sms = Customer(live, Channel.SMS, "+48601000111")

    chat_answer = await chat.say(PRICE_QUESTION)
    sms_answer = await sms.say(PRICE_QUESTION)

    chat_facts, sms_facts = _facts(chat_answer), _facts(sms_answer)
    assert [f["key"].split(":")[1] for f in chat_facts] == ["TSH-RED-M"]
    assert chat_facts[0]["value"] == sms_facts[0]["value"]
    price = "53,99 zł"  # 59,99 zł less the 10% apparel rule (no loyalty account)
    assert any(price in m.body for m in chat_answer)
    assert any(price in m.body for m in sms_answer)
    assert all(m.author_type == "bot" for m in chat_answer + sms_answer)


async def test_webchat_gets_buttons_and_sms_numbered_options(live: Live) -> None:
    chat_answer = await Customer(live, Channel.WEBCHAT, "vis_menu").say("Dzień dobry")
    sms_answer = await Customer(live, Channel.SMS, "+48601000222").say("Dzień dobry")

    buttons = [b for m in chat_answer for b in (m.meta or {}).get("buttons", [])]
    assert {"label": "Cena produktu", "value": "price"} in buttons
    assert buttons[-1]["value"] == "__handover__"
    assert len(sms_answer) == 1  # an SMS costs: the whole turn in one message
    assert "3. Cena produktu" in sms_answer[0].body
    assert "0. Rozmowa z konsultantem" in sms_answer[0].body
    assert "buttons" not in (sms_answer[0].meta or {})


async def test_a_greeting_is_not_a_failure(live: Live) -> None:
    chat = Customer(live, Channel.WEBCHAT, "vis_hello")
    await chat.say("Dzień dobry")
    answer = await chat.say("3")  # the price button's number
    assert chat.interaction_id is not None
    state = await live.bot.conversation(chat.interaction_id)
    assert state is not None and state.failures == 0 and state.step == "ask_price_product"
    assert "Cenę którego produktu sprawdzić?" in answer[-1].body


async def test_an_email_gets_an_answer_in_the_thread(live: Live) -> None:
    mail = Customer(live, Channel.EMAIL, "marta@example.com")
    answer = await mail.say("Dzień dobry, ile kosztuje kubek ceramiczny? Pozdrawiam")
    assert len(answer) == 1
    body = answer[0].body
    assert "MUG-WHT" in body and "\n\n" in body  # paragraphs, numbered options below
    assert answer[0].meta["subject"] == f"Re: {mail.subject}"
    await live.services.dispatcher.drain()
    rows = await live.services.runtime.read(_outbox_of, answer[0].id)
    assert [(r.channel, r.to_address, r.status) for r in rows] == [
        ("email", "marta@example.com", "stored")  # no relay configured: kept in the outbox
    ]
    follow_up = await mail.say("1")  # "anything else?" -> yes: threaded, same conversation
    assert "W czym mogę pomóc?" in follow_up[0].body


async def test_state_survives_a_new_bot_instance(live: Live) -> None:
    """The conversation lives in the database, not in the handle."""

    from .conftest import CATALOG, FLOW

    chat = Customer(live, Channel.WEBCHAT, "vis_restart")
    await chat.say("cena")
    await live.bot.stop()
    live.bot = await live.services.attach_bot(FLOW, CATALOG)
    answer = await chat.say("kubek ceramiczny")
    assert "MUG-WHT" in answer[0].body


def _outbox_of(conn, event_id):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from omnicenter.store import tables as t

    return list(conn.execute(select(t.outbox).where(t.outbox.c.event_id == event_id)))
