"""EmailChannel as a channel adapter: receive refuses with ChannelError, send says what it did
(`stored` without a relay, `sent` through an aiosmtpd relay) and fails with SendError."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from omnicenter.channels.base import Delivery
from omnicenter.channels.email import EmailChannel, EmailLimits, SmtpRelaySender
from omnicenter.channels.errors import ChannelError, SendError
from omnicenter.domain import Channel, OutboundMessage
from tests.unit.channels.email.smtp_sink import Sink

RECEIVED = datetime(2024, 10, 10, 16, 21, tzinfo=UTC)


def _msg() -> OutboundMessage:
    return OutboundMessage(
        Channel.EMAIL,
        "jan.nowak@gmail.com",
        "Your parcel is with the courier.",
        "int_1",
        "evt_01j9b0000000000000000000aa",
        subject="Order 10482",
    )


def test_receive_with_the_envelope_recipient(eml: Callable[[str], bytes]) -> None:
    event = EmailChannel(sender=None).receive(
        eml("reply_thread.eml"), received_at=RECEIVED, recipient="help@shop.example"
    )
    assert (event.channel, event.received_at, event.recipient) == (
        Channel.EMAIL,
        RECEIVED,
        "help@shop.example",
    )


def test_refused_mail_is_a_channel_error_with_its_smtp_reply(
    eml: Callable[[str], bytes],
) -> None:
    channel = EmailChannel(sender=None, limits=EmailLimits(max_message_bytes=200))
    with pytest.raises(ChannelError) as info:
        channel.receive(eml("outlook_attachment.eml"), received_at=RECEIVED)
    assert info.value.status == 413
    assert str(info.value).startswith("552 5.3.4 ")


async def test_without_a_relay_the_reply_is_stored() -> None:
    assert await EmailChannel(sender=None).send(_msg()) == Delivery.stored()


async def test_through_the_relay_it_is_sent_with_its_message_id(sink: tuple[Sink, int]) -> None:
    handler, port = sink
    relay = SmtpRelaySender("127.0.0.1", port, "help@shop.example", "shop.example", timeout=10)
    delivery = await EmailChannel(relay).send(_msg())
    assert delivery == Delivery.sent("<evt_01j9b0000000000000000000aa@shop.example>")
    [(envelope, received)] = handler.messages
    assert envelope.rcpt_tos == ["jan.nowak@gmail.com"]
    assert received["Subject"] == "Order 10482"


@pytest.mark.parametrize(
    ("reply", "temporary"), [("451 4.3.0 try later", True), ("550 5.1.1 no such user", False)]
)
async def test_a_relay_refusal_is_a_send_error(
    sink: tuple[Sink, int], reply: str, temporary: bool
) -> None:
    handler, port = sink
    handler.data_reply = reply
    relay = SmtpRelaySender("127.0.0.1", port, "help@shop.example", "shop.example", timeout=10)
    with pytest.raises(SendError) as info:
        await EmailChannel(relay).send(_msg())
    assert info.value.temporary is temporary
