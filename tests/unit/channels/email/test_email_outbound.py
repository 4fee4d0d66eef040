"""build_email and SmtpRelaySender, sending into an aiosmtpd sink started in the test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from omnicenter.channels.email import (
    EmailSendError,
    SmtpRelaySender,
    build_email,
    format_message_ids,
    parse_email,
)
from omnicenter.domain import Attachment, Channel, OutboundMessage
from tests.unit.channels.email.smtp_sink import Sink


def _msg(**overrides: object) -> OutboundMessage:
    values: dict[str, object] = {
        "channel": Channel.EMAIL,
        "to": "jan.nowak@gmail.com",
        "body": "Your parcel is with the courier.\nIt arrives today.",
        "interaction_id": "int_01j9a7k2m3",
        "event_id": "evt_01j9b0000000000000000000aa",
        "subject": "[#cas_01j9a7k2m3] Where is my order 10482?",
    }
    values.update(overrides)
    return OutboundMessage(**values)  # type: ignore[arg-type]


def test_build_sets_ids_date_and_threading_headers() -> None:
    now = datetime(2024, 10, 10, 7, 0, tzinfo=UTC)
    msg = _msg(
        headers={
            "In-Reply-To": "CAOx3KXW9d+reply1@mail.gmail.com",
            "References": "<CAOx3KXW9d+pLm4aQ7f2Hq1r8cX=0bN6v@mail.gmail.com> CAOx3KXW9d+reply1@mail.gmail.com",
        },
        sender="Anna from Shop",
    )
    email = build_email(msg, from_address="help@shop.example", domain="shop.example", now=now)
    assert email["Message-ID"] == "<evt_01j9b0000000000000000000aa@shop.example>"
    assert email["From"] == "Anna from Shop <help@shop.example>"
    assert email["To"] == "jan.nowak@gmail.com"
    assert email["Date"] == "Thu, 10 Oct 2024 07:00:00 +0000"
    assert email["In-Reply-To"] == "<CAOx3KXW9d+reply1@mail.gmail.com>"
    assert email["References"] == (
        "<CAOx3KXW9d+pLm4aQ7f2Hq1r8cX=0bN6v@mail.gmail.com> <CAOx3KXW9d+reply1@mail.gmail.com>"
    )
    assert email["Subject"] == "Re: [#cas_01j9a7k2m3] Where is my order 10482?"
    assert email.get_content_type() == "text/plain"
    # Round trip through our own parser: a customer's reply would thread back to this event.
    parsed = parse_email(email.as_bytes())
    assert parsed.message_id == "evt_01j9b0000000000000000000aa@shop.example"
    assert parsed.text == "Your parcel is with the courier.\nIt arrives today.\n"
    assert parsed.thread_refs[0] == "CAOx3KXW9d+reply1@mail.gmail.com"


def test_first_message_has_no_reply_prefix_and_no_threading_headers() -> None:
    email = build_email(_msg(), from_address="help@shop.example", domain="shop.example")
    assert email["Subject"] == "[#cas_01j9a7k2m3] Where is my order 10482?"
    assert email["In-Reply-To"] is None and email["References"] is None
    assert email["Date"] is not None


def test_reply_subject_is_not_stacked_and_references_default_to_the_parent() -> None:
    msg = _msg(subject="AW: Bestellung", headers={"in-reply-to": "<p@x.example>"})
    email = build_email(msg, from_address="help@shop.example", domain="shop.example")
    assert email["Subject"] == "AW: Bestellung"
    assert email["References"] == "<p@x.example>"


def test_html_alternative_attachments_and_non_ascii() -> None:
    msg = _msg(
        body="Dzień dobry, przesyłamy fakturę.",
        subject="Faktura – zamówienie 42",
        meta={
            "html": "<p>Dzień dobry, <b>przesyłamy</b> fakturę.</p>",
            "attachments": (Attachment("faktura_żółw.pdf", "application/pdf", b"%PDF-1.4"),),
        },
        headers={"Auto-Submitted": "auto-replied", "X-Omnicenter-Case": "cas_1"},
    )
    email = build_email(msg, from_address="help@shop.example", domain="shop.example")
    assert email.get_content_type() == "multipart/mixed"
    assert email["Auto-Submitted"] == "auto-replied"
    parsed = parse_email(email.as_bytes())
    assert parsed.subject == "Faktura – zamówienie 42"
    assert parsed.text.strip() == "Dzień dobry, przesyłamy fakturę."
    assert parsed.html is not None and "<b>przesyłamy</b>" in parsed.html
    assert [(a.filename, a.data) for a in parsed.attachments] == [("faktura_żółw.pdf", b"%PDF-1.4")]
    assert parsed.auto_submitted  # our own auto-replies are marked for other systems


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"headers": {"From": "ceo@shop.example"}}, "are set by the email adapter"),
        ({"headers": {"X-Note": "a\r\nBcc: victim@x.example"}}, "cannot build the message"),
        ({"subject": "hi\r\nBcc: victim@x.example"}, "cannot build the message"),
        ({"to": "not-an-address"}, "invalid address"),
        ({"meta": {"attachments": ["not an attachment"]}}, "must be a sequence of Attachment"),
    ],
)
def test_invalid_input_is_a_permanent_send_error(overrides: dict[str, object], reason: str) -> None:
    with pytest.raises(EmailSendError) as info:
        build_email(_msg(**overrides), from_address="help@shop.example", domain="shop.example")
    assert not info.value.temporary
    assert reason in info.value.reason


def test_format_message_ids() -> None:
    assert format_message_ids("a@x <b@y>") == "<a@x> <b@y>"
    assert format_message_ids(["<a@x>", "b@y"]) == "<a@x> <b@y>"
    assert format_message_ids("") == ""


async def test_send_through_relay(sink: tuple[Sink, int]) -> None:
    handler, port = sink
    sender = SmtpRelaySender("127.0.0.1", port, "help@shop.example", "shop.example", timeout=10)
    msg = _msg(headers={"In-Reply-To": "p@gmail.com", "Cc": "boss@customer.example"})
    message_id = await sender.send(msg)
    assert message_id == "<evt_01j9b0000000000000000000aa@shop.example>"
    [(envelope, received)] = handler.messages
    assert envelope.mail_from == "help@shop.example"
    assert sorted(envelope.rcpt_tos) == ["boss@customer.example", "jan.nowak@gmail.com"]
    assert received["Message-ID"] == message_id
    assert received["In-Reply-To"] == "<p@gmail.com>"
    assert received["Subject"] == "Re: [#cas_01j9a7k2m3] Where is my order 10482?"


@pytest.mark.parametrize(
    ("reply", "temporary"), [("451 4.3.0 try later", True), ("554 5.7.1 spam", False)]
)
async def test_relay_refusal_is_translated(
    sink: tuple[Sink, int], reply: str, temporary: bool
) -> None:
    handler, port = sink
    handler.data_reply = reply
    sender = SmtpRelaySender("127.0.0.1", port, "help@shop.example", "shop.example", timeout=10)
    with pytest.raises(EmailSendError) as info:
        await sender.send(_msg())
    assert info.value.temporary is temporary
    assert reply.split(" ", 1)[1] in info.value.reason


async def test_unreachable_relay_is_temporary() -> None:
    # Bind then close a socket to get a port nobody listens on.
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    sender = SmtpRelaySender("127.0.0.1", port, "help@shop.example", "shop.example", timeout=5)
    with pytest.raises(EmailSendError) as info:
        await sender.send(_msg())
    assert info.value.temporary
    assert "cannot reach the relay" in info.value.reason
