"""A call is a contact like any other: it starts through the one ingest, which resolves the
caller and chooses the case (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from omnicenter.channels.voice import CallInfo, VoiceChannel
from omnicenter.domain import CaseStatus, Channel, InboundEvent
from omnicenter.services.case_changes import change_case
from omnicenter.services.inbound import IngestResult, ingest
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import Database
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t
from tests.integration.work import unit_of_work

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night clocks go forward in Europe


def _run(db: Database, fn, *args, at: datetime = NOW, **kwargs):  # type: ignore[no-untyped-def]
    with db.transaction() as conn:
        return fn(unit_of_work(conn, at), *args, **kwargs)


def call_contact(call: CallInfo, channel: Channel, case_id: str | None) -> InboundEvent:
    """The contact the phone hands the ingest when a call starts."""
    callback = channel is Channel.CALLBACK
    return VoiceChannel().receive(call, received_at=NOW, callback=callback, case_id=case_id)


def _call(call_id: str, caller: str = "+48601000111") -> CallInfo:
    return CallInfo(call_id=call_id, caller=caller, called="100", started_at=NOW)


def _identities(db: Database, customer_id: str) -> set[tuple[str, str]]:
    with db.reader() as conn:
        rows = conn.execute(
            select(t.identities.c.kind, t.identities.c.address).where(
                t.identities.c.customer_id == customer_id
            )
        )
        return {(r.kind, r.address) for r in rows}


def _event(db: Database, event_id: str):  # type: ignore[no-untyped-def]
    with db.reader() as conn:
        return conn.execute(select(t.events).where(t.events.c.id == event_id)).one()


def test_a_call_from_a_customer_with_an_open_case_joins_it(db: Database) -> None:
    sms = InboundEvent(Channel.SMS, "+48 601 000 111", "Where is my parcel?", NOW, "SM1")
    texted: IngestResult = _run(db, ingest, sms)
    later = NOW + timedelta(minutes=5)
    called: IngestResult = _run(
        db, ingest, call_contact(_call("c1"), Channel.VOICE, None), at=later
    )
    assert called.customer_id == texted.customer_id
    assert called.case_id == texted.case_id and not called.new_case
    assert called.interaction_id != texted.interaction_id  # each call is an interaction
    row = _event(db, called.event_id)
    assert (row.kind, row.author_type, row.channel, row.body) == (
        "status",
        "system",
        "voice",
        "call started",
    )
    assert (row.meta["call"], row.meta["call_id"], row.meta["from"], row.meta["to"]) == (
        "started",
        "c1",
        "+48601000111",
        "100",
    )


def test_a_call_without_an_open_case_starts_one(db: Database) -> None:
    sms = InboundEvent(Channel.SMS, "+48601000111", "Thanks, solved", NOW, "SM2")
    texted: IngestResult = _run(db, ingest, sms)
    assert texted.case_id is not None
    case_id = texted.case_id

    def resolve(uow: UnitOfWork) -> None:
        case = cases_repo.get_case(uow.conn, case_id)
        assert case is not None
        change_case(uow, case, status=CaseStatus.RESOLVED)

    _run(db, resolve)
    called: IngestResult = _run(db, ingest, call_contact(_call("c2"), Channel.VOICE, None))
    assert called.new_case and called.case_id != texted.case_id
    assert called.customer_id == texted.customer_id


def test_a_callback_joins_the_case_it_was_promised_on(db: Database) -> None:
    first: IngestResult = _run(db, ingest, call_contact(_call("c3"), Channel.VOICE, None))
    later = NOW + timedelta(minutes=1)
    sms = InboundEvent(Channel.SMS, "+48601000111", "another matter", later, "SM3")
    other: IngestResult = _run(db, ingest, sms, at=later, join_window=timedelta(0))
    # the text is a case of its own, and the caller's most recently active one
    assert first.case_id is not None and other.case_id != first.case_id
    callback = call_contact(_call("c4"), Channel.CALLBACK, first.case_id)
    placed: IngestResult = _run(db, ingest, callback, at=later + timedelta(minutes=1))
    assert placed.case_id == first.case_id
    assert _event(db, placed.event_id).body == "callback call started"


def test_the_same_call_reported_twice_is_one_contact(db: Database) -> None:
    once: IngestResult = _run(db, ingest, call_contact(_call("c5"), Channel.VOICE, None))
    twice: IngestResult = _run(db, ingest, call_contact(_call("c5"), Channel.VOICE, None))
    assert twice.duplicate and twice.event_id == once.event_id


def test_a_sip_user_calls_as_a_sip_identity(db: Database) -> None:
    called: IngestResult = _run(
        db, ingest, call_contact(_call("c6", caller="alice"), Channel.VOICE, None)
    )
    assert ("sip", "alice") in _identities(db, called.customer_id)
