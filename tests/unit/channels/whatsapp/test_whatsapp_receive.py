"""WhatsappChannel.parse/complete/receive on recorded Cloud API webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.meta import GraphApi, MediaUnavailable, RetryPolicy
from omnicenter.channels.whatsapp import WhatsappChannel
from omnicenter.domain import Channel
from omnicenter.identity import identity_kind_for, normalize_address
from tests.unit.channels.fixtures import fixtures_of
from tests.unit.channels.meta.fake_apis import GRAPH_VERSION, IMAGE, FakeApis

FIXTURES = fixtures_of("whatsapp")
RECEIVED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
PHONE_ID = "106540352242922"


async def _no_wait(_: float) -> None:
    return None


@pytest.fixture
async def wa() -> AsyncIterator[tuple[FakeApis, WhatsappChannel]]:
    fake = FakeApis()
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    yield fake, WhatsappChannel(graph, PHONE_ID, retry=RetryPolicy(3, 0, _no_wait))
    await graph.aclose()


def _body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def test_a_text_message(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    _, channel = wa
    [msg] = channel.parse(_body("text_message.json")).messages
    event = channel.receive(msg, received_at=RECEIVED)
    assert event.channel is Channel.WHATSAPP
    assert event.sender == "+48601234567" and event.recipient == "+48800100200"
    assert event.sender_name == "Anna Kowalska"
    assert event.body == "Dzień dobry! Gdzie jest moja paczka? Zamówienie 100234 😕"
    assert event.idempotency_key == event.message_ref
    assert event.idempotency_key.startswith("wamid.")
    assert event.meta == {"provider": "whatsapp_cloud", "message_type": "text"}


def test_the_sender_is_the_customers_phone_identity() -> None:
    assert identity_kind_for(Channel.WHATSAPP) == identity_kind_for(Channel.SMS) == "phone"
    assert normalize_address("phone", "+48601234567") == "+48601234567"


async def test_an_image_is_downloaded_with_its_caption(
    wa: tuple[FakeApis, WhatsappChannel],
) -> None:
    fake, channel = wa
    [msg] = channel.parse(_body("image_message.json")).messages
    event = channel.receive(await channel.complete(msg), received_at=RECEIVED)
    assert event.body == "The box arrived damaged"
    [image] = event.attachments
    assert (image.filename, image.content_type, image.data) == (
        "image-1003383421387256.jpg",
        "image/jpeg",
        IMAGE,
    )
    assert "media" not in event.meta and fake.media_requests == 1


async def test_a_failed_download_is_retried(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    fake, channel = wa
    fake.media_failures = 1
    [msg] = channel.parse(_body("image_message.json")).messages
    complete = await channel.complete(msg)
    assert len(complete.attachments) == 1 and fake.media_requests == 2


async def test_a_download_that_keeps_failing_refuses_the_delivery(
    wa: tuple[FakeApis, WhatsappChannel],
) -> None:
    fake, channel = wa
    fake.media_failures = 10
    [msg] = channel.parse(_body("image_message.json")).messages
    with pytest.raises(MediaUnavailable) as info:
        await channel.complete(msg)
    assert info.value.status == 503 and fake.media_requests == 3


async def test_a_reply_button_is_its_value(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    _, channel = wa
    [msg] = channel.parse(_body("interactive_button_reply.json")).messages
    event = channel.receive(msg, received_at=RECEIVED)
    assert event.body == "order_status"
    assert event.meta["message_type"] == "interactive"
    assert event.meta["reply_to"].startswith("wamid.")


async def test_a_location(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    _, channel = wa
    [msg] = channel.parse(_body("location_message.json")).messages
    event = channel.receive(msg, received_at=RECEIVED)
    assert event.meta["location"]["latitude"] == 52.2297
    assert event.body.startswith("Location: 52.2297, 21.0122")


async def test_statuses_carry_the_message_id_and_the_error(
    wa: tuple[FakeApis, WhatsappChannel],
) -> None:
    _, channel = wa
    delivered = channel.parse(_body("status_delivered.json"))
    assert delivered.messages == ()
    [status] = delivered.statuses
    assert status.status == "delivered" and status.recipient == "+48601234567"
    assert status.at == datetime(2024, 5, 14, 9, 24, tzinfo=UTC)
    [failed] = channel.parse(_body("status_failed_131047.json")).statuses
    assert (failed.status, failed.error_code, failed.error_title) == (
        "failed",
        131047,
        "Re-engagement message",
    )


async def test_another_phone_numbers_messages_are_skipped() -> None:
    fake = FakeApis()
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    channel = WhatsappChannel(graph, "999999999999999")
    assert channel.parse(_body("text_message.json")).messages == ()
    await graph.aclose()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account"}',
    ],
)
async def test_what_is_not_a_webhook_is_refused(
    wa: tuple[FakeApis, WhatsappChannel], body: bytes
) -> None:
    with pytest.raises(ChannelError) as info:
        wa[1].parse(body)
    assert info.value.status == 400
