"""The contact intake: customers' messages become routed work unless the gate holds them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicenter.bus.events import BusEvent, TimelineEventAdded
from omnicenter.domain import Channel, EventKind
from omnicenter.domain.model import AuthorType
from omnicenter.live.intake import ContactIntake
from omnicenter.live.work import Why

AT = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # inside the autumn DST change in Europe


class Router:
    def __init__(self) -> None:
        self.admitted: list[tuple[str, Why]] = []

    def admit(self, interaction_id: str, why: Why) -> None:
        self.admitted.append((interaction_id, why))


class Gate:
    """Holds what it was told to hold; remembers what it was asked."""

    def __init__(self, *held: str) -> None:
        self.held = set(held)
        self.asked: list[tuple[str, Channel | None]] = []

    def should_route(self, interaction_id: str, channel: Channel | None) -> bool:
        self.asked.append((interaction_id, channel))
        return interaction_id not in self.held


def _event(
    interaction_id: str | None = "int_1",
    *,
    author: AuthorType = AuthorType.CUSTOMER,
    kind: EventKind = EventKind.MESSAGE_IN,
    channel: Channel = Channel.WEBCHAT,
) -> BusEvent:
    return TimelineEventAdded(
        event_id="evt_1",
        customer_id="cus_1",
        case_id="cas_1",
        interaction_id=interaction_id,
        kind=kind,
        channel=channel,
        author_type=author,
        author_id=None,
        body="hello",
        created_at=AT,
    )


@pytest.mark.parametrize("kind", [EventKind.MESSAGE_IN, EventKind.FORM])
def test_a_customer_contact_is_admitted_as_a_contact(kind: EventKind) -> None:
    router = Router()
    ContactIntake(router).on_event(_event(kind=kind))
    assert router.admitted == [("int_1", Why.CONTACT)]


def test_the_gate_is_asked_with_the_channel_and_holds_what_it_holds() -> None:
    router, gate = Router(), Gate("int_held")
    intake = ContactIntake(router, gate)
    intake.on_event(_event("int_held", channel=Channel.SMS))
    intake.on_event(_event("int_free", channel=Channel.EMAIL))
    assert gate.asked == [("int_held", Channel.SMS), ("int_free", Channel.EMAIL)]
    assert router.admitted == [("int_free", Why.CONTACT)]


@pytest.mark.parametrize(
    "event",
    [
        _event(author=AuthorType.AGENT, kind=EventKind.MESSAGE_OUT),
        _event(author=AuthorType.BOT, kind=EventKind.MESSAGE_OUT),
        _event(author=AuthorType.AGENT, kind=EventKind.NOTE),
        _event(author=AuthorType.SYSTEM, kind=EventKind.STATUS, channel=Channel.VOICE),
        _event(interaction_id=None),
    ],
    ids=["agent reply", "bot reply", "note", "call status", "no interaction"],
)
def test_what_is_not_a_customer_contact_is_not_routed(event: BusEvent) -> None:
    router, gate = Router(), Gate()
    ContactIntake(router, gate).on_event(event)
    assert router.admitted == [] and gate.asked == []
