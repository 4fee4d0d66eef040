"""The keypad flow (examples/flows/phone.yaml) rendered for the phone: every prompt has a
digit map with 0 for a person, numbers end with #, and answers carry their facts."""

from __future__ import annotations

from omnicenter.flows import HANDOVER_VALUE, CallbackRequest, FlowEngine, load_flow, render

from .conftest import ROOT

PHONE = load_flow(ROOT / "examples" / "flows" / "phone.yaml")


def test_every_menu_is_a_digit_map_with_zero_for_a_person(engine: FlowEngine) -> None:
    turn = engine.start(PHONE, conversation_id="c1", channel="voice", lang="pl")
    (spoken,) = render(turn.outputs, "voice", "pl")
    assert spoken.dtmf == {
        "1": "order",
        "2": "stock",
        "3": "price",
        "4": "returns",
        "5": "hours",
        "6": "callback",
        "0": HANDOVER_VALUE,
    }
    assert "Wciśnij 3: cena produktu" in (spoken.speech or "")


def test_keys_reach_a_price_and_an_order_status(engine: FlowEngine) -> None:
    turn = engine.start(
        PHONE,
        conversation_id="c2",
        channel="voice",
        lang="pl",
        identities=["phone:+48600100200"],  # Anna calls from the number on her orders
    )
    for keys in ("price", "TSH-RED-M"):
        turn = engine.handle(PHONE, turn.state, keys)
    (spoken,) = render(turn.outputs, "voice", "pl")
    assert [f["key"] for f in spoken.facts] == ["price:TSH-RED-M:-"]  # no customer: no tier
    for keys in ("yes", "order", "10001"):
        turn = engine.handle(PHONE, turn.state, keys)
    assert [f["key"] for f in turn.state.facts][-1] == "order:10001"


def test_the_callback_goes_to_the_number_calling_as_soon_as_possible(
    engine: FlowEngine,
) -> None:
    turn = engine.start(
        PHONE, conversation_id="c3", channel="voice", lang="pl", fields={"phone": "+48601000111"}
    )
    turn = engine.handle(PHONE, turn.state, "callback")
    (request,) = [o for o in turn.outputs if isinstance(o, CallbackRequest)]
    assert request.phone == "+48601000111" and request.at is None
    assert turn.ended
