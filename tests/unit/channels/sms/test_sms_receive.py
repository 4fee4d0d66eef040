"""SmsChannel.receive on Twilio inbound-message webhooks, and their signatures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.sms import (
    OutboxSmsProvider,
    SmsChannel,
    compute_signature,
    verify_signature,
)
from omnicenter.domain import Channel
from tests.unit.channels.fixtures import fixtures_of, form_params

FIXTURES = fixtures_of("sms")
RECEIVED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
ACCOUNT = "AC5f3b8e0c1d2a4b6c8e9f0a1b2c3d4e5f"


def _params(name: str) -> list[tuple[str, str]]:
    return form_params(FIXTURES / name)


def test_text_message() -> None:
    event = SmsChannel(OutboxSmsProvider()).receive(
        _params("inbound_text.urlencoded"), received_at=RECEIVED
    )
    assert event.channel is Channel.SMS
    assert event.sender == "+14155550123"
    assert event.recipient == "+14155550100"
    assert event.body == "Hi, is order 100234 shipped yet?"
    assert event.received_at == RECEIVED
    assert event.idempotency_key == event.message_ref == "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0"
    assert event.meta == {"provider": "twilio"}


def test_unicode_message_keeps_every_character() -> None:
    event = SmsChannel(OutboxSmsProvider(), account_sid=ACCOUNT).receive(
        _params("inbound_unicode.urlencoded"), received_at=RECEIVED
    )
    assert event.sender == "+48601234567"
    assert event.body.startswith("Dzień dobry! Zamówiłam kurtkę")
    assert "😕" in event.body and event.body.endswith("kurierem?")


def test_mms_lists_its_media() -> None:
    event = SmsChannel(OutboxSmsProvider()).receive(
        _params("inbound_mms.urlencoded"), received_at=RECEIVED
    )
    media = event.meta["media"]
    assert [m["content_type"] for m in media] == ["image/jpeg", "application/pdf"]
    assert all(m["url"].startswith("https://api.twilio.com/2010-04-01/Accounts/") for m in media)
    assert event.idempotency_key.startswith("MM")


def test_another_accounts_webhook_is_forbidden() -> None:
    channel = SmsChannel(OutboxSmsProvider(), account_sid="AC00000000000000000000000000000000")
    with pytest.raises(ChannelError) as info:
        channel.receive(_params("inbound_text.urlencoded"), received_at=RECEIVED)
    assert info.value.status == 403


@pytest.mark.parametrize("missing", ["MessageSid", "From", "To", "Body"])
def test_a_missing_parameter_is_refused(missing: str) -> None:
    params = [(k, v) for k, v in _params("inbound_text.urlencoded") if k != missing]
    with pytest.raises(ChannelError, match=missing):
        SmsChannel(OutboxSmsProvider()).receive(params, received_at=RECEIVED)


def test_a_body_over_twilios_limit_is_refused() -> None:
    params = [(k, "x" * 1601 if k == "Body" else v) for k, v in _params("inbound_text.urlencoded")]
    with pytest.raises(ChannelError, match="limit is 1600"):
        SmsChannel(OutboxSmsProvider()).receive(params, received_at=RECEIVED)


def test_signature_matches_twilios_documented_example() -> None:
    # The worked example of Twilio's webhook security page (auth token 12345).
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675310"),
        ("Digits", "1234"),
        ("From", "+14158675310"),
        ("To", "+18005551212"),
    ]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert compute_signature("12345", url, params) == "GvWf1cFY/Q7PnoempGyD5oXAezc="


def test_signature_covers_url_and_every_parameter() -> None:
    url = "https://shop.example/api/v1/channels/sms/twilio"
    params = _params("inbound_unicode.urlencoded")
    signature = compute_signature("token", url, params)
    assert verify_signature("token", url, params, signature)
    assert not verify_signature("token", url + "?x=1", params, signature)
    tampered = [(k, "Hi" if k == "Body" else v) for k, v in params]
    assert not verify_signature("token", url, tampered, signature)
    assert not verify_signature("", url, params, signature)  # no token configured: refuse all
    assert not verify_signature("token", url, params, None)
