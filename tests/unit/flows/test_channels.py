"""The consistency suite: the same questions on web chat, SMS, email and the phone IVR
give the same facts, and each channel shows them in its own way."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnicenter.domain import Channel
from omnicenter.flows import HANDOVER_VALUE, Flow, FlowEngine, Turn, render
from omnicenter.knowledge import InMemoryAnswerLog, ToldFact, find_inconsistencies

from .conftest import NOW

# (question path as option ids, free-text answers); each channel sends them its own way
QUESTIONS = {
    "price": (["price"], ["czerwona koszulka M"]),
    "stock": (["stock"], ["bluza szara M"]),
    "order": (["order"], ["10001"]),
    "return_deadline": (["returns", "return"], ["10002"]),
}
# Order data is told only to its owner: 10002 is Jan's, the rest Anna's.
ASKER = {"return_deadline": "cus_jan"}
CHANNELS = [Channel.WEBCHAT, Channel.SMS, Channel.EMAIL, Channel.VOICE]


def ask(
    engine: FlowEngine,
    flow: Flow,
    channel: Channel,
    path: list[str],
    answers: list[str],
    customer_id: str = "cus_anna",
) -> Turn:
    """Drive the flow as a customer of `channel` would: press a button, type a number or
    press a digit, reading the options from what the renderer showed."""
    turn = engine.start(
        flow,
        conversation_id=f"c-{channel}",
        channel=channel.value,
        lang="pl",
        customer_id=customer_id,
    )
    for option_id in path:
        shown = render(turn.outputs, channel, "pl")[-1]
        if channel is Channel.WEBCHAT:
            reply = next(b.value for b in shown.buttons if b.value == option_id)
        elif channel is Channel.VOICE:
            reply = next(d for d, v in shown.dtmf.items() if v == option_id)
        else:
            prompt = turn.prompt
            assert prompt is not None
            number = next(o.number for o in prompt.options if o.value == option_id)
            assert f"{number}. " in shown.text
            reply = str(number)
        turn = engine.handle(flow, turn.state, reply)
    for text in answers:
        turn = engine.handle(flow, turn.state, text)
    return turn


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_same_facts_on_every_channel(engine: FlowEngine, shop_flow: Flow, question: str) -> None:
    path, answers = QUESTIONS[question]
    log = InMemoryAnswerLog()
    answers_by_channel: dict[Channel, tuple[list[object], str]] = {}
    for i, channel in enumerate(CHANNELS):
        turn = ask(engine, shop_flow, channel, path, answers, ASKER.get(question, "cus_anna"))
        facts = [(f["key"], f["value"]) for f in turn.state.facts]
        assert facts, f"{channel}: no fact was told"
        told_text = next(
            line
            for role, line in turn.state.transcript[::-1]
            if role == "bot" and any(ch.isdigit() for ch in line)
        )
        answers_by_channel[channel] = (facts, told_text)
        for fact in turn.state.facts:
            log.record(
                ToldFact(
                    channel.value,
                    "cus_anna",
                    fact["key"],
                    fact["value"],
                    NOW + timedelta(minutes=i),
                    fact["revision"],
                )
            )
    first = answers_by_channel[Channel.WEBCHAT]
    for channel, answer in answers_by_channel.items():
        assert answer == first, channel
    assert find_inconsistencies(log.entries) == []


def test_webchat_and_messenger_get_buttons_with_a_person_button(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = engine.start(shop_flow, conversation_id="c", channel="webchat", lang="en")
    greeting, menu = render(turn.outputs, Channel.WEBCHAT, "en")
    assert greeting.text.startswith("Hello!") and not greeting.buttons
    assert [b.value for b in menu.buttons] == [
        "order",
        "stock",
        "price",
        "returns",
        "hours",
        "other",
        "shipping",
        HANDOVER_VALUE,
    ]
    assert menu.buttons[-1].label == "Talk to a person"
    messenger = render(turn.outputs, Channel.MESSENGER, "en")[-1]
    assert all(len(b.label) <= 20 for b in messenger.buttons)


def test_sms_and_email_get_one_numbered_message_per_turn(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = engine.start(shop_flow, conversation_id="c", channel="sms", lang="pl")
    [sms] = render(turn.outputs, Channel.SMS, "pl")
    lines = sms.text.split("\n")
    assert lines[0] == "Dzień dobry! Jestem asystentem sklepu Omni."
    assert lines[2:4] == ["1. Status zamówienia", "2. Dostępność produktu"]
    assert "0. Rozmowa z konsultantem" in lines and lines[-1] == "Odpisz numerem."
    [email] = render(turn.outputs, Channel.EMAIL, "pl")
    assert "\n\n1. Status zamówienia" in email.text


def test_phone_gets_speech_and_a_digit_map(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = engine.start(shop_flow, conversation_id="c", channel="voice", lang="en")
    [prompt] = render(turn.outputs, Channel.VOICE, "en")
    assert prompt.dtmf["1"] == "order" and prompt.dtmf["0"] == HANDOVER_VALUE
    assert prompt.speech is not None
    assert "Press 1 for Order status." in prompt.speech and prompt.speech.endswith(
        "Press 0 to talk to a person."
    )
    after = engine.handle(shop_flow, turn.state, "0")
    assert after.handover is not None and after.handover.channel == "voice"


def test_rendered_message_becomes_an_outbound_message(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = engine.start(
        shop_flow, conversation_id="c", channel="webchat", lang="pl", customer_id="cus_anna"
    )
    turn = engine.handle(shop_flow, turn.state, "1")
    turn = engine.handle(shop_flow, turn.state, "10001")
    answer = render(turn.outputs, Channel.WEBCHAT, "pl")[0]
    assert answer.facts and answer.facts[0]["key"] == "order:10001"  # the agent sees the source
    out = answer.to_outbound("visitor-1", "int_1", "evt_1")
    assert out.channel is Channel.WEBCHAT and out.body.startswith("Zamówienie 10001")
    assert out.meta["facts"][0]["sources"] == ["orders/10001 (orders.json:2, rev 1)"]
