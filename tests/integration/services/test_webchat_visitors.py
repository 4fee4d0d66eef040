"""A chat visitor's conversation, on real databases (SQLite and PostgreSQL): the one lookup
of the visitor's interaction and what is built on it (transcript, rating, typing relay)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from omnicenter.domain import Channel, InboundEvent
from omnicenter.services.csat import record_csat
from omnicenter.services.inbound import ingest
from omnicenter.services.queries import timeline
from omnicenter.services.replies import ReplyError, SenderSettings
from omnicenter.services.transcripts import chat_transcript, email_transcript
from omnicenter.services.webchat import (
    bind_visitor_interaction,
    open_session,
    visitor_conversation,
    visitor_for_interaction,
    visitor_interaction,
)
from omnicenter.store import Database
from omnicenter.store import tables as t
from tests.integration.foundation.test_store_services import NOW, email
from tests.integration.work import unit_of_work


def write(db: Database, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with db.transaction() as conn:
        return fn(unit_of_work(conn, NOW), *args, **kwargs)


def read(db: Database, fn: Callable[..., Any], *args: Any) -> Any:
    with db.reader() as conn:
        return fn(conn, *args)


def chat(visitor_id: str, text: str, key: str, **meta: Any) -> InboundEvent:
    return InboundEvent(
        Channel.WEBCHAT, visitor_id, text, NOW, key, meta={"session_id": visitor_id, **meta}
    )


def test_the_visitors_interaction_exists_from_the_first_message(db: Database) -> None:
    session = write(db, open_session, None)
    assert read(db, visitor_interaction, "vis_nobody") is None
    assert read(db, visitor_interaction, session.visitor_id) is None  # nothing said yet
    assert read(db, chat_transcript, session.visitor_id) == []
    first = write(db, ingest, chat(session.visitor_id, "Hello", "c1"))
    assert read(db, visitor_interaction, session.visitor_id) == first.interaction_id
    found = read(db, visitor_conversation, session.visitor_id)
    assert (found.id, found.case_id, found.channel) == (
        first.interaction_id, first.case_id, Channel.WEBCHAT,
    )  # fmt: skip
    # The other way round: the visitor behind a chat interaction, nobody behind an email.
    assert read(db, visitor_for_interaction, first.interaction_id) == session.visitor_id
    mail = write(db, ingest, email("ola@example.com", "hi", "m1@x"))
    assert read(db, visitor_for_interaction, mail.interaction_id) is None
    assert read(db, visitor_for_interaction, "int_nobody") is None


def test_a_session_is_bound_to_the_interaction_its_visitor_talks_in(db: Database) -> None:
    first = write(db, open_session, None)
    other = write(db, open_session, None)
    talk = write(db, ingest, chat(other.visitor_id, "Hello", "c1"))
    write(db, bind_visitor_interaction, first.visitor_id, talk.interaction_id)
    assert read(db, visitor_interaction, first.visitor_id) == talk.interaction_id
    resumed = write(db, open_session, first.visitor_id)
    assert resumed.interaction_id == talk.interaction_id


def test_the_transcript_is_the_visitors_messages_in_order(db: Database) -> None:
    session = write(db, open_session, None, email="kasia@example.com")
    write(db, ingest, chat(session.visitor_id, "Where is my order?", "c1"))
    write(db, ingest, chat(session.visitor_id, "Order 12", "c2"))
    lines = read(db, chat_transcript, session.visitor_id)
    assert [(line["author_type"], line["body"]) for line in lines] == [
        ("customer", "Where is my order?"),
        ("customer", "Order 12"),
    ]
    assert all(line["created_at"] == NOW.isoformat() for line in lines)
    outbox_id = write(
        db, email_transcript, session.visitor_id, "kasia@example.com", SenderSettings(), "PL"
    )
    with db.reader() as conn:
        sent = conn.execute(select(t.outbox).where(t.outbox.c.id == outbox_id)).one()
    assert (sent.to_address, sent.subject) == ("kasia@example.com", "Your chat transcript")
    assert sent.body == (
        "Your chat with us:\n\n"
        "[2026-03-02 10:00] You: Where is my order?\n"
        "[2026-03-02 10:00] You: Order 12"
    )


@pytest.mark.parametrize("action", ["csat", "transcript"])
def test_nothing_to_rate_or_send_before_the_first_message(db: Database, action: str) -> None:
    session = write(db, open_session, None)
    with pytest.raises(ReplyError, match="no conversation yet"):
        if action == "csat":
            write(db, record_csat, session.visitor_id, 5, None)
        else:
            write(db, email_transcript, session.visitor_id, "a@example.com", SenderSettings(), "PL")


def test_a_rating_goes_on_the_case_of_the_visitors_chat(db: Database) -> None:
    session = write(db, open_session, None)
    first = write(db, ingest, chat(session.visitor_id, "Thanks!", "c1"))
    with pytest.raises(ReplyError, match=r"1\.\.5"):
        write(db, record_csat, session.visitor_id, 6, None)
    event_id = write(db, record_csat, session.visitor_id, 4, "quick")
    with db.reader() as conn:
        (rating,) = [e for e in timeline(conn, case_id=first.case_id) if e["id"] == event_id]
    assert rating["body"] == "Customer rating: 4/5: quick"
    assert rating["meta"] == {"csat": 4, "comment": "quick"}
    assert (rating["author_type"], rating["interaction_id"]) == ("customer", None)
