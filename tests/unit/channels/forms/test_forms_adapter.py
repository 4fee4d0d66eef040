"""FormsChannel: contact-form posts (urlencoded and JSON) in; nothing sent on a form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicenter.channels.errors import ChannelError, SendError
from omnicenter.channels.forms import MANIFEST, FormsChannel, FormSubmission
from omnicenter.domain import Channel, InboundEvent, OutboundMessage
from tests.unit.channels.fixtures import fixtures_of, form_params, load_json

FIXTURES = fixtures_of("forms")
RECEIVED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)


def _urlencoded(name: str) -> dict[str, str]:
    # What the route hands over: the form's fields by name.
    return dict(form_params(FIXTURES / name))


def _receive(fields: dict[str, object], key: str | None = None) -> InboundEvent:
    raw = FormSubmission("demo-form-key", fields, idempotency_key=key)
    return FormsChannel().receive(raw, received_at=RECEIVED)


def test_an_urlencoded_contact_form() -> None:
    event = _receive(dict(_urlencoded("contact.urlencoded")))
    assert event.channel is Channel.FORM
    assert event.sender == "Piotr.Kowalski@Example.com"  # the ingest service normalises it
    assert event.sender_name == "Piotr Kowalski"
    assert event.subject == "Wrong size"
    assert event.body == "I ordered XL and got L. Can I swap it in the Łódź shop?"
    assert event.received_at == RECEIVED
    assert event.meta == {"form": "demo-form-key"}
    assert "_gotcha" not in event.fields  # the honeypot is no customer data
    assert event.fields["order"] == "100234"


def test_a_json_form_keeps_every_field_as_text() -> None:
    event = _receive(load_json(FIXTURES / "contact.json"))
    assert event.sender == "jan.nowak@gmail.com"
    assert event.fields["order"] == "100877"
    assert event.fields["newsletter"] == "False"
    assert event.body.startswith("Please send the invoice")


def test_a_phone_only_form_is_answered_by_phone() -> None:
    event = _receive(dict(_urlencoded("phone_only.urlencoded")))
    assert event.sender == "601 234 567"
    assert event.body == "Please call me after 17:00 about the sofa delivery."


def test_the_same_post_twice_is_one_submission() -> None:
    fields: dict[str, object] = dict(_urlencoded("contact.urlencoded"))
    assert _receive(fields).idempotency_key == _receive(dict(fields)).idempotency_key
    assert _receive(fields, key="abc").idempotency_key == "demo-form-key:abc"


def test_a_form_without_an_address_is_refused() -> None:
    with pytest.raises(ChannelError, match="'email' or 'phone'"):
        _receive(load_json(FIXTURES / "no_address.json"))


def test_too_many_or_too_long_fields_are_413() -> None:
    many: dict[str, object] = {f"f{i}": "x" for i in range(51)}
    with pytest.raises(ChannelError) as info:
        _receive(many)
    assert info.value.status == 413
    with pytest.raises(ChannelError) as info:
        _receive({"email": "a@b.example", "message": "x" * 20_001})
    assert info.value.status == 413


async def test_a_form_is_answered_on_another_channel() -> None:
    assert not MANIFEST.text_replies
    assert MANIFEST.answered_on == (Channel.EMAIL, Channel.SMS)
    msg = OutboundMessage(Channel.FORM, "a@b.example", "hi", "int_1", "evt_1")
    with pytest.raises(SendError, match="answer by email or sms") as info:
        await FormsChannel().send(msg)
    assert not info.value.temporary
