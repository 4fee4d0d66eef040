"""Nothing asked twice: a customer who starts with the chat bot and goes on by SMS is on the
same case, and the SMS bot goes on from what the chat collected instead of starting over."""

from __future__ import annotations

from omnicenter.domain import Channel

from .conftest import Customer, Live

OWNER_PHONE = "+48600100200"  # on order 10001 in the demo catalog


async def test_the_sms_bot_goes_on_from_the_chat(live: Live) -> None:
    chat = Customer(live, Channel.WEBCHAT, "vis_across", phone=OWNER_PHONE)
    asked = await chat.say("status zamówienia")
    assert any("10001" in m.body for m in asked)  # the order-number question ("e.g. 10001")
    # she leaves the chat and texts the number from her phone
    sms = Customer(live, Channel.SMS, OWNER_PHONE)
    answer = await sms.say("10001")
    assert sms.interaction_id is not None and chat.interaction_id is not None
    chat_case = await live.services.runtime.read(_case_of, chat.interaction_id)
    sms_case = await live.services.runtime.read(_case_of, sms.interaction_id)
    assert sms_case == chat_case  # one case: the text joined the chat's
    facts = [f["key"] for m in answer for f in (m.meta or {}).get("facts", [])]
    assert facts == ["order:10001"]  # answered at once: the number proved by her phone
    assert not any("Jestem asystentem" in m.body for m in answer)  # no greeting, no menu


async def test_after_a_goodbye_the_next_channel_starts_afresh(live: Live) -> None:
    chat = Customer(live, Channel.WEBCHAT, "vis_bye", phone="+48600999111")
    await chat.say("Ile kosztuje koszulka czerwona M?")
    await chat.say("2")  # anything else? no: goodbye
    sms = Customer(live, Channel.SMS, "+48600999111")
    answer = await sms.say("Dzień dobry")
    assert any("Jestem asystentem" in m.body for m in answer)  # a new conversation


def _case_of(conn, interaction_id):  # type: ignore[no-untyped-def]
    from omnicenter.store import cases as cases_repo

    interaction = cases_repo.get_interaction(conn, interaction_id)
    return interaction.case_id
