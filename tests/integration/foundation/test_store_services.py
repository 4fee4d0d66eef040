"""Services on real databases: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from omnicenter.bus.events import TimelineEventAdded
from omnicenter.domain import AgentRole, Attachment, CaseStatus, Channel, InboundEvent
from omnicenter.services import queries
from omnicenter.services.agents import NewAgent, agent_for_token, create_agent, login
from omnicenter.services.case_moves import split_interaction
from omnicenter.services.identity import MergeError, decide_suggestion, unmerge
from omnicenter.services.inbound import ingest
from omnicenter.services.replies import (
    ReplyError,
    add_note,
    reply,
    reply_on_channel,
    update_case,
)
from omnicenter.services.uow import utcnow
from omnicenter.services.webchat import open_session
from omnicenter.store import Database, metadata
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t
from tests.integration.work import unit_of_work

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def run(db: Database, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.transaction() as conn:
        return fn(unit_of_work(conn), *args, **kwargs)


def announced(db: Database, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run `fn` in one unit of work; its result and the timeline events it will publish."""
    with db.transaction() as conn:
        uow = unit_of_work(conn)
        result = fn(uow, *args, **kwargs)
    return result, [e for e in uow.events if isinstance(e, TimelineEventAdded)]


def assert_announced_as_stored(db: Database, event: TimelineEventAdded) -> None:
    with db.reader() as conn:
        row = conn.execute(select(t.events).where(t.events.c.id == event.event_id)).one()
        root = customers_repo.root_of(conn, row.customer_id)
    assert (event.customer_id, event.case_id, event.interaction_id, event.kind) == (
        root,
        row.case_id,
        row.interaction_id,
        row.kind,
    )
    assert (event.channel, event.author_type, event.author_id, event.body, event.meta) == (
        row.channel,
        row.author_type,
        row.author_id,
        row.body,
        row.meta,
    )


def read(db: Database, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.reader() as conn:
        return fn(conn, *args, **kwargs)


def email(
    sender: str,
    body: str,
    mid: str,
    subject: str = "Order 1",
    refs: tuple[str, ...] = (),
    name: str | None = None,
) -> InboundEvent:
    return InboundEvent(
        Channel.EMAIL,
        sender,
        body,
        NOW,
        mid,
        subject=subject,
        message_ref=mid,
        thread_refs=refs,
        sender_name=name,
        meta={"normalized_subject": subject.lower().removeprefix("re: ")},
    )


@pytest.fixture
def agent(db: Database):  # type: ignore[no-untyped-def]
    return run(
        db, create_agent, NewAgent("anna", "Anna", AgentRole.AGENT, "secret-pass"), actor="test"
    )


def test_migrations_match_the_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_email_thread_by_references_then_by_subject(db: Database, agent) -> None:  # type: ignore[no-untyped-def]
    first = run(db, ingest, email("Ann@Example.com", "Where is my order?", "m1@x"))
    assert first.new_case
    sent = run(db, reply, agent, first.interaction_id, "It ships today.")
    with db.reader() as conn:
        out = conn.execute(select(t.outbox).where(t.outbox.c.id == sent.outbox_id)).one()
    assert out.headers["In-Reply-To"] == "<m1@x>"
    assert out.subject == "Re: Order 1"
    our_id = f"{sent.event_id}@omnicenter.local"
    # The customer answers our reply: threaded by In-Reply-To to the same interaction.
    second = run(
        db, ingest, email("ann@example.com", "Thanks!", "m2@x", "Re: Order 1", refs=(our_id,))
    )
    assert (second.interaction_id, second.case_id, second.new_case) == (
        first.interaction_id,
        first.case_id,
        False,
    )
    # A client that drops the headers still threads by subject.
    third = run(db, ingest, email("ann@example.com", "One more thing", "m3@x", "RE: Order 1"))
    assert third.interaction_id == first.interaction_id
    # Another subject while that case is open: a new contact that joins it (the case-join
    # rule, said on its event); the agent splits it off into a case of its own.
    other = run(db, ingest, email("ann@example.com", "Invoice please", "m4@x", "Invoice"))
    assert other.interaction_id != first.interaction_id and not other.new_case
    assert other.case_id == first.case_id
    with db.reader() as conn:
        joined = conn.execute(select(t.events.c.meta).where(t.events.c.id == other.event_id))
        assert joined.scalar_one()["joined"]["case_id"] == first.case_id
    moved = run(db, split_interaction, agent, other.interaction_id)
    assert moved.from_case_id == first.case_id and moved.to_case_id != first.case_id
    assert other.customer_id == first.customer_id


def test_redelivery_is_idempotent(db: Database) -> None:
    ev = email("bob@example.com", "Hello", "dup@x")
    a = run(db, ingest, ev)
    b = run(db, ingest, ev)
    assert b.duplicate and b.event_id == a.event_id
    with db.reader() as conn:
        assert conn.execute(select(func.count()).select_from(t.events)).scalar() == 1


def test_chat_visitor_giving_a_known_email_is_merged_and_unmerge_restores(db: Database) -> None:
    mail = run(db, ingest, email("ewa@example.com", "Question by email", "e1@x", name="Ewa Nowak"))
    session = run(db, open_session, None)
    chat = run(
        db,
        ingest,
        InboundEvent(
            Channel.WEBCHAT,
            session.visitor_id,
            "Hi from chat",
            NOW,
            "c1",
            meta={"session_id": session.visitor_id},
        ),
    )
    assert chat.customer_id != mail.customer_id
    # The visitor tells us their email (pre-chat form): exact match, merged automatically.
    again = run(db, open_session, session.visitor_id, email="EWA@example.com")
    assert again.customer_id == mail.customer_id
    events = read(db, queries.timeline, customer_id=mail.customer_id)
    assert [e["body"] for e in events] == ["Question by email", "Hi from chat"]
    with db.reader() as conn:
        rec = conn.execute(select(t.merge_records)).one()
        assert "exact match" in rec.reason
    run(db, unmerge, rec.id, actor="supervisor")
    assert [e["body"] for e in read(db, queries.timeline, customer_id=mail.customer_id)] == [
        "Question by email"
    ]
    assert [e["body"] for e in read(db, queries.timeline, customer_id=chat.customer_id)] == [
        "Hi from chat"
    ]
    with pytest.raises(MergeError):
        run(db, unmerge, rec.id, actor="supervisor")


def test_fuzzy_matches_become_suggestions_not_merges(db: Database) -> None:
    a = run(db, ingest, email("jan.kowalski@example.com", "a", "f1@x", name="Jan Kowalski"))
    sms = InboundEvent(Channel.SMS, "+48 601 234 567", "b", NOW, "SM1")
    b = run(db, ingest, sms)
    c = run(db, ingest, email("jkowalski@work.example", "c", "f2@x", name="Kowalski Jan"))
    assert len({a.customer_id, b.customer_id, c.customer_id}) == 3
    sugs = read(db, queries.list_merge_suggestions)
    pair = {frozenset((s["customer_a"], s["customer_b"])) for s in sugs}
    assert frozenset((a.customer_id, c.customer_id)) in pair
    # Same subscriber written without the country code by a UK-default form: a suggestion.
    d = run(db, ingest, InboundEvent(Channel.SMS, "+44601234567", "d", NOW, "SM2"))
    sugs = read(db, queries.list_merge_suggestions)
    assert frozenset((b.customer_id, d.customer_id)) in {
        frozenset((s["customer_a"], s["customer_b"])) for s in sugs
    }
    target = next(
        s for s in sugs if {s["customer_a"], s["customer_b"]} == {a.customer_id, c.customer_id}
    )
    merge_id = run(db, decide_suggestion, target["id"], accept=True, actor="anna")
    assert merge_id
    bodies = sorted(e["body"] for e in read(db, queries.timeline, customer_id=c.customer_id))
    assert bodies == ["a", "c"]


def test_phone_numbers_are_one_identity_across_sms_spellings(db: Database) -> None:
    a = run(db, ingest, InboundEvent(Channel.SMS, "+48601234567", "one", NOW, "SMa"))
    b = run(db, ingest, InboundEvent(Channel.SMS, "0048 601-234-567", "two", NOW, "SMb"))
    assert a.customer_id == b.customer_id
    assert a.interaction_id == b.interaction_id  # same SMS exchange within 24 h


def test_answer_a_chat_by_email_and_sms(db: Database, agent) -> None:  # type: ignore[no-untyped-def]
    session = run(
        db, open_session, None, email="kasia@example.com", phone="601 000 111", name="Kasia"
    )
    chat = run(
        db,
        ingest,
        InboundEvent(
            Channel.WEBCHAT,
            session.visitor_id,
            "Send me the invoice",
            NOW,
            "c9",
            meta={"session_id": session.visitor_id},
        ),
    )
    by_mail = run(db, reply_on_channel, agent, chat.case_id, Channel.EMAIL, "Invoice attached.")
    by_sms = run(db, reply_on_channel, agent, chat.case_id, Channel.SMS, "Sent by email.")
    with db.reader() as conn:
        rows = {r.channel: r for r in conn.execute(select(t.outbox))}
    assert rows["email"].to_address == "kasia@example.com"
    assert rows["sms"].to_address == "+48601000111"
    assert by_mail.case_id == by_sms.case_id == chat.case_id
    kinds = [(e["channel"], e["kind"]) for e in read(db, queries.timeline, case_id=chat.case_id)]
    assert kinds == [("webchat", "message_in"), ("email", "message_out"), ("sms", "message_out")]
    with pytest.raises(ReplyError, match="no phone address"):
        other = run(db, ingest, email("nobody@example.com", "x", "n1@x"))
        run(db, reply_on_channel, agent, other.case_id, Channel.SMS, "hi")


def test_login_tokens_and_timestamps_are_utc(db: Database, agent) -> None:  # type: ignore[no-untyped-def]
    assert run(db, login, "anna", "wrong") is None
    found, token = run(db, login, "anna", "secret-pass")
    assert found.id == agent.id
    assert read(db, agent_for_token, token, utcnow()).id == agent.id
    assert read(db, agent_for_token, token + "x", utcnow()) is None
    with db.reader() as conn:
        stored = conn.execute(select(t.api_tokens.c.token_hash, t.api_tokens.c.created_at)).one()
    assert token not in stored.token_hash
    assert (
        stored.created_at.tzinfo is not None and stored.created_at.utcoffset().total_seconds() == 0
    )


def test_events_are_announced_as_stored_to_the_survivor(db: Database, agent) -> None:  # type: ignore[no-untyped-def]
    mail = run(db, ingest, email("ewa@example.com", "Question by email", "e1@x", name="Ewa"))
    session = run(db, open_session, None)
    chat, (inbound,) = announced(
        db,
        ingest,
        InboundEvent(
            Channel.WEBCHAT,
            session.visitor_id,
            "Hi, see the photo",
            NOW,
            "c1",
            html="<p>Hi, see the photo</p>",
            attachments=(Attachment("photo.png", "image/png", b"png"),),
            meta={"session_id": session.visitor_id},
        ),
    )
    assert inbound.event_id == chat.event_id and inbound.new_case
    assert_announced_as_stored(db, inbound)
    with db.reader() as conn:
        row = conn.execute(select(t.events).where(t.events.c.id == chat.event_id)).one()
        files = conn.execute(select(t.attachments).where(t.attachments.c.event_id == row.id))
        assert row.html == "<p>Hi, see the photo</p>"
        assert [f.filename for f in files] == ["photo.png"]
    # The visitor turns out to be Ewa: their chat is stored under the merged profile, and
    # what is written on it is announced to the surviving one.
    run(db, open_session, session.visitor_id, email="ewa@example.com")
    sent, (out,) = announced(db, reply, agent, chat.interaction_id, "Hello Ewa")
    assert out.event_id == sent.event_id and out.customer_id == mail.customer_id
    assert_announced_as_stored(db, out)
    note_id, (note,) = announced(db, add_note, agent, chat.case_id, " Called her back ")
    assert note.event_id == note_id and note.body == "Called her back"
    assert note.customer_id == mail.customer_id
    assert_announced_as_stored(db, note)
    _, status_events = announced(db, update_case, agent, chat.case_id, status=CaseStatus.PENDING)
    assert status_events == []  # published as CaseUpdated, not as a timeline event
