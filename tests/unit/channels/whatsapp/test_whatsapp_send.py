"""WhatsappChannel.send against the fake Cloud API: texts, buttons, lists, templates and
the 24-hour window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from omnicenter.channels.base import Delivery
from omnicenter.channels.errors import SendError
from omnicenter.channels.meta import GraphApi, OutsideWindow
from omnicenter.channels.whatsapp import MANIFEST, WhatsappChannel
from omnicenter.domain import Channel, OutboundMessage
from tests.unit.channels.fixtures import fixtures_of, load_json
from tests.unit.channels.meta.fake_apis import GRAPH_VERSION, FakeApis

PHONE_ID = "106540352242922"
CUSTOMER = "+48601234567"


@pytest.fixture
async def wa() -> AsyncIterator[tuple[FakeApis, WhatsappChannel]]:
    fake = FakeApis(open_windows={"48601234567"})
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    yield fake, WhatsappChannel(graph, PHONE_ID)
    await graph.aclose()


def _msg(body: str, **meta: object) -> OutboundMessage:
    return OutboundMessage(Channel.WHATSAPP, CUSTOMER, body, "int_1", "evt_1", meta=dict(meta))


async def test_a_text(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    fake, channel = wa
    delivery = await channel.send(_msg("Your parcel is at the locker."))
    assert delivery == Delivery.sent("wamid.fake1")
    [sent] = fake.sent
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "48601234567",
        "type": "text",
        "text": {"preview_url": False, "body": "Your parcel is at the locker."},
    }


async def test_up_to_three_buttons_are_reply_buttons(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    fake, channel = wa
    buttons = [
        {"label": "Order status", "value": "order_status"},
        {"label": "A person", "value": "human"},
    ]
    await channel.send(_msg("How can I help?", buttons=buttons))
    interactive = fake.sent[0].body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "order_status", "title": "Order status"}},
        {"type": "reply", "reply": {"id": "human", "title": "A person"}},
    ]


async def test_more_buttons_are_a_list_of_at_most_ten(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    fake, channel = wa
    buttons = [{"label": f"Size {n}", "value": f"size_{n}"} for n in range(12)]
    await channel.send(_msg("Which size?", buttons=buttons))
    interactive = fake.sent[0].body["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and rows[0] == {"id": "size_0", "title": "Size 0"}


async def test_outside_the_window_a_text_is_refused_with_the_reason() -> None:
    fake = FakeApis()  # the customer has not written within 24 hours
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    with pytest.raises(OutsideWindow) as info:
        await WhatsappChannel(graph, PHONE_ID).send(_msg("Hello again"))
    assert info.value.temporary is False and info.value.code == 131047
    assert "24-hour" in info.value.reason and "template" in info.value.reason
    assert fake.sent == []
    await graph.aclose()


async def test_a_template_goes_outside_the_window() -> None:
    fake = FakeApis()
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", fake.token, transport=fake.transport())
    template = {"name": "order_update", "language": "pl", "variables": ["100234", "jutro"]}
    delivery = await WhatsappChannel(graph, PHONE_ID).send(_msg("", template=template))
    assert delivery.reference == "wamid.fake1"
    assert fake.sent[0].body["template"] == {
        "name": "order_update",
        "language": {"code": "pl"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "100234"},
                    {"type": "text", "text": "jutro"},
                ],
            }
        ],
    }
    await graph.aclose()


async def test_a_template_without_a_name_is_refused(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    with pytest.raises(SendError, match="name and a language"):
        await wa[1].send(_msg("", template={"language": "pl"}))


async def test_throttling_is_temporary() -> None:
    error = load_json(fixtures_of("whatsapp") / "error_130429_rate_limit.json")
    transport = httpx.MockTransport(lambda _: httpx.Response(400, json=error))
    graph = GraphApi(f"http://graph.test/{GRAPH_VERSION}", "t", transport=transport)
    with pytest.raises(SendError) as info:
        await WhatsappChannel(graph, PHONE_ID).send(_msg("hi"))
    assert info.value.temporary is True and "130429" in info.value.reason
    await graph.aclose()


async def test_a_wrong_token_is_permanent() -> None:
    fake = FakeApis(open_windows={"48601234567"})
    graph = GraphApi(f"{fake.base}/{GRAPH_VERSION}", "stale", transport=fake.transport())
    with pytest.raises(SendError) as info:
        await WhatsappChannel(graph, PHONE_ID).send(_msg("hi"))
    assert info.value.temporary is False and "190" in info.value.reason
    await graph.aclose()


async def test_a_text_over_the_limit_is_refused(wa: tuple[FakeApis, WhatsappChannel]) -> None:
    with pytest.raises(SendError, match="4096"):
        await wa[1].send(_msg("x" * 4097))
    assert wa[0].sent == []


async def test_without_an_access_token_replies_stay_in_the_outbox() -> None:
    graph = GraphApi(f"http://graph.test/{GRAPH_VERSION}", "")
    assert await WhatsappChannel(graph, PHONE_ID).send(_msg("hi")) == Delivery.stored()
    await graph.aclose()


def test_the_window_is_24_hours_from_the_customers_last_message() -> None:
    last = datetime(2024, 5, 14, 9, 30, tzinfo=UTC)
    assert MANIFEST.window_closes_at(last) == last + timedelta(hours=24)
    assert MANIFEST.window_open(last, last + timedelta(hours=23, minutes=59))
    assert not MANIFEST.window_open(last, last + timedelta(hours=24))
    assert not MANIFEST.window_open(None, last)
