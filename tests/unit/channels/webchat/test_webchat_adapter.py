"""WebchatChannel: the widget's messages in, replies pushed through a real VisitorHub."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import ChannelError
from omnicenter.channels.webchat import VisitorHub, VisitorMessage, WebchatChannel
from omnicenter.domain import Channel, InboundEvent, OutboundMessage
from tests.unit.channels.fixtures import fixtures_of, load_json

FIXTURES = fixtures_of("webchat")
RECEIVED = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
VISITOR = "vis_01hxyz"


def _payload(name: str) -> dict[str, Any]:
    payload = load_json(FIXTURES / name)
    assert isinstance(payload, dict)
    return payload


def _receive(fixture: str, **extra: Any) -> InboundEvent:
    raw = VisitorMessage(VISITOR, _payload(fixture), **extra)
    return WebchatChannel(VisitorHub()).receive(raw, received_at=RECEIVED)


def test_a_socket_message() -> None:
    event = _receive("message.json", interaction_id="int_7", name="Ola")
    assert event.channel is Channel.WEBCHAT
    assert event.sender == VISITOR
    assert event.sender_name == "Ola"
    assert event.body == "Hi, do you have the Trekker 45 backpack in green?"
    assert event.received_at == RECEIVED
    # The widget's own id: a resend after a dropped connection is the same message.
    assert event.idempotency_key == f"{VISITOR}:c1715679012345k3j9x2"
    assert event.meta == {
        "session_id": VISITOR,
        "interaction_id": "int_7",
        "client_message_id": "c1715679012345k3j9x2",
    }


def test_unicode_text_is_kept_and_trimmed() -> None:
    event = _receive("message_unicode.json")
    assert event.body == "Czy mogę zapłacić BLIKiem? 🙏\nDziękuję!"


def test_a_button_tap_is_a_message_with_the_buttons_value() -> None:
    assert _receive("message_button_value.json").body == "order_status"


def test_the_http_fallback_without_a_client_id_gets_its_own_key() -> None:
    first = _receive("message_http_fallback.json")
    second = _receive("message_http_fallback.json")
    assert first.idempotency_key != second.idempotency_key
    assert "client_message_id" not in first.meta


def test_empty_and_oversized_texts_are_refused() -> None:
    with pytest.raises(ChannelError, match="non-empty"):
        _receive("message_empty.json")
    channel = WebchatChannel(VisitorHub())
    with pytest.raises(ChannelError, match="limit is 4000"):
        channel.receive(VisitorMessage(VISITOR, {"text": "x" * 4001}), received_at=RECEIVED)
    with pytest.raises(ChannelError, match="client_id"):
        channel.receive(
            VisitorMessage(VISITOR, {"text": "hi", "client_id": 42}), received_at=RECEIVED
        )


def _reply(**meta: Any) -> OutboundMessage:
    return OutboundMessage(
        Channel.WEBCHAT, VISITOR, "Yes, in green and navy.", "int_7", "evt_9", meta=meta
    )


async def test_a_reply_reaches_every_open_tab() -> None:
    hub = VisitorHub()
    tabs: list[list[dict[str, Any]]] = [[], []]
    for tab in tabs:

        async def deliver(payload: dict[str, Any], tab: list[dict[str, Any]] = tab) -> None:
            tab.append(payload)

        hub.attach(VISITOR, deliver)
    delivery = await WebchatChannel(hub).send(_reply())
    assert delivery == Delivery.sent()
    expected = {
        "type": "message",
        "event_id": "evt_9",
        "author_type": "agent",
        "body": "Yes, in green and navy.",
    }
    assert tabs == [[expected], [expected]]


async def test_the_bots_buttons_go_with_its_message() -> None:
    hub = VisitorHub()
    got: list[dict[str, Any]] = []

    async def deliver(payload: dict[str, Any]) -> None:
        got.append(payload)

    hub.attach(VISITOR, deliver)
    buttons = [{"label": "Where is my order?", "value": "order_status"}]
    await WebchatChannel(hub).send(_reply(author_type="bot", buttons=buttons))
    assert got[0]["author_type"] == "bot"
    assert got[0]["buttons"] == buttons


async def test_an_away_visitor_reads_it_later() -> None:
    hub = VisitorHub()
    assert await WebchatChannel(hub).send(_reply()) == Delivery.stored()

    async def closed(payload: dict[str, Any]) -> None:
        raise ConnectionResetError("tab closed")

    hub.attach(VISITOR, closed)
    assert await WebchatChannel(hub).send(_reply()) == Delivery.stored()
    assert not hub.online(VISITOR)  # the dead socket is let go
