"""to_inbound, the adapter facade and the manifest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from omnicenter.channels.email import MANIFEST, EmailChannel, parse_email, to_inbound
from omnicenter.domain import Channel, SecurityLevel

RECEIVED = datetime(2024, 10, 10, 16, 21, tzinfo=UTC)


def test_to_inbound_maps_every_field(eml: Callable[[str], bytes]) -> None:
    parsed = parse_email(eml("reply_thread.eml"))
    event = to_inbound(parsed, RECEIVED, "Help@Shop.Example")
    assert event.channel is Channel.EMAIL
    assert event.sender == "jan.nowak@gmail.com"
    assert event.sender_name == "Jan Nowak"
    assert event.subject == parsed.subject
    assert event.body == parsed.text
    assert event.idempotency_key == event.message_ref == "CAOx3KXW9d+reply2@mail.gmail.com"
    assert event.thread_refs == parsed.thread_refs
    assert event.thread_refs[0] == "evt_01j9b0000000000000000000aa@shop.example"
    assert event.recipient == "help@shop.example"
    assert event.received_at == RECEIVED
    assert event.meta["normalized_subject"] == (
        "[#cas_01j9a7k2m3n4p5q6r7s8t9v0wx] where is my order 10482?"
    )
    assert event.meta["auto_submitted"] is False
    assert event.meta["date"] == "2024-10-10T16:20:44+00:00"


def test_to_inbound_carries_attachments_and_converts_to_utc(eml: Callable[[str], bytes]) -> None:
    parsed = parse_email(eml("outlook_attachment.eml"))
    event = to_inbound(parsed, datetime(2024, 10, 2, 14, 11, tzinfo=timezone(timedelta(hours=2))))
    assert event.received_at == datetime(2024, 10, 2, 12, 11, tzinfo=UTC)
    assert event.received_at.tzinfo is UTC
    assert [a.filename for a in event.attachments] == ["Faktura_żółw.pdf"]
    assert event.meta["cc"] == ["piotr@firma.example"]


def test_to_inbound_refuses_naive_times(eml: Callable[[str], bytes]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_inbound(parse_email(eml("gmail_alternative.eml")), datetime(2024, 1, 1))


def test_adapter_receive(eml: Callable[[str], bytes]) -> None:
    channel = EmailChannel(sender=None)
    event = channel.receive(eml("auto_reply.eml"), received_at=RECEIVED)
    assert event.meta["auto_submitted"] is True
    assert channel.manifest is MANIFEST


def test_manifest() -> None:
    assert MANIFEST.channel is Channel.EMAIL
    assert not MANIFEST.realtime
    assert MANIFEST.max_length is None
    assert MANIFEST.security is SecurityLevel.PUBLIC
    assert MANIFEST.supports_html and MANIFEST.supports_attachments
