from __future__ import annotations

import pytest

from omnicenter.flows import FlowEngine, FlowRegistry, VersionError, parse_flow

V1 = "flow: hi\nversion: 1\nstart: a\nsteps:\n  a:\n    ask: name\n    text: Name?\n    next: b\n  b:\n    end: Bye v1\n"
V2 = V1.replace("version: 1", "version: 2").replace("Bye v1", "Bye v2")


def test_a_new_version_applies_to_new_conversations_only() -> None:
    registry = FlowRegistry()
    engine = FlowEngine()
    registry.publish(parse_flow(V1))
    old = engine.start(registry.latest("hi"), conversation_id="old", channel="sms")
    registry.publish(parse_flow(V2))
    new = engine.start(registry.latest("hi"), conversation_id="new", channel="sms")
    old_end = engine.handle(registry.get("hi", old.state.flow_version), old.state, "Ann")
    new_end = engine.handle(registry.get("hi", new.state.flow_version), new.state, "Ann")
    assert old_end.text == "Bye v1" and new_end.text == "Bye v2"
    assert registry.versions("hi") == [1, 2]


def test_versions_must_grow_and_states_must_match() -> None:
    registry = FlowRegistry()
    registry.publish(parse_flow(V2))
    with pytest.raises(VersionError):
        registry.publish(parse_flow(V1))
    engine = FlowEngine()
    state = engine.start(parse_flow(V1), conversation_id="c", channel="sms").state
    with pytest.raises(ValueError, match="runs hi v1, not hi v2"):
        engine.handle(parse_flow(V2), state, "x")
    with pytest.raises(VersionError):
        registry.get("hi", 7)
