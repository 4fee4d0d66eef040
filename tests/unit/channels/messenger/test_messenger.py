"""MessengerChannel on recorded Messenger Platform webhooks, and its sends against the fake
Send API (quick replies, the window and the HUMAN_AGENT tag)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import ChannelError
from omnicenter.channels.messenger import MessengerChannel
from omnicenter.channels.meta import GraphApi, OutsideWindow, RetryPolicy
from omnicenter.domain import Channel, OutboundMessage
from omnicenter.identity import identity_kind_for
from tests.unit.channels.fixtures import fixtures_of
from tests.unit.channels.meta.fake_apis import GRAPH_VERSION, IMAGE, FakeApis

FIXTURES = fixtures_of("messenger")
RECEIVED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
PSID = "6234567890123456"


async def _no_wait(_: float) -> None:
    return None


@pytest.fixture
async def fb() -> AsyncIterator[tuple[FakeApis, MessengerChannel]]:
    fake = FakeApis(open_windows={PSID})
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    yield fake, MessengerChannel(graph, retry=RetryPolicy(3, 0, _no_wait))
    await graph.aclose()


def _body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _msg(body: str, author: str = "agent", **meta: object) -> OutboundMessage:
    return OutboundMessage(
        Channel.MESSENGER, PSID, body, "int_1", "evt_1", meta={"author_type": author, **meta}
    )


async def test_a_text_message(fb: tuple[FakeApis, MessengerChannel]) -> None:
    _, channel = fb
    [msg] = channel.parse(_body("text_message.json")).messages
    event = channel.receive(msg, received_at=RECEIVED)
    assert event.channel is Channel.MESSENGER
    assert event.sender == PSID and event.recipient == "104512345678901"
    assert event.body == "Cześć! Czy kurtka w rozmiarze M jest dostępna? 🧥"
    assert event.idempotency_key.startswith("m_")
    assert identity_kind_for(Channel.MESSENGER) == "messenger"


async def test_a_quick_reply_and_a_postback_are_their_values(
    fb: tuple[FakeApis, MessengerChannel],
) -> None:
    _, channel = fb
    [quick] = channel.parse(_body("quick_reply.json")).messages
    [postback] = channel.parse(_body("postback.json")).messages
    assert (quick.body, quick.kind) == ("order_status", "quick_reply")
    assert (postback.body, postback.kind) == ("human", "postback")


async def test_an_image_is_downloaded_from_the_cdn_without_the_token(
    fb: tuple[FakeApis, MessengerChannel],
) -> None:
    _, channel = fb
    [msg] = channel.parse(_body("image_attachment.json")).messages
    event = channel.receive(await channel.complete(msg), received_at=RECEIVED)
    [image] = event.attachments
    assert image.content_type == "image/jpeg" and image.data == IMAGE


async def test_echoes_are_skipped_and_deliveries_are_statuses(
    fb: tuple[FakeApis, MessengerChannel],
) -> None:
    _, channel = fb
    assert channel.parse(_body("echo.json")).messages == ()
    [status] = channel.parse(_body("delivery.json")).statuses
    assert status.status == "delivered" and status.message_ref.startswith("m_Dl9")


async def test_an_instagram_body_is_not_a_messenger_webhook(
    fb: tuple[FakeApis, MessengerChannel],
) -> None:
    with pytest.raises(ChannelError, match="'page'"):
        fb[1].parse((fixtures_of("instagram") / "text_message.json").read_bytes())


async def test_a_reply_with_quick_replies(fb: tuple[FakeApis, MessengerChannel]) -> None:
    fake, channel = fb
    buttons = [{"label": "Order status and tracking", "value": "order_status"}]
    delivery = await channel.send(_msg("How can I help?", buttons=buttons))
    assert delivery == Delivery.sent("m_fake1")
    assert fake.sent[0].body == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {
            "text": "How can I help?",
            "quick_replies": [
                {"content_type": "text", "title": "Order status and tra", "payload": "order_status"}
            ],
        },
    }


async def test_outside_the_window_a_person_answers_with_the_human_agent_tag() -> None:
    fake = FakeApis()
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    delivery = await MessengerChannel(graph).send(_msg("Sorry for the wait: it shipped."))
    assert delivery.reference == "m_fake1"
    assert fake.sent[0].body["messaging_type"] == "MESSAGE_TAG"
    assert fake.sent[0].body["tag"] == "HUMAN_AGENT"
    await graph.aclose()


async def test_outside_the_window_the_bot_is_refused() -> None:
    fake = FakeApis()
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    with pytest.raises(OutsideWindow) as info:
        await MessengerChannel(graph).send(_msg("Anything else?", author="bot"))
    assert info.value.temporary is False and (info.value.code, info.value.subcode) == (10, 2018278)
    assert fake.sent == []
    await graph.aclose()


async def test_without_the_tag_permission_the_refusal_says_why() -> None:
    fake = FakeApis(human_agent_allowed=False)
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    with pytest.raises(OutsideWindow, match="24-hour"):
        await MessengerChannel(graph).send(_msg("Hello?"))
    await graph.aclose()


async def test_without_a_page_token_replies_stay_in_the_outbox() -> None:
    graph = GraphApi(f"http://graph.test/{GRAPH_VERSION}", "")
    assert await MessengerChannel(graph).send(_msg("hi")) == Delivery.stored()
    await graph.aclose()
