"""Contacts into routing: a customer's message becomes routed work, unless the bot holds
the conversation.

The gate (the bot, when it runs) is a property of this entry, not of the router: the
router only ever sees work that is for people. Handovers, calls and callbacks come to the
router by their own `Why`; this intake is where plain contacts come from.
"""

from __future__ import annotations

from omnicenter.bus.events import BusEvent, TimelineEventAdded
from omnicenter.domain import EventKind
from omnicenter.domain.model import AuthorType
from omnicenter.live.ports import Admission, ContactGate
from omnicenter.live.work import Why

__all__ = ["ContactIntake"]

_CONTACT_KINDS = (EventKind.MESSAGE_IN, EventKind.FORM)


class ContactIntake:
    def __init__(self, router: Admission, gate: ContactGate | None = None) -> None:
        self.router = router
        self.gate = gate

    def on_event(self, event: BusEvent) -> None:
        """Bus subscriber: returns at once; the router reads the work in order."""
        if (
            not isinstance(event, TimelineEventAdded)
            or not event.interaction_id
            or event.author_type != AuthorType.CUSTOMER
            or event.kind not in _CONTACT_KINDS
        ):
            return
        if self.gate is None or self.gate.should_route(event.interaction_id, event.channel):
            self.router.admit(event.interaction_id, Why.CONTACT)
