"""What the bot understands: no invented product matches, shipping cost, escape phrases
with their negations, values given before they are asked, fields known from earlier."""

from __future__ import annotations

import pytest

from omnicenter.flows import Flow, FlowEngine, Turn, is_escape


def chat(engine: FlowEngine, flow: Flow, inputs: list[str], lang: str = "en") -> Turn:
    turn = engine.start(flow, conversation_id="c", channel="webchat", lang=lang)
    for text in inputs:
        turn = engine.handle(flow, turn.state, text)
    return turn


@pytest.mark.parametrize(
    ("inputs", "said", "never"),
    [
        (
            ["stock", "is the black mug in stock"],
            "We have the Ceramic mug in white; not in black.",
            "MUG-WHT",
        ),
        (["price", "red TV"], "We do not have that product.", "59.99"),
        (
            ["price", "running shoes size 44"],
            "We have the Running shoes in 42, 43; not in 44.",
            "349",
        ),
        (["stock", "blue T-shirt L"], "not in blue l", "TSH-"),
    ],
)
def test_no_other_products_facts(
    engine: FlowEngine, shop_flow: Flow, inputs: list[str], said: str, never: str
) -> None:
    turn = chat(engine, shop_flow, inputs)
    assert said in turn.text
    assert never not in turn.text
    assert not turn.state.facts


def test_the_variant_asked_for_is_answered(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, ["price", "running shoes 43"])
    assert turn.state.facts[-1]["key"] == "price:SHO-43:-"


@pytest.mark.parametrize(
    ("text", "lang"), [("Ile kosztuje dostawa?", "pl"), ("how much is the shipping cost", "en")]
)
def test_shipping_cost_is_not_a_product_price(
    engine: FlowEngine, shop_flow: Flow, text: str, lang: str
) -> None:
    turn = chat(engine, shop_flow, [text], lang)
    assert turn.state.facts[-1]["key"] == "faq:shipping-cost"


@pytest.mark.parametrize(
    "text",
    [
        "konsultant",
        "a real person please",
        "prawdziwa osoba",
        "żywy człowiek",
        "nie, chcę konsultanta",
        "0",
    ],
)
def test_asking_for_a_person(text: str) -> None:
    assert is_escape(text)


@pytest.mark.parametrize(
    "text",
    ["nie potrzebuję konsultanta", "I don't need a consultant", "I do not need an agent", "osoba"],
)
def test_not_asking_for_a_person(text: str) -> None:
    assert not is_escape(text)


def test_an_order_number_in_the_first_message_is_used(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = engine.start(
        shop_flow, conversation_id="c", channel="email", identities=["email:Anna@Example.com"]
    )
    turn = engine.handle(shop_flow, turn.state, "Where is my order no. 10001?")
    assert "Order 10001: shipped" in turn.text
    assert turn.prompt is not None and turn.prompt.step == "more"


def test_fields_known_from_another_channel_are_not_asked_again(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = engine.start(
        shop_flow,
        conversation_id="c-sms",
        channel="sms",
        lang="pl",
        identities=["phone:+48600100200"],
        known={"topic": "order", "order_number": "10001"},
    )
    assert "Zamówienie 10001: wysłane" in turn.text
    assert turn.state.known == {}
    again = engine.handle(shop_flow, turn.state, "tak")  # "anything else?" -> the menu again
    assert again.prompt is not None and again.prompt.step == "menu"
