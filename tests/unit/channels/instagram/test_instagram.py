"""InstagramChannel on recorded Instagram messaging webhooks and the fake Send API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import SendError
from omnicenter.channels.instagram import MANIFEST, InstagramChannel
from omnicenter.channels.meta import GraphApi
from omnicenter.domain import Channel, OutboundMessage
from tests.unit.channels.fixtures import fixtures_of
from tests.unit.channels.meta.fake_apis import GRAPH_VERSION, IMAGE, FakeApis

FIXTURES = fixtures_of("instagram")
RECEIVED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
IGSID = "1234567890123456"


@pytest.fixture
async def ig() -> AsyncIterator[tuple[FakeApis, InstagramChannel]]:
    fake = FakeApis(open_windows={IGSID})
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    yield fake, InstagramChannel(graph)
    await graph.aclose()


def _body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def test_a_text_message(ig: tuple[FakeApis, InstagramChannel]) -> None:
    _, channel = ig
    [msg] = channel.parse(_body("text_message.json")).messages
    event = channel.receive(msg, received_at=RECEIVED)
    assert event.channel is Channel.INSTAGRAM
    assert event.sender == IGSID and event.body == "Hej! Czy wysyłacie do Niemiec? 🇩🇪"
    assert event.meta["provider"] == "instagram"


async def test_an_image_and_a_read_receipt(ig: tuple[FakeApis, InstagramChannel]) -> None:
    _, channel = ig
    [msg] = channel.parse(_body("image_message.json")).messages
    [image] = (await channel.complete(msg)).attachments
    assert image.data == IMAGE
    [read] = channel.parse(_body("read.json")).statuses
    assert read.status == "read" and read.message_ref.startswith("aWdf")


async def test_a_reply(ig: tuple[FakeApis, InstagramChannel]) -> None:
    fake, channel = ig
    msg = OutboundMessage(Channel.INSTAGRAM, IGSID, "Tak, wysyłamy do Niemiec.", "int_1", "evt_1")
    assert await channel.send(msg) == Delivery.sent("m_fake1")
    assert fake.sent[0].body["recipient"] == {"id": IGSID}


async def test_a_reply_over_instagrams_limit_is_refused(
    ig: tuple[FakeApis, InstagramChannel],
) -> None:
    msg = OutboundMessage(Channel.INSTAGRAM, IGSID, "x" * 1001, "int_1", "evt_1")
    with pytest.raises(SendError, match="1000"):
        await ig[1].send(msg)
    assert MANIFEST.reply_window is not None
