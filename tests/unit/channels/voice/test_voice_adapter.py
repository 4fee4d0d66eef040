"""VoiceChannel: a started call (from a recorded INVITE) as the InboundEvent of a contact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicenter.channels.errors import SendError
from omnicenter.channels.voice import CallInfo, VoiceChannel, normalise_number
from omnicenter.channels.voice.sip.message import SipRequest, parse_message, validate_request
from omnicenter.domain import Channel, OutboundMessage
from omnicenter.identity import normalize_address
from tests.unit.channels.fixtures import fixtures_of

FIXTURES = fixtures_of("voice")
STARTED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)


def _invite(name: str) -> SipRequest:
    request = parse_message((FIXTURES / name).read_bytes())
    assert isinstance(request, SipRequest)
    validate_request(request)
    return request


def _call(name: str, call_id: str = "call_01hx") -> CallInfo:
    """The CallInfo the endpoint makes of an INVITE (`VoiceEndpoint._new_call`)."""
    request = _invite(name)
    caller = request.from_
    return CallInfo(
        call_id=call_id,
        caller=normalise_number(caller.uri.user or caller.uri.host, "PL"),
        called=request.request_uri.user or "",
        started_at=STARTED,
        caller_name=caller.display,
        sip_call_id=request.call_id,
    )


def test_a_call_from_a_trunk() -> None:
    call = _call("invite_trunk_e164.sip")
    event = VoiceChannel().receive(call, received_at=call.started_at)
    assert event.channel is Channel.VOICE
    assert event.sender == "+48601234567"
    assert event.sender_name == "Jan Nowak"
    assert event.recipient == "800000000"
    assert event.body == "call started"
    assert event.subject == "Call from +48601234567"
    assert event.received_at == STARTED
    assert event.idempotency_key == "call_01hx"
    assert event.message_ref == "3c26700b6e1f4c3a8f8e2a9d1b0c7e55@192.0.2.10"
    assert event.sender_kind == "phone"
    assert event.meta == {"call": "started", "call_id": "call_01hx", "direction": "inbound"}


@pytest.mark.parametrize(
    ("fixture", "identity"),
    [
        ("invite_trunk_e164.sip", ("phone", "+48601234567")),
        # A national number is written in E.164: the caller and their SMS are one identity.
        ("invite_trunk_national.sip", ("phone", "+48601234567")),
        # A softphone user is no phone number: `sip:alice`, as the phone service knows them.
        ("invite_baresip_user.sip", ("sip", "alice")),
    ],
)
def test_the_caller_is_the_identity_ingest_resolves(
    fixture: str, identity: tuple[str, str]
) -> None:
    event = VoiceChannel().receive(_call(fixture), received_at=STARTED)
    kind = event.sender_kind
    assert kind is not None
    assert (kind, normalize_address(kind, event.sender)) == identity


def test_a_callback_the_center_placed() -> None:
    # endpoint.place_callback: the customer's number is the caller, the direction outbound.
    call = CallInfo("call_02hx", "+48601234567", "", STARTED, direction="outbound")
    event = VoiceChannel().receive(call, received_at=STARTED, case_id="cas_7")
    assert event.channel is Channel.CALLBACK
    assert event.body == "callback call started"
    assert event.recipient is None
    # The call joins the case the callback was promised on.
    assert event.meta == {
        "call": "started",
        "call_id": "call_02hx",
        "direction": "outbound",
        "case_id": "cas_7",
    }
    # The phone service decides when an outbound call keeps no promise.
    plain = VoiceChannel().receive(call, received_at=STARTED, callback=False)
    assert (plain.channel, plain.body) == (Channel.VOICE, "call started")


async def test_a_call_carries_no_text() -> None:
    msg = OutboundMessage(Channel.VOICE, "+48601234567", "hi", "int_1", "evt_1")
    with pytest.raises(SendError, match="no text") as info:
        await VoiceChannel().send(msg)
    assert not info.value.temporary
    assert not VoiceChannel.manifest.text_replies
