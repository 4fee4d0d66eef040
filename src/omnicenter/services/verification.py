"""A one-time code on its way: the customer proves an order (or any non-public fact) is
theirs by typing back a code sent to the email or phone the order names.

The flow engine makes the code (`flows.otp`, derived, never stored); this unit of work only
sends it, on its own channel, to the address the order names (which may not be the one the
customer writes from: that is the point). The conversation and the agents see that a code
went to `a***@example.com`, never the code; once the provider has it, the outbox row keeps
no copy either. An outbox whose messages are stored for an operator (no relay, no SMS
gateway) keeps it until sent, since the operator is then the way it reaches the customer.
"""

from __future__ import annotations

from sqlalchemy import insert

from omnicenter.domain import AuthorType, Channel, EventKind, Interaction
from omnicenter.domain.ids import new_id
from omnicenter.flows import VerificationRequest
from omnicenter.services.replies import SenderSettings
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t

__all__ = ["ONE_TIME_CODE", "send_code"]

# the outbox header that marks a one-time code: its body is removed once it is sent
ONE_TIME_CODE = {"X-Omnicenter-Purpose": "one-time-code"}
_SUBJECT = {"pl": "Twój kod weryfikacyjny", "en": "Your verification code"}


def send_code(
    uow: UnitOfWork, interaction: Interaction, request: VerificationRequest, sender: SenderSettings
) -> str:
    """The note on the conversation and the outbox row of the code; returns the outbox id."""
    channel = Channel.EMAIL if request.kind == "email" else Channel.SMS
    event_id = add_timeline_event(
        uow,
        customer_id=interaction.customer_id,
        case_id=interaction.case_id,
        interaction_id=interaction.id,
        kind=EventKind.STATUS,
        channel=interaction.channel,
        author_type=AuthorType.SYSTEM,
        author_id=None,
        body=f"one-time code sent to {request.masked}",
        meta={"verification": {"channel": channel.value, "to": request.masked}},
    )
    outbox_id = new_id("out")
    uow.conn.execute(
        insert(t.outbox).values(
            id=outbox_id,
            event_id=event_id,
            interaction_id=interaction.id,
            channel=channel.value,
            to_address=request.address,
            from_address=sender.email_from if channel is Channel.EMAIL else sender.sms_from,
            subject=_SUBJECT.get(request.lang, _SUBJECT["en"])
            if channel is Channel.EMAIL
            else None,
            body=request.text,
            headers=dict(ONE_TIME_CODE),
            status="pending",
            attempts=0,
            created_at=uow.now,
        )
    )
    return outbox_id
