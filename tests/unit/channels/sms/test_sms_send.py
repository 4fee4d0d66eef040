"""SmsChannel.send through the Twilio provider, against an httpx MockTransport that answers
as Twilio's Messages resource documents (201 with the message, 4xx/5xx with a code)."""

from __future__ import annotations

import base64
from collections import deque
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import httpx
import pytest

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import SendError
from omnicenter.channels.sms import OutboxSmsProvider, SmsChannel, TwilioSmsProvider
from omnicenter.domain import Channel, OutboundMessage
from omnicenter.domain.messages import DeliveryStatus
from tests.unit.channels.fixtures import fixtures_of, load_json

FIXTURES = fixtures_of("sms")
ACCOUNT = "AC5f3b8e0c1d2a4b6c8e9f0a1b2c3d4e5f"
TOKEN = "twilio-auth-token"


class FakeTwilio:
    """Records each create-message request; answers 201 with a new SID unless a reply (a
    response or an exception to raise) is queued for that request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.forms: list[dict[str, str]] = []
        self.queued: deque[httpx.Response | Exception | None] = deque()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        form = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        self.forms.append(form)
        reply = self.queued.popleft() if self.queued else None
        if isinstance(reply, Exception):
            raise reply
        if reply is not None:
            return reply
        created = load_json(FIXTURES / "message_created.json")
        sid = f"SM{len(self.forms):032x}"
        created.update({"sid": sid, "to": form["To"], "from": form["From"], "body": form["Body"]})
        return httpx.Response(201, json=created)

    def error(self, name: str) -> httpx.Response:
        body = load_json(FIXTURES / name)
        return httpx.Response(body["status"], json=body)


@pytest.fixture
async def twilio() -> AsyncIterator[tuple[FakeTwilio, SmsChannel]]:
    fake = FakeTwilio()
    provider = TwilioSmsProvider(
        ACCOUNT, TOKEN, "+48800000000", transport=httpx.MockTransport(fake)
    )
    yield fake, SmsChannel(provider)
    await provider.aclose()


def _msg(body: str, event_id: str = "evt_1", sender: str | None = None) -> OutboundMessage:
    return OutboundMessage(Channel.SMS, "+48601234567", body, "int_1", event_id, sender=sender)


async def test_a_text_goes_to_the_messages_resource(
    twilio: tuple[FakeTwilio, SmsChannel],
) -> None:
    fake, channel = twilio
    delivery = await channel.send(_msg("Your parcel left our warehouse today."))
    assert delivery == Delivery(DeliveryStatus.SENT, f"SM{1:032x}")
    [request] = fake.requests
    assert request.method == "POST"
    assert request.url.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    basic = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {basic}"
    assert fake.forms == [
        {
            "To": "+48601234567",
            "From": "+48800000000",
            "Body": "Your parcel left our warehouse today.",
        }
    ]


async def test_the_messages_own_sender_number_wins(twilio: tuple[FakeTwilio, SmsChannel]) -> None:
    fake, channel = twilio
    await channel.send(_msg("hi", sender="+48800111222"))
    assert fake.forms[0]["From"] == "+48800111222"


async def test_a_long_answer_goes_as_several_texts(twilio: tuple[FakeTwilio, SmsChannel]) -> None:
    fake, channel = twilio
    body = " ".join(f"paczka{i}" for i in range(400))  # 3889 characters
    delivery = await channel.send(_msg(body))
    bodies = [form["Body"] for form in fake.forms]
    assert len(bodies) == 3
    assert all(len(b) <= 1600 for b in bodies)
    assert " ".join(bodies) == body
    assert delivery == Delivery.sent(f"SM{1:032x}")  # the first text's SID


async def test_a_retry_after_a_failed_part_sends_only_the_rest(
    twilio: tuple[FakeTwilio, SmsChannel],
) -> None:
    fake, channel = twilio
    body = " ".join(f"paczka{i}" for i in range(400))  # 3889 characters
    parts = channel.manifest.fit(body)
    assert len(parts) == 3
    fake.queued.extend([None, fake.error("error_20429_too_many_requests.json")])
    with pytest.raises(SendError) as info:
        await channel.send(_msg(body))
    assert info.value.temporary
    assert "429" in info.value.reason
    delivery = await channel.send(_msg(body))  # the dispatcher's retry
    sent = [form["Body"] for form in fake.forms]
    assert sent == [parts[0], parts[1], parts[1], parts[2]]  # the first text went once
    assert delivery == Delivery.sent(f"SM{1:032x}")


async def test_a_refused_number_is_permanent(twilio: tuple[FakeTwilio, SmsChannel]) -> None:
    fake, channel = twilio
    fake.queued.append(fake.error("error_21211_invalid_to.json"))
    with pytest.raises(SendError) as info:
        await channel.send(_msg("hi"))
    assert not info.value.temporary
    assert "21211" in info.value.reason


@pytest.mark.parametrize(
    "reply",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(200, text="<html>proxy error</html>"),
    ],
)
async def test_an_unreachable_or_confused_gateway_is_temporary(
    twilio: tuple[FakeTwilio, SmsChannel], reply: httpx.Response | Exception
) -> None:
    fake, channel = twilio
    fake.queued.append(reply)
    with pytest.raises(SendError) as info:
        await channel.send(_msg("hi"))
    assert info.value.temporary


async def test_without_a_gateway_the_text_is_stored_whole() -> None:
    delivery = await SmsChannel(OutboxSmsProvider()).send(_msg("x " * 2000))
    assert delivery == Delivery.stored()
