"""A customer can reach a person at any step; the agent gets the whole context, and
routing offers the contact only after the handover."""

from __future__ import annotations

import asyncio

import pytest

from omnicenter.bus.events import TaskOffered, TimelineEventAdded
from omnicenter.domain import Channel, Presence
from omnicenter.services.agents import NewAgent, create_agent, set_presence

from .conftest import Customer, Live

STEPS_BEFORE = {
    "first message": [],
    "menu": ["Dzień dobry"],
    "asking the product": ["cena"],
    "asking the order number": ["status zamówienia"],
    "after an answer": ["Ile kosztuje koszulka czerwona M?"],
}


@pytest.mark.parametrize("escape", ["człowiek", "agent"])
@pytest.mark.parametrize("before", list(STEPS_BEFORE))
async def test_escape_word_hands_over_with_context(live: Live, before: str, escape: str) -> None:
    chat = Customer(live, Channel.SMS, f"+4860200{abs(hash((before, escape))) % 10000:04d}")
    for text in STEPS_BEFORE[before]:
        await chat.say(text)
    await chat.say(f"Chcę rozmawiać z {escape}")  # inflected or not, in a sentence
    assert chat.interaction_id is not None
    notes = [e for e in await live.timeline(chat.interaction_id) if e.kind == "note"]
    assert len(notes) == 1 and notes[0].author_type == "bot"
    context = notes[0].meta["handover"]
    assert context["reason"] == "requested"
    said = [line["text"] for line in context["transcript"] if line["role"] == "customer"]
    assert said[-1] == f"Chcę rozmawiać z {escape}"
    case = await live.services.runtime.read(_case_of, chat.interaction_id)
    assert case.fields["queue"] == "shop"
    assert case.fields["bot_handover"]["note_event_id"] == notes[0].id
    if before == "after an answer":
        assert context["intent"] == "price"
        assert [f["key"].split(":")[1] for f in context["facts"]] == ["TSH-RED-M"]
        assert "Told price:TSH-RED-M" in notes[0].body and "variants.csv:2" in notes[0].body
    # The bot has stopped: the next message waits for a person.
    quiet = await chat.say("halo?")
    assert quiet == []
    assert not live.bot.holds(chat.interaction_id)


async def test_two_failures_hand_over(live: Live) -> None:
    chat = Customer(live, Channel.WEBCHAT, "vis_fail")
    await chat.say("status zamówienia")
    await chat.say("nie wiem")
    await chat.say("naprawdę nie wiem")
    assert chat.interaction_id is not None
    notes = [e for e in await live.timeline(chat.interaction_id) if e.kind == "note"]
    assert notes[0].meta["handover"]["reason"] == "failures"
    assert notes[0].meta["handover"]["intent"] == "order"


async def test_routing_offers_only_after_handover(live: Live) -> None:
    agent = await live.services.runtime.write(
        create_agent, NewAgent("ola", "Ola", skills={"language:pl": 5}), actor="test"
    )
    await live.services.runtime.write(
        set_presence, agent.id, Presence.AVAILABLE, None, actor="test"
    )
    offered = asyncio.Event()
    live.services.bus.subscribe(lambda e: offered.set() if isinstance(e, TaskOffered) else None)
    chat = Customer(live, Channel.WEBCHAT, "vis_route")
    await chat.say("Ile kosztuje koszulka czerwona M?")
    await chat.say("2")  # "anything else?" -> no: goodbye
    await chat.say("Dzień dobry")  # a new conversation after the goodbye
    await chat.say("konsultant")
    await asyncio.wait_for(offered.wait(), timeout=10)
    assert chat.interaction_id is not None
    # In bus order: no offer for this contact while the bot was talking.
    handover_at = next(
        i
        for i, e in enumerate(live.events)
        if isinstance(e, TimelineEventAdded) and e.kind == "note" and e.author_type == "bot"
    )
    offers = [i for i, e in enumerate(live.events) if isinstance(e, TaskOffered)]
    assert offers and min(offers) > handover_at
    offer = live.events[offers[0]]
    assert isinstance(offer, TaskOffered) and offer.to_agent == agent.id
    assert offer.queue == "general"  # "shop" is no queue of the demo routing: the default


def _case_of(conn, interaction_id):  # type: ignore[no-untyped-def]
    from omnicenter.store import cases as cases_repo

    interaction = cases_repo.get_interaction(conn, interaction_id)
    return cases_repo.get_case(conn, interaction.case_id)
