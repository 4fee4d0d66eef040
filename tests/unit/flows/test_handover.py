"""At every input step of the demo flow, asking for a person reaches routing with context."""

from __future__ import annotations

from collections import deque

import pytest

from omnicenter.flows import HANDOVER_VALUE, Flow, FlowEngine, Turn
from omnicenter.flows.model import Ask, Choose, Collect

SAMPLES = {
    "order_number": "10001",
    "email": "anna@example.com",
    "phone": "601234567",
    "date": "jutro",
    "datetime": "jutro 15:00",
    "number": "1",
}


def reach_every_input_step(engine: FlowEngine, flow: Flow) -> dict[str, Turn]:
    """Breadth-first over answers until every prompt of the flow was shown once."""
    first = engine.start(
        flow, conversation_id="c", channel="webchat", lang="pl", customer_id="cus_anna"
    )
    reached: dict[str, Turn] = {}
    queue = deque([first])
    while queue:
        turn = queue.popleft()
        prompt = turn.prompt
        if prompt is None or prompt.step in reached:
            continue
        reached[prompt.step] = turn
        step = flow.steps[prompt.step]
        if isinstance(step, Choose):
            answers = [str(i) for i in range(1, len(step.options) + 1)]
        elif isinstance(step, Collect):
            answers = [SAMPLES.get(step.kind.value, "koszulka")]
        else:
            answers = ["koszulka czerwona M", "pogoda"]
        for answer in answers:
            queue.append(engine.handle(flow, turn.state, answer))
    return reached


def input_steps(flow: Flow) -> set[str]:
    return {sid for sid, s in flow.steps.items() if isinstance(s, Choose | Ask | Collect)}


@pytest.mark.parametrize(
    "escape", ["człowiek", "chcę rozmawiać z konsultantem", "agent please", "0", HANDOVER_VALUE]
)
def test_asking_for_a_person_at_every_step(
    engine: FlowEngine, shop_flow: Flow, escape: str
) -> None:
    reached = reach_every_input_step(engine, shop_flow)
    assert set(reached) == input_steps(shop_flow)
    for step_id, turn in reached.items():
        after = engine.handle(shop_flow, turn.state, escape)
        handover = after.handover
        assert handover is not None, step_id
        assert handover.reason == "requested" and handover.step == step_id
        assert handover.queue == "shop" and handover.customer_id == "cus_anna"
        assert handover.fields == turn.state.fields  # everything collected so far
        assert handover.transcript[-1] == ("bot", after.outputs[0].text)  # type: ignore[union-attr]
        assert ("customer", escape) in handover.transcript
        context = handover.to_context()
        assert context["flow"] == {"id": "shop", "version": 1, "step": step_id}


def test_context_carries_what_the_bot_already_asked(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = engine.start(
        shop_flow, conversation_id="c", channel="sms", lang="pl", customer_id="cus_anna"
    )
    for text in ["1", "10001", "tak", "3", "koszulka czerwona M", "tak", "4", "1", "konsultant"]:
        turn = engine.handle(shop_flow, turn.state, text)
    handover = turn.handover
    assert handover is not None
    assert handover.fields["order_number"] == "10001" and handover.fields["topic"] == "returns"
    assert [f["key"] for f in handover.facts] == ["order:10001", "price:TSH-RED-M:cus_anna"]
    assert handover.intent == "return"


def test_extra_escape_words_from_settings(engine: FlowEngine) -> None:
    from omnicenter.flows import parse_flow

    flow = parse_flow(
        "flow: f\nversion: 1\nstart: a\nsettings: {escape_words: [pomocy]}\n"
        "steps:\n  a:\n    ask: q\n    text: Question\n    next: b\n  b:\n    end: bye\n"
    )
    turn = engine.start(flow, conversation_id="c", channel="webchat")
    assert engine.handle(flow, turn.state, "Pomocy!").handover is not None
