"""A message the bot received but never answered (the process stopped in between) is
answered when the bot starts again, once, however many times it starts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from omnicenter.bootstrap import Services
from omnicenter.domain import Channel, InboundEvent, new_id
from omnicenter.services.inbound import ingest
from omnicenter.settings import Settings

from .conftest import CATALOG, FLOW, Customer, Live, _bot_rows

PHONE = "+48600100200"  # on order 10001: its owner may hear it


async def _start(data: Path) -> Live:
    services = Services(Settings(data_dir=data))
    await services.start(smtp=False)
    return Live(services, await services.attach_bot(FLOW, CATALOG))


async def _stop(live: Live) -> None:
    await live.bot.stop()
    await live.services.stop()


async def test_a_message_left_unanswered_is_answered_after_a_restart_once(
    tmp_path: Path,
) -> None:
    live = await _start(tmp_path)
    sms = Customer(live, Channel.SMS, PHONE)
    await sms.say("status zamówienia")  # the bot asks for the order number
    await live.bot.stop()  # the bot is gone: the message is stored, not answered
    sms_in = InboundEvent(Channel.SMS, PHONE, "10001", datetime.now(UTC), new_id("sms"))
    stored = await live.services.runtime.write(ingest, sms_in)
    iid = stored.interaction_id
    assert iid is not None and iid == sms.interaction_id
    before = len(await live.services.runtime.read(_bot_rows, iid))
    await live.services.stop()

    live = await _start(tmp_path)
    await live.bot.idle()
    answers = (await live.services.runtime.read(_bot_rows, iid))[before:]
    facts = [f for m in answers for f in (m.meta or {}).get("facts", [])]
    assert [f["key"] for f in facts] == ["order:10001"]
    state = await live.bot.conversation(iid)
    assert state is not None and state.fields["order_number"] == "10001"
    await _stop(live)

    live = await _start(tmp_path)  # and again: nothing is left to answer
    await live.bot.idle()
    assert len(await live.services.runtime.read(_bot_rows, iid)) == before + len(answers)
    assert await live.bot.answer_unanswered() == 0
    await _stop(live)
