"""The typing indicator's typed event, and the wallboard's live figures from an engine view."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from omnicenter.bus.events import TypingIndicator, bus_event_adapter
from omnicenter.domain import Channel, Presence
from omnicenter.routing import AgentView, QueueView, Snapshot, TaskView
from omnicenter.services.wallboard import live_figures


def test_typing_indicator_is_a_typed_event_both_ways() -> None:
    for who in ("customer", "agent"):
        raw = TypingIndicator(interaction_id="int_1", author_type=who).model_dump(mode="json")
        assert raw == {"type": "typing", "interaction_id": "int_1", "author_type": who}
        assert isinstance(bus_event_adapter.validate_python(raw), TypingIndicator)
    with pytest.raises(ValidationError):
        TypingIndicator(interaction_id="int_1", author_type="bot")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        bus_event_adapter.validate_python(
            {"type": "typing", "interaction_id": "i", "author_type": "agent", "body": "x"}
        )


def _queue(name: str, channel: Channel, waiting: int, oldest: float) -> QueueView:
    return QueueView(name, channel, waiting, oldest, 30.0, 4, 3, 1, 0.75, 0.8, 30.0, True)


def test_live_figures_count_filed_and_offered_tasks_and_engine_states() -> None:
    board = {
        "channels": {"webchat": {"waiting": 9, "longest_wait_s": 999, "open": 5, "offered": 7}},
        "agents": [{"id": "agt_a", "presence": "available"}],
        "agents_by_state": {"available": 3},
    }
    snap = Snapshot(
        at=1000.0,
        queues=(_queue("general", Channel.WEBCHAT, 2, 40.0), _queue("vip", Channel.EMAIL, 1, 5.0)),
        agents=(
            AgentView("agt_a", Presence.BUSY, None, {Channel.WEBCHAT: 3}, "t", False, 1, 1, 0, 0),
        ),
        agents_by_state={Presence.BUSY: 1},
        waiting=3,
    )
    offered = [TaskView("tsk_1", "general", Channel.WEBCHAT, "offered", "agt_a", 2, 900.0, 0.0, 1)]
    out = live_figures(board, snap, offered)
    assert out["source"] == "routing"
    assert out["channels"]["webchat"]["waiting"] == 3  # two filed, one offered
    assert out["channels"]["webchat"]["longest_wait_s"] == 100  # the offered one waits longest
    assert out["channels"]["webchat"]["offered"] == 7  # today's totals stay from the database
    assert out["channels"]["email"]["waiting"] == 1
    assert out["agents_by_state"] == {"busy": 1}
    assert out["agents"][0]["routing_state"] == "busy"
