"""An agent's text is checked against the channel's manifest before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from omnicenter.channels.voice import CallInfo, VoiceChannel
from omnicenter.domain import Agent, AgentRole, Channel, InboundEvent
from omnicenter.services.agents import NewAgent, create_agent
from omnicenter.services.inbound import IngestResult, ingest
from omnicenter.services.replies import ReplyError, reply
from omnicenter.store import Database
from omnicenter.store import tables as t
from tests.integration.work import unit_of_work

NOW = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)  # the year ends while the agent types


def _run(db: Database, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.transaction() as conn:
        return fn(unit_of_work(conn, NOW), *args, **kwargs)


def _agent(db: Database) -> Agent:
    new = NewAgent("ola", "Ola", AgentRole.AGENT, "pass-word-1")
    agent: Agent = _run(db, create_agent, new, actor="test")
    return agent


def _outbox(db: Database) -> list[str]:
    with db.reader() as conn:
        return [r.body for r in conn.execute(select(t.outbox.c.body))]


def test_a_long_sms_reply_is_kept_whole_for_the_adapter_to_split(db: Database) -> None:
    agent = _agent(db)
    texted: IngestResult = _run(
        db, ingest, InboundEvent(Channel.SMS, "+48601000333", "hi", NOW, "SM9")
    )
    assert texted.interaction_id is not None
    body = "word " * 500  # 2,500 characters: over one SMS, which the SMS manifest splits
    _run(db, reply, agent, texted.interaction_id, body)
    assert _outbox(db) == [body.strip()]


def test_no_text_reply_on_a_call(db: Database) -> None:
    agent = _agent(db)
    call = CallInfo(call_id="call_1", caller="+48601000444", called="100", started_at=NOW)
    called: IngestResult = _run(db, ingest, VoiceChannel().receive(call, received_at=NOW))
    assert called.interaction_id is not None
    with pytest.raises(ReplyError, match="cannot send a text message on voice"):
        _run(db, reply, agent, called.interaction_id, "hello?")
    with db.reader() as conn:
        assert conn.execute(select(func.count()).select_from(t.outbox)).scalar() == 0


def _at(db: Database, when: datetime, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.transaction() as conn:
        return fn(unit_of_work(conn, when), *args, **kwargs)


def test_a_free_form_reply_waits_on_the_customer_service_window(db: Database) -> None:
    agent = _agent(db)
    wrote = InboundEvent(Channel.WHATSAPP, "+48601000555", "hi", NOW, "wamid.1")
    contact: IngestResult = _at(db, NOW, ingest, wrote)
    assert contact.interaction_id is not None
    _at(db, NOW + timedelta(hours=23), reply, agent, contact.interaction_id, "still here")
    with pytest.raises(ReplyError, match="too long ago"):
        _at(db, NOW + timedelta(hours=25), reply, agent, contact.interaction_id, "hello?")


def test_a_person_may_answer_on_messenger_for_a_week(db: Database) -> None:
    agent = _agent(db)
    wrote = InboundEvent(Channel.MESSENGER, "psid-7", "hi", NOW, "mid.1")
    contact: IngestResult = _at(db, NOW, ingest, wrote)
    assert contact.interaction_id is not None
    _at(db, NOW + timedelta(days=3), reply, agent, contact.interaction_id, "sorry for the wait")
    with pytest.raises(ReplyError, match="too long ago"):
        _at(db, NOW + timedelta(days=8), reply, agent, contact.interaction_id, "anyone?")
