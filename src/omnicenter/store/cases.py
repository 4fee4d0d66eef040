"""Cases, interactions and the timeline."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, desc, insert, select, update

from omnicenter.domain import Attachment, Case, Channel, Interaction
from omnicenter.domain.ids import new_id
from omnicenter.domain.model import OPEN_CASE_STATUSES, AuthorType, CaseStatus, EventKind
from omnicenter.store import tables as t
from omnicenter.store.rows import to_case, to_interaction

__all__ = [
    "CASE_AWAITS_AGENT",
    "CASE_IS_OPEN",
    "add_event",
    "attachments_of_event",
    "create_case",
    "create_interaction",
    "get_case",
    "get_interaction",
    "interaction_for_message_ids",
    "interactions_of_case",
    "latest_open_interaction",
    "open_interaction_by_subject",
    "touch",
]


# `CaseStatus.is_open` and `CaseStatus.awaits_agent` as conditions on the stored status.
CASE_IS_OPEN: ColumnElement[bool] = t.cases.c.status.in_([s.value for s in OPEN_CASE_STATUSES])
CASE_AWAITS_AGENT: ColumnElement[bool] = t.cases.c.status.in_(
    [s.value for s in CaseStatus if s.awaits_agent]
)

# Hot statements are built once: constructing a statement per call costs more than the SQL.
_GET_CASE = select(t.cases).where(t.cases.c.id == bindparam("id"))
_GET_INTERACTION = select(t.interactions).where(t.interactions.c.id == bindparam("id"))
_INSERT_EVENT = insert(t.events)
_INSERT_CASES = insert(t.cases)
_INSERT_INTERACTIONS = insert(t.interactions)
_BY_SUBJECT = (
    select(t.interactions.c.id)
    .where(
        t.interactions.c.customer_id.in_(bindparam("ids", expanding=True)),
        t.interactions.c.channel == Channel.EMAIL.value,
        t.interactions.c.status == "open",
        t.interactions.c.subject_key == bindparam("key"),
        t.interactions.c.updated_at >= bindparam("since"),
    )
    .order_by(desc(t.interactions.c.updated_at))
    .limit(1)
)
_TOUCH_CASE = (
    update(t.cases).where(t.cases.c.id == bindparam("cid")).values(updated_at=bindparam("now"))
)
_TOUCH_INTERACTION = (
    update(t.interactions)
    .where(t.interactions.c.id == bindparam("iid"))
    .values(updated_at=bindparam("now"))
)


def get_case(conn: Connection, case_id: str) -> Case | None:
    row = conn.execute(_GET_CASE, {"id": case_id}).first()
    return to_case(row) if row else None


def get_interaction(conn: Connection, interaction_id: str) -> Interaction | None:
    row = conn.execute(_GET_INTERACTION, {"id": interaction_id}).first()
    return to_interaction(row) if row else None


def create_case(
    conn: Connection,
    now: datetime,
    customer_id: str,
    subject: str,
    origin: Channel,
    fields: dict[str, Any] | None = None,
    priority: int = 2,
) -> str:
    cid = new_id("cas")
    conn.execute(
        _INSERT_CASES,
        {
            "id": cid,
            "customer_id": customer_id,
            "subject": subject[:400],
            "status": CaseStatus.NEW.value,
            "priority": priority,
            "origin": origin.value,
            "fields": fields or {},
            "created_at": now,
            "updated_at": now,
        },
    )
    return cid


def create_interaction(
    conn: Connection,
    now: datetime,
    case_id: str,
    customer_id: str,
    channel: Channel,
    address: str,
    subject: str | None,
    subject_key: str | None,
) -> str:
    iid = new_id("int")
    conn.execute(
        _INSERT_INTERACTIONS,
        {
            "id": iid,
            "case_id": case_id,
            "customer_id": customer_id,
            "channel": channel.value,
            "address": address,
            "status": "open",
            "subject": subject[:400] if subject else None,
            "subject_key": subject_key[:400] if subject_key else None,
            "created_at": now,
            "updated_at": now,
        },
    )
    return iid


def interactions_of_case(conn: Connection, case_id: str) -> list[str]:
    """The case's interaction ids, oldest first."""
    rows = conn.execute(
        select(t.interactions.c.id)
        .where(t.interactions.c.case_id == case_id)
        .order_by(t.interactions.c.created_at, t.interactions.c.id)
    )
    return [str(r.id) for r in rows]


def interaction_for_message_ids(conn: Connection, message_ids: list[str]) -> str | None:
    """The thread an email belongs to, from In-Reply-To / References (newest reference first)."""
    if not message_ids:
        return None
    rows = conn.execute(
        select(t.email_message_ids.c.message_id, t.email_message_ids.c.interaction_id).where(
            t.email_message_ids.c.message_id.in_(message_ids)
        )
    ).all()
    by_id = {r.message_id: r.interaction_id for r in rows}
    for mid in reversed(message_ids):
        if mid in by_id:
            return str(by_id[mid])
    return None


def open_interaction_by_subject(
    conn: Connection, customer_ids: list[str], subject_key: str, since: datetime
) -> str | None:
    row = conn.execute(
        _BY_SUBJECT, {"ids": customer_ids, "key": subject_key, "since": since}
    ).first()
    return row.id if row else None


def latest_open_interaction(
    conn: Connection,
    customer_ids: list[str],
    channel: Channel,
    address: str | None,
    since: datetime,
    case_id: str | None = None,
) -> str | None:
    q = select(t.interactions.c.id).where(
        t.interactions.c.customer_id.in_(customer_ids),
        t.interactions.c.channel == channel.value,
        t.interactions.c.status == "open",
        t.interactions.c.updated_at >= since,
    )
    if address is not None:
        q = q.where(t.interactions.c.address == address)
    if case_id is not None:
        q = q.where(t.interactions.c.case_id == case_id)
    row = conn.execute(q.order_by(desc(t.interactions.c.updated_at)).limit(1)).first()
    return row.id if row else None


def add_event(
    conn: Connection,
    now: datetime,
    *,
    customer_id: str,
    case_id: str | None,
    interaction_id: str | None,
    kind: EventKind,
    channel: Channel | None,
    author_type: AuthorType,
    author_id: str | None,
    body: str,
    html: str | None = None,
    meta: dict[str, Any] | None = None,
    attachments: tuple[Attachment, ...] = (),
    event_id: str | None = None,
) -> str:
    eid = event_id or new_id("evt")
    conn.execute(
        _INSERT_EVENT,
        {
            "id": eid,
            "customer_id": customer_id,
            "case_id": case_id,
            "interaction_id": interaction_id,
            # Through the enums: a kind or author outside them never reaches the log.
            "kind": EventKind(kind).value,
            "channel": channel.value if channel else None,
            "author_type": AuthorType(author_type).value,
            "author_id": author_id,
            "body": body,
            "html": html,
            "meta": meta or {},
            "created_at": now,
        },
    )
    if attachments:
        conn.execute(
            insert(t.attachments),
            [
                {
                    "id": new_id("att"),
                    "event_id": eid,
                    "filename": a.filename[:255],
                    "content_type": a.content_type[:120],
                    "size": a.size,
                    "sha256": hashlib.sha256(a.data).hexdigest(),
                    "data": a.data,
                }
                for a in attachments
            ],
        )
    return eid


def touch(conn: Connection, now: datetime, case_id: str, interaction_id: str | None) -> None:
    conn.execute(_TOUCH_CASE, {"cid": case_id, "now": now})
    if interaction_id:
        conn.execute(_TOUCH_INTERACTION, {"iid": interaction_id, "now": now})


def attachments_of_event(conn: Connection, event_id: str) -> tuple[Attachment, ...]:
    """The files stored on a timeline event, in upload order (what an email carries)."""
    rows = conn.execute(
        select(t.attachments.c.filename, t.attachments.c.content_type, t.attachments.c.data)
        .where(t.attachments.c.event_id == event_id)
        .order_by(t.attachments.c.id)
    )
    return tuple(Attachment(r.filename, r.content_type, bytes(r.data)) for r in rows)
