"""Order data only to its owner: every flow step that tells order data, walked by a
customer who does not own the order, tells nothing and asks for a one-time code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnicenter.flows import ConversationState, Flow, FlowEngine, Status, load_flow
from omnicenter.flows.model import Collect, CollectKind, Lookup, LookupKind
from omnicenter.flows.otp import check_code, issue_code
from omnicenter.knowledge import KnowledgeService

from .conftest import NOW, ROOT

FLOWS = [load_flow(ROOT / "examples" / "flows" / name) for name in ("shop.yaml", "phone.yaml")]
ORDER_DATA = {LookupKind.ORDER_STATUS, LookupKind.RETURN_POLICY}
SECRET = b"test-secret"
# 10001 is Anna's (anna@example.com, +48600100200); these identities are not hers.
STRANGERS = [(), ("webchat:visitor-1",), ("email:jan@example.com",), ("phone:+48601234567",)]
SECRETS_OF_10001 = ("620123456789012345678901", "InPost", "wysłane", "shipped")


def order_collects(flow: Flow) -> list[Collect]:
    """Collect steps whose value reaches a lookup of order data."""
    found = []
    for step in flow.steps.values():
        if isinstance(step, Collect) and step.kind is CollectKind.ORDER_NUMBER:
            target = flow.steps[step.next]
            if isinstance(target, Lookup) and target.kind in ORDER_DATA:
                found.append(step)
    return found


def test_every_order_lookup_is_reached_through_a_walked_collect() -> None:
    for flow in FLOWS:
        lookups = {
            s.id for s in flow.steps.values() if isinstance(s, Lookup) and s.kind in ORDER_DATA
        }
        walked = {c.next for c in order_collects(flow)}
        assert lookups and lookups == walked, flow.id


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.id)
@pytest.mark.parametrize("identities", STRANGERS, ids=str)
@pytest.mark.parametrize("secret", [SECRET, None], ids=["code", "no-code"])
def test_a_stranger_is_told_no_order_data_at_any_step(
    knowledge: KnowledgeService,
    flow: Flow,
    identities: tuple[str, ...],
    secret: bytes | None,
) -> None:
    engine = FlowEngine(knowledge, clock=lambda: NOW, otp_secret=secret)
    for collect in order_collects(flow):
        state = ConversationState(
            "c-privacy",
            flow.id,
            flow.version,
            "webchat",
            "pl",
            identities=identities,
            step=collect.id,
        )
        turn = engine.handle(flow, state, "10001")
        assert not turn.state.facts, (collect.id, turn.state.facts)
        assert not any(s in turn.text for s in SECRETS_OF_10001), turn.text
        if secret is None:
            assert turn.handover is not None and turn.handover.reason == "verification_required"
        else:
            request = turn.verification
            assert request is not None and request.address == "anna@example.com"
            assert request.code not in turn.text  # the code goes to the order's address only
            assert "a***@example.com" in turn.text


def test_the_owner_is_told_at_once(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = engine.start(
        shop_flow, conversation_id="c", channel="sms", identities=["phone:600 100 200"]
    )
    turn = engine.handle(shop_flow, turn.state, "gdzie jest zamówienie 10001")
    assert "620123456789012345678901" in turn.text
    assert turn.verification is None


def test_pre_collected_order_number_is_protected_too(engine: FlowEngine, shop_flow: Flow) -> None:
    turn = engine.start(
        shop_flow,
        conversation_id="c",
        channel="sms",
        known={"topic": "order", "order_number": "10001"},
    )
    assert "620123456789012345678901" not in turn.text
    assert not turn.state.facts


def test_the_right_code_tells_the_order_and_wrong_ones_hand_over(
    knowledge: KnowledgeService, shop_flow: Flow
) -> None:
    engine = FlowEngine(knowledge, clock=lambda: NOW, otp_secret=SECRET)
    start = engine.start(shop_flow, conversation_id="c7", channel="webchat", lang="en")
    asked = engine.handle(shop_flow, start.state, "where is my order 10001")
    request = asked.verification
    assert request is not None and request.code in request.text
    told = engine.handle(shop_flow, asked.state, request.code, NOW + timedelta(minutes=2))
    assert "Parcel by InPost" in told.text
    assert "email:anna@example.com" in told.state.verified
    wrong = asked
    for _ in range(3):
        wrong = engine.handle(shop_flow, wrong.state, "000000")
        assert "InPost" not in wrong.text
    assert wrong.handover is not None and wrong.handover.reason == "verification_failed"
    late = engine.handle(shop_flow, asked.state, request.code, NOW + timedelta(minutes=11))
    assert "InPost" not in late.text and late.state.status is Status.ACTIVE


def test_a_code_belongs_to_its_conversation_address_and_time() -> None:
    code = issue_code(SECRET, "c1", "anna@example.com", NOW)
    assert len(code) == 6 and code.isdigit()
    assert check_code(SECRET, "c1", "anna@example.com", NOW, f" {code} ", NOW)
    assert not check_code(SECRET, "c2", "anna@example.com", NOW, code, NOW)
    assert not check_code(SECRET, "c1", "jan@example.com", NOW, code, NOW)
    assert not check_code(b"other", "c1", "anna@example.com", NOW, code, NOW)
    assert not check_code(SECRET, "c1", "anna@example.com", NOW, code, NOW + timedelta(minutes=11))
