"""TelegramChannel on recorded Bot API updates, the secret token, and sends against the
fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import ChannelError, SendError
from omnicenter.channels.meta import MediaUnavailable, RetryPolicy
from omnicenter.channels.telegram import (
    MANIFEST,
    BotApi,
    TelegramChannel,
    verify_secret_token,
)
from omnicenter.domain import Channel, OutboundMessage
from tests.unit.channels.fixtures import fixtures_of
from tests.unit.channels.meta.fake_apis import IMAGE, FakeApis

FIXTURES = fixtures_of("telegram")
RECEIVED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
CHAT = "987654321"


async def _no_wait(_: float) -> None:
    return None


@pytest.fixture
async def tg() -> AsyncIterator[tuple[FakeApis, TelegramChannel]]:
    fake = FakeApis()
    api = BotApi(fake.telegram_token, api_base="http://telegram.test", transport=fake.transport())
    yield fake, TelegramChannel(api, retry=RetryPolicy(3, 0, _no_wait))
    await api.aclose()


def _body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_the_secret_token_is_compared() -> None:
    verify_secret_token("s3cret", "s3cret")
    for header in (None, "", "s3cre", "s3cret "):
        with pytest.raises(ChannelError) as info:
            verify_secret_token("s3cret", header)
        assert info.value.status == 403


def test_no_secret_configured_refuses_every_update() -> None:
    with pytest.raises(ChannelError, match="OMNICENTER_TELEGRAM_SECRET_TOKEN") as info:
        verify_secret_token("", "")
    assert info.value.status == 503


async def test_a_text_message(tg: tuple[FakeApis, TelegramChannel]) -> None:
    _, channel = tg
    [msg] = channel.parse(_body("text_update.json")).messages
    event = channel.receive(msg, received_at=RECEIVED)
    assert event.channel is Channel.TELEGRAM
    assert event.sender == CHAT and event.sender_name == "Łukasz Nowak"
    assert event.body == "Dzień dobry, chcę zwrócić buty (zamówienie 100235)"
    # message ids are counted per chat: the chat makes them unique
    assert event.idempotency_key == f"{CHAT}:1365"
    assert event.meta["username"] == "lnowak"


async def test_the_largest_photo_is_downloaded_after_a_failure(
    tg: tuple[FakeApis, TelegramChannel],
) -> None:
    fake, channel = tg
    fake.media_failures = 1
    [msg] = channel.parse(_body("photo_update.json")).messages
    event = channel.receive(await channel.complete(msg), received_at=RECEIVED)
    [photo] = event.attachments
    assert photo.data == IMAGE and event.body == "Tak wyglądała paczka"
    assert msg.media[0].ref.endswith("large") and fake.media_requests == 2


async def test_a_download_that_keeps_failing_refuses_the_update(
    tg: tuple[FakeApis, TelegramChannel],
) -> None:
    fake, channel = tg
    fake.media_failures = 5
    [msg] = channel.parse(_body("photo_update.json")).messages
    with pytest.raises(MediaUnavailable):
        await channel.complete(msg)


async def test_a_shared_own_contact_is_a_phone_claim(tg: tuple[FakeApis, TelegramChannel]) -> None:
    [msg] = tg[1].parse(_body("contact_update.json")).messages
    assert msg.fields == {"phone": "48601234567"}
    event = tg[1].receive(msg, received_at=RECEIVED)
    assert event.fields == {"phone": "48601234567"}


async def test_a_button_press_is_its_value(tg: tuple[FakeApis, TelegramChannel]) -> None:
    [msg] = tg[1].parse(_body("callback_query_update.json")).messages
    assert (msg.sender, msg.body) == (CHAT, "order_status")
    assert msg.message_id == "callback:4382bfdwdsb323b2d9"


async def test_group_messages_are_not_conversations(tg: tuple[FakeApis, TelegramChannel]) -> None:
    assert tg[1].parse(_body("group_update.json")).messages == ()


async def test_a_reply_with_an_inline_keyboard(tg: tuple[FakeApis, TelegramChannel]) -> None:
    fake, channel = tg
    buttons = [
        {"label": "Order status", "value": "order_status"},
        {"label": "x", "value": "y" * 65},
    ]
    msg = OutboundMessage(
        Channel.TELEGRAM, CHAT, "How can I help?", "int_1", "evt_1", meta={"buttons": buttons}
    )
    assert await channel.send(msg) == Delivery.sent(f"{CHAT}:2001")
    assert fake.sent[0].body == {
        "chat_id": CHAT,
        "text": "How can I help?",
        # callback_data holds at most 64 bytes: a longer value cannot be a button
        "reply_markup": {
            "inline_keyboard": [[{"text": "Order status", "callback_data": "order_status"}]]
        },
    }


async def test_a_blocked_bot_is_a_permanent_failure(tg: tuple[FakeApis, TelegramChannel]) -> None:
    fake, channel = tg
    fake.blocked.add(CHAT)
    msg = OutboundMessage(Channel.TELEGRAM, CHAT, "hi", "int_1", "evt_1")
    with pytest.raises(SendError, match="blocked") as info:
        await channel.send(msg)
    assert info.value.temporary is False


async def test_without_a_bot_token_replies_stay_in_the_outbox() -> None:
    api = BotApi("")
    msg = OutboundMessage(Channel.TELEGRAM, CHAT, "hi", "int_1", "evt_1")
    assert await TelegramChannel(api).send(msg) == Delivery.stored()
    assert MANIFEST.reply_window is None
    await api.aclose()
