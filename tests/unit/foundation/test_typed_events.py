"""Bus events with typed fields: on the wire (what the desktop's JavaScript reads) each is
the same JSON as when the fields were plain strings, and values outside their set fail."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from omnicenter.bus.events import (
    ROUTING_DECISIONS,
    AgentPresenceChanged,
    BusEvent,
    CaseUpdated,
    MessageDelivered,
    RoutingDecisionMade,
    TaskAssigned,
    TaskOffered,
    TimelineEventAdded,
    bus_event_adapter,
    routing_decision_name,
)
from omnicenter.domain import CaseStatus, Channel, EventKind, Presence, Priority
from omnicenter.domain.messages import DeliveryStatus
from omnicenter.domain.model import AuthorType
from omnicenter.routing import decisions

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

WIRE: list[tuple[BusEvent, dict[str, Any]]] = [
    (
        TimelineEventAdded(
            event_id="evt_1", customer_id="cus_1", case_id="cas_1", interaction_id="int_1",
            kind=EventKind.MESSAGE_IN, channel=Channel.WEBCHAT, author_type=AuthorType.CUSTOMER,
            author_id="cus_1", body="Hi", created_at=AT,
        ),
        {
            "type": "timeline_event", "event_id": "evt_1", "customer_id": "cus_1",
            "case_id": "cas_1", "interaction_id": "int_1", "kind": "message_in",
            "channel": "webchat", "author_type": "customer", "author_id": "cus_1", "body": "Hi",
            "created_at": "2026-03-02T10:00:00Z", "meta": {}, "new_case": False,
        },
    ),
    (
        TimelineEventAdded(
            event_id="evt_2", customer_id="cus_1", case_id="cas_1", interaction_id=None,
            kind=EventKind.NOTE, channel=None, author_type=AuthorType.AGENT, author_id="agt_1",
            body="Called back", created_at=AT,
        ),
        {
            "type": "timeline_event", "event_id": "evt_2", "customer_id": "cus_1",
            "case_id": "cas_1", "interaction_id": None, "kind": "note", "channel": None,
            "author_type": "agent", "author_id": "agt_1", "body": "Called back",
            "created_at": "2026-03-02T10:00:00Z", "meta": {}, "new_case": False,
        },
    ),
    (
        CaseUpdated(
            case_id="cas_1", customer_id="cus_1", status=CaseStatus.PENDING,
            priority=Priority.HIGH, owner_agent_id="agt_1", subject="Zipper",
        ),
        {
            "type": "case_updated", "case_id": "cas_1", "customer_id": "cus_1",
            "status": "pending", "priority": 3, "owner_agent_id": "agt_1", "subject": "Zipper",
        },
    ),
    (
        MessageDelivered(
            event_id="evt_1", outbox_id="out_1", interaction_id="int_1", channel=Channel.SMS,
            status=DeliveryStatus.STORED,
        ),
        {
            "type": "message_delivered", "event_id": "evt_1", "outbox_id": "out_1",
            "interaction_id": "int_1", "channel": "sms", "status": "stored", "error": None,
        },
    ),
    (
        AgentPresenceChanged(agent_id="agt_1", presence=Presence.WRAP_UP),
        {"type": "agent_presence", "agent_id": "agt_1", "presence": "wrap_up", "reason": None},
    ),
    (
        TaskOffered(
            to_agent="agt_1", task_id="tsk_1", case_id="cas_1", customer_id="cus_1",
            channel=Channel.VOICE, queue="general", expires_at=AT, explanation="idle longest",
        ),
        {
            "type": "task_offered", "to_agent": "agt_1", "task_id": "tsk_1", "case_id": "cas_1",
            "customer_id": "cus_1", "channel": "voice", "queue": "general",
            "expires_at": "2026-03-02T10:00:00Z", "explanation": "idle longest",
        },
    ),
    (
        TaskAssigned(
            to_agent="agt_1", task_id="tsk_1", case_id=None, channel=Channel.EMAIL,
            queue="general", explanation="accepted",
        ),
        {
            "type": "task_assigned", "to_agent": "agt_1", "task_id": "tsk_1", "case_id": None,
            "channel": "email", "queue": "general", "explanation": "accepted",
        },
    ),
    (
        RoutingDecisionMade(task_id="tsk_1", decision="Overflowed", explanation="to vip"),
        {
            "type": "routing_decision", "task_id": "tsk_1", "decision": "Overflowed",
            "explanation": "to vip",
        },
    ),
]  # fmt: skip


@pytest.mark.parametrize(("event", "wire"), WIRE, ids=lambda v: getattr(v, "type", ""))
def test_the_wire_format_is_plain_json_and_reads_back_typed(
    event: BusEvent, wire: dict[str, Any]
) -> None:
    assert event.model_dump(mode="json") == wire
    back = bus_event_adapter.validate_python(wire)
    assert back == event
    for name in ("kind", "channel", "author_type", "status", "presence", "priority"):
        value = getattr(back, name, None)
        if value is not None:  # read back as the domain's enum, not a bare string
            assert type(value) is type(getattr(event, name))


@pytest.mark.parametrize(
    ("field", "bad"),
    [("kind", "message"), ("channel", "fax"), ("author_type", "robot")],
)
def test_a_value_outside_its_set_fails(field: str, bad: str) -> None:
    wire = dict(WIRE[0][1])
    wire[field] = bad
    with pytest.raises(ValidationError):
        bus_event_adapter.validate_python(wire)
    with pytest.raises(ValidationError):
        bus_event_adapter.validate_python({**WIRE[2][1], "status": "archived"})
    with pytest.raises(ValidationError):
        bus_event_adapter.validate_python({**WIRE[4][1], "presence": "asleep"})


def test_decision_names_are_the_routing_engines_decision_types() -> None:
    made = {
        name
        for name, cls in inspect.getmembers(decisions, inspect.isclass)
        if issubclass(cls, decisions.Decision) and cls not in (decisions.Decision, decisions.Chosen)
    }
    assert made == ROUTING_DECISIONS
    assert routing_decision_name("PromiseKept") == "PromiseKept"
    with pytest.raises(ValueError, match="not a routing decision"):
        routing_decision_name("Guessed")
