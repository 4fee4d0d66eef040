"""The same customer asks the same questions on web chat, SMS and email: the same facts.

The phone (a real SIP call pressing keys through the flow IVR) is compared with these in
`tests/integration/voice/test_voice_flow.py`, which needs the SIP endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

from omnicenter.domain import Channel

from .conftest import Customer, Live

QUESTIONS = {
    "price": ["Ile kosztuje koszulka czerwona M?"],
    "stock": ["dostępność", "koszulka czerwona M"],
}
# Order data is told to its owner only: the same customer on every channel owning an
# order needs the channels' identities passed to the bot (see docs/flows.md, "Who asks").
FACT_KEYS = {
    "price": "price:TSH-RED-M",
    "stock": "stock:TSH-RED-M:*",
}


async def test_every_channel_is_told_the_same_facts(live: Live) -> None:
    since = datetime.now(UTC)
    email, phone = "kasia@example.com", "+48603111222"
    customers = [
        Customer(live, Channel.WEBCHAT, "vis_kasia", email=email, phone=phone),
        Customer(live, Channel.SMS, phone),
        Customer(live, Channel.EMAIL, email),
    ]
    told: dict[str, dict[str, dict]] = {}  # type: ignore[type-arg]
    for customer in customers:
        for topic, script in QUESTIONS.items():
            answer = []
            for text in script:
                answer = await customer.say(text)
            facts = [f for m in answer for f in (m.meta or {}).get("facts", [])]
            assert facts, f"{customer.channel} got no fact for {topic}: {answer}"
            assert facts[-1]["key"].startswith(FACT_KEYS[topic])
            told.setdefault(topic, {})[customer.channel.value] = facts[-1]["value"]
            await customer.say("1")  # "anything else?" -> yes: back to the menu
    for topic, per_channel in told.items():
        assert len(per_channel) == 3
        assert len({repr(v) for v in per_channel.values()}) == 1, (topic, per_channel)
    assert await live.bot.audit(since) == []


async def test_the_audit_finds_a_channel_that_was_told_otherwise(live: Live) -> None:
    since = datetime.now(UTC)
    chat = Customer(live, Channel.WEBCHAT, "vis_audit", phone="+48603999000")
    sms = Customer(live, Channel.SMS, "+48603999000")
    await chat.say("Ile kosztuje koszulka czerwona M?")
    await live.services.runtime.write(_tamper_last_fact, chat.interaction_id)
    await sms.say("Ile kosztuje koszulka czerwona M?")
    found = await live.bot.audit(since)
    assert [(i.first.channel, i.second.channel) for i in found] == [("webchat", "sms")]
    assert not found[0].explained_by_update


def _tamper_last_fact(uow, interaction_id):  # type: ignore[no-untyped-def]
    """What a channel with its own cached price would have said."""
    from sqlalchemy import desc, select, update

    from omnicenter.store import tables as t

    row = uow.conn.execute(
        select(t.events.c.id, t.events.c.meta)
        .where(t.events.c.interaction_id == interaction_id, t.events.c.author_type == "bot")
        .where(t.events.c.kind == "message_out")
        .order_by(desc(t.events.c.created_at))
    ).all()
    target = next(r for r in row if r.meta.get("facts"))
    meta = dict(target.meta)
    meta["facts"] = [{**meta["facts"][0], "value": {"currency": "PLN", "final_minor": 1}}]
    uow.conn.execute(update(t.events).where(t.events.c.id == target.id).values(meta=meta))


async def test_nobody_is_told_an_order_that_is_not_theirs(live: Live) -> None:
    strangers = [
        Customer(live, Channel.WEBCHAT, ""),
        Customer(live, Channel.SMS, "+48603999888"),
        Customer(live, Channel.EMAIL, "mallory@example.com"),
    ]
    for customer in strangers:
        said = " ".join(m.body for m in await customer.say("gdzie jest zamówienie 10001?"))
        assert "620123456789012345678901" not in said and "InPost" not in said, said
