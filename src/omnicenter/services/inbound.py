"""Inbound contacts: whatever the channel, calls included, one `InboundEvent` becomes a
timeline event. This is the one ingest.

Order of work inside one transaction: idempotency check, identity resolution, threading
(which interaction continues, else which case a new interaction joins: `case_join`, the
one place that rule is written), the event itself, then the keys that make a re-delivery of
the same message a no-op. The caller acknowledges (HTTP 2xx, SMTP 250, the call's first
event) only after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from omnicenter.domain import CaseStatus, Channel, EventKind, InboundEvent
from omnicenter.domain.model import AuthorType
from omnicenter.identity import identity_kind_for, normalize_address
from omnicenter.services.case_changes import change_case
from omnicenter.services.case_join import DEFAULT_JOIN_WINDOW, Joined, case_to_join
from omnicenter.services.engagement_optout import opt_out_on_keyword
from omnicenter.services.identity import Claim, resolve_customer
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.services.webchat import bind_visitor_interaction, visitor_interaction
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = ["IngestResult", "ingest"]

SMS_THREAD_WINDOW = timedelta(hours=24)

_SEEN = select(t.inbound_keys.c.event_id).where(
    t.inbound_keys.c.channel == bindparam("channel"), t.inbound_keys.c.key == bindparam("key")
)
_INSERT_KEY = insert(t.inbound_keys)
_INSERT_MESSAGE_ID = insert(t.email_message_ids)
EMAIL_SUBJECT_WINDOW = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class IngestResult:
    event_id: str
    customer_id: str
    case_id: str | None
    interaction_id: str | None
    duplicate: bool = False
    new_case: bool = False


_CALLS = (Channel.VOICE, Channel.CALLBACK)
# what an adapter learnt of a message that the timeline keeps (the rest is the adapter's)
_KEPT_META = (
    "auto_submitted",
    "provider",
    "client_message_id",
    "call",
    "call_id",
    "direction",
    "message_type",
    "location",
    "media",
    "reply_to",
    "username",
)
# text channels without threads of their own: a message continues the sender's open
# interaction of the last 24 hours
_BY_SENDER = (
    Channel.SMS,
    Channel.MESSENGER,
    Channel.WHATSAPP,
    Channel.INSTAGRAM,
    Channel.TELEGRAM,
)


def _sender_kind(ev: InboundEvent) -> str:
    return ev.sender_kind or identity_kind_for(ev.channel)


def _claims(ev: InboundEvent) -> list[Claim]:
    claims = [Claim(_sender_kind(ev), ev.sender)]
    # Addresses the customer told us (chat pre-chat form, web form fields).
    for field_name, kind in (("email", "email"), ("phone", "phone")):
        value = ev.fields.get(field_name)
        if isinstance(value, str) and value.strip():
            claims.append(Claim(kind, value))
    return claims


def ingest(
    uow: UnitOfWork,
    ev: InboundEvent,
    *,
    region: str = "PL",
    join_window: timedelta = DEFAULT_JOIN_WINDOW,
) -> IngestResult:
    conn = uow.conn
    seen = conn.execute(_SEEN, {"channel": ev.channel.value, "key": ev.idempotency_key}).first()
    if seen is not None:
        row = conn.execute(select(t.events).where(t.events.c.id == seen.event_id)).one()
        return IngestResult(
            row.id, row.customer_id, row.case_id, row.interaction_id, duplicate=True
        )

    customer_id = resolve_customer(uow, _claims(ev), ev.sender_name, region)
    sender = normalize_address(_sender_kind(ev), ev.sender, region)
    interaction_id = _thread(uow, ev, customer_id, sender)
    new_case = False
    joined: Joined | None = None
    if interaction_id is None:
        joined = case_to_join(conn, ev, customer_id, uow.now, join_window)
        if joined is None:
            subject = ev.subject or _first_line(ev.body) or f"{ev.channel.value} contact"
            case_id = cases_repo.create_case(
                conn, uow.now, customer_id, subject, ev.channel, fields=dict(ev.fields)
            )
            new_case = True
        else:
            case_id = joined.case_id
        interaction_id = cases_repo.create_interaction(
            conn,
            uow.now,
            case_id,
            customer_id,
            ev.channel,
            sender,
            ev.subject,
            ev.meta.get("normalized_subject"),
        )
        if ev.channel is Channel.WEBCHAT and ev.meta.get("session_id"):
            bind_visitor_interaction(uow, ev.meta["session_id"], interaction_id)
    interaction = cases_repo.get_interaction(conn, interaction_id)
    assert interaction is not None
    case_id = interaction.case_id
    case = cases_repo.get_case(conn, case_id)
    assert case is not None
    if not case.status.is_open:
        # The customer wrote again about a closed case: it is open again.
        change_case(uow, case, status=CaseStatus.OPEN)
    meta: dict[str, Any] = {"from": ev.sender}
    if ev.sender_name:
        meta["from_name"] = ev.sender_name
    if ev.subject:
        meta["subject"] = ev.subject
    if ev.recipient:
        meta["to"] = ev.recipient
    if ev.attachments:
        meta["attachments"] = [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in ev.attachments
        ]
    if ev.fields:
        meta["fields"] = dict(ev.fields)
    if joined is not None:  # why this contact is on that case, for the agent
        meta["joined"] = {"case_id": joined.case_id, "reason": joined.reason}
    for key in _KEPT_META:
        if key in ev.meta:
            meta[key] = ev.meta[key]
    kind, author_type = _kind_of(ev)
    event_id = add_timeline_event(
        uow,
        customer_id=interaction.customer_id,
        case_id=case_id,
        interaction_id=interaction_id,
        kind=kind,
        channel=ev.channel,
        author_type=author_type,
        author_id=customer_id if author_type is AuthorType.CUSTOMER else None,
        body=ev.body.strip(),
        meta=meta,
        new_case=new_case,
        html=ev.html,
        attachments=ev.attachments,
    )
    if kind is EventKind.MESSAGE_IN:  # STOP (or NIE, WYPISZ...) withdraws proactive messages
        opt_out_on_keyword(uow, interaction.customer_id, ev.channel, ev.body)
    conn.execute(
        _INSERT_KEY,
        {
            "channel": ev.channel.value,
            "key": ev.idempotency_key,
            "event_id": event_id,
            "created_at": uow.now,
        },
    )
    if ev.channel is Channel.EMAIL and ev.message_ref:
        conn.execute(
            _INSERT_MESSAGE_ID,
            {
                "message_id": ev.message_ref,
                "interaction_id": interaction_id,
                "event_id": event_id,
                "created_at": uow.now,
            },
        )
    cases_repo.touch(conn, uow.now, case_id, interaction_id)
    return IngestResult(event_id, customer_id, case_id, interaction_id, new_case=new_case)


def _thread(uow: UnitOfWork, ev: InboundEvent, customer_id: str, sender: str) -> str | None:
    conn = uow.conn

    def family() -> list[str]:
        return customers_repo.customer_family(conn, customer_id)

    if ev.channel is Channel.EMAIL:
        found = cases_repo.interaction_for_message_ids(conn, list(ev.thread_refs))
        if found is None and ev.meta.get("normalized_subject"):
            found = cases_repo.open_interaction_by_subject(
                conn, family(), ev.meta["normalized_subject"], uow.now - EMAIL_SUBJECT_WINDOW
            )
        if found is not None:
            _reopen_interaction(uow, found)
        return found
    if ev.channel is Channel.WEBCHAT:
        wanted = ev.meta.get("interaction_id")
        if not wanted and ev.meta.get("session_id"):
            wanted = visitor_interaction(conn, ev.meta["session_id"])
        if isinstance(wanted, str) and wanted:
            interaction = cases_repo.get_interaction(conn, wanted)
            if interaction is not None and interaction.status.value == "open":
                return wanted
        return None
    if ev.channel in _BY_SENDER:
        return cases_repo.latest_open_interaction(
            conn, family(), ev.channel, sender, uow.now - SMS_THREAD_WINDOW
        )
    return None  # a form, a call: a new interaction each time


def _kind_of(ev: InboundEvent) -> tuple[EventKind, AuthorType]:
    """How the contact shows on the timeline: a message, a form, or a call's start (a
    status the phone writes, not words of the customer)."""
    if ev.channel in _CALLS:
        return EventKind.STATUS, AuthorType.SYSTEM
    if ev.channel is Channel.FORM:
        return EventKind.FORM, AuthorType.CUSTOMER
    return EventKind.MESSAGE_IN, AuthorType.CUSTOMER


def _reopen_interaction(uow: UnitOfWork, interaction_id: str) -> None:
    uow.conn.execute(
        update(t.interactions)
        .where(t.interactions.c.id == interaction_id, t.interactions.c.status != "open")
        .values(status="open", closed_at=None)
    )


def _first_line(body: str) -> str:
    for line in body.splitlines():
        line = line.strip()
        if line:
            return line[:80]
    return ""
