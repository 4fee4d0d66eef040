"""Conversations with the demo shop flow, in Polish and English."""

from __future__ import annotations

import json

from omnicenter.flows import (
    HANDOVER_VALUE,
    CallbackRequest,
    ConversationState,
    Flow,
    FlowEngine,
    Status,
    Turn,
)


def chat(engine: FlowEngine, flow: Flow, inputs: list[str], **start: object) -> Turn:
    turn = engine.start(
        flow, conversation_id="c1", channel=str(start.pop("channel", "webchat")), **start
    )  # type: ignore[arg-type]
    for text in inputs:
        turn = engine.handle(flow, turn.state, text)
    return turn


def test_polish_price_question_for_a_gold_customer(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, ["ile kosztuje", "czerwona koszulka M"], customer_id="cus_anna")
    assert "51,29 zł zamiast 59,99 zł" in turn.text
    assert turn.state.facts[-1]["key"] == "price:TSH-RED-M:cus_anna"
    assert "variants/TSH-RED-M (variants.csv:2, rev 1)" in turn.state.facts[-1]["sources"]


def test_english_is_detected_from_the_first_message(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(
        engine, shop_flow, ["where is my order", "10001"], identities=["email:anna@example.com"]
    )
    assert turn.state.lang == "en"
    assert "Order 10001: shipped. Parcel by InPost" in turn.text


def test_choice_by_number_button_value_or_words(engine: FlowEngine, shop_flow: Flow) -> None:
    for first in ("5", "hours", "godziny otwarcia", "kiedy jesteście otwarci", "opening hours"):
        turn = chat(engine, shop_flow, [first], lang="pl")
        assert "Godziny otwarcia: pn 08:00-20:00" in turn.text, first


def test_fuzzy_match_survives_typos_and_missing_diacritics(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = chat(engine, shop_flow, ["zwroty", "zwort"], lang="pl")
    assert turn.prompt is not None and turn.prompt.step == "return_order"
    turn = chat(engine, shop_flow, ["reklamacja"], lang="pl")
    assert turn.prompt is not None and turn.prompt.step == "returns_menu"


def test_invalid_order_number_is_asked_again_then_handed_over(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = chat(engine, shop_flow, ["1", "nie wiem"], lang="pl")
    assert turn.prompt is not None and turn.prompt.retry
    assert "Numer zamówienia to same cyfry" in turn.text
    turn = engine.handle(shop_flow, turn.state, "jeszcze nie wiem")
    assert turn.handover is not None and turn.handover.reason == "failures"
    assert turn.state.status is Status.HANDOVER


def test_low_confidence_guesses_twice_hand_over_as_low_confidence(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    # "status" half-matches "status zamówienia"... and the second time it is no better.
    turn = chat(engine, shop_flow, ["dostęp produkt cena"], lang="pl")
    assert turn.prompt is not None and turn.prompt.retry
    turn = engine.handle(shop_flow, turn.state, "dostęp produkt cena")
    assert turn.handover is not None and turn.handover.reason == "low_confidence"


def test_a_success_resets_the_failure_count(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, ["bzdura", "1", "bzdura"], lang="pl")
    assert turn.handover is None and turn.state.failures == 1


def test_unknown_order_goes_to_a_person_with_the_number(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = chat(engine, shop_flow, ["1", "99999"], lang="pl")
    assert turn.handover is not None and turn.handover.reason == "flow"
    assert turn.handover.fields["order_number"] == "99999"
    assert "Nie znalazłem zamówienia 99999" in turn.text


def test_complaint_sets_case_fields_and_hands_over_with_skills(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = chat(engine, shop_flow, ["4", "3"], lang="en", customer_id="cus_jan")
    handover = turn.handover
    assert handover is not None
    assert (handover.queue, handover.skills, handover.priority) == (
        "complaints",
        ("complaints",),
        "high",
    )
    assert handover.fields["case_type"] == "complaint" and handover.intent == "complaint"
    assert handover.customer_id == "cus_jan"


def test_return_deadline_for_an_order(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, ["return", "return", "10002"], identities=["phone:601234567"])
    assert "For order 10002 the deadline is 2025-04-04." in turn.text


def test_faq_and_callback(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, ["6", "czy mogę zapłacić blikiem"], lang="pl")
    assert "BLIK, karta" in turn.text
    turn = chat(
        engine,
        shop_flow,
        ["6", "pogoda w Krakowie", "tak", "601 234 567", "jutro 15:00"],
        lang="pl",
    )
    callback = next(o for o in turn.outputs if isinstance(o, CallbackRequest))
    assert callback.phone == "+48601234567"
    assert callback.at is not None and callback.at.isoformat() == "2025-03-21T14:00:00+00:00"


def test_goodbye_ends_and_later_input_gets_a_closed_notice(
    engine: FlowEngine, shop_flow: Flow
) -> None:
    turn = chat(engine, shop_flow, ["5", "2"], lang="en")
    assert turn.ended and turn.state.status is Status.ENDED
    again = engine.handle(shop_flow, turn.state, "hello?")
    assert again.text == "This conversation has ended."


def test_state_survives_json_and_resumes_identically(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, ["3"], lang="pl", customer_id="cus_jan")
    stored = json.dumps(turn.state.to_json())
    resumed = ConversationState.from_json(json.loads(stored))
    assert resumed == turn.state
    a = engine.handle(shop_flow, turn.state, "kubek")
    b = engine.handle(shop_flow, resumed, "kubek")
    assert a == b and "Kubek ceramiczny (MUG-WHT): 29,00 zł zamiast 29,90 zł" in a.text


def test_the_engine_is_pure(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, [], lang="pl")
    before = turn.state.to_json()
    first = engine.handle(shop_flow, turn.state, "1")
    second = engine.handle(shop_flow, turn.state, "1")
    assert first == second and turn.state.to_json() == before


def test_after_handover_the_bot_stays_silent(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = chat(engine, shop_flow, [HANDOVER_VALUE], lang="pl")
    assert engine.handle(shop_flow, turn.state, "halo?").outputs == ()
