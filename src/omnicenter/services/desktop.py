"""What the desktop, wallboard and widget need beyond the core API.

Wallboard figures, wrap-up, transfer, attachments, CSAT and the emailed transcript. Each
write function takes a unit of work (so events go out after commit); reads take a connection.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from omnicenter.domain import Agent, AgentRole, CaseStatus, Channel
from omnicenter.domain.ids import new_id
from omnicenter.domain.messages import Attachment
from omnicenter.domain.model import EventKind
from omnicenter.services.replies import (
    ReplyError,
    ReplyResult,
    SenderSettings,
    reply_on_channel,
    update_case,
)
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.services.webchat import open_session
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t

__all__ = [
    "ATTACHMENT_CHANNELS",
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_TYPES",
    "CANNED_RESPONSES",
    "DEFAULT_QUEUES",
    "DISPOSITIONS",
    "MAX_FILES_PER_REPLY",
    "SERVICE_TARGET_S",
    "SYSTEM_AGENT",
    "WIDGET_LONG_WAIT_S",
    "AttachmentError",
    "StoredAttachment",
    "attach_to_event",
    "attachment",
    "email_transcript",
    "latest_interaction",
    "record_csat",
    "reply_with_files",
    "transfer_case",
    "visitor_for_interaction",
    "wallboard",
    "wrap_up",
]

ATTACHMENT_MAX_BYTES = 5 * 1_048_576
MAX_FILES_PER_REPLY = 5
# Agents' files travel as MIME parts of an email; chat and SMS carry text only.
ATTACHMENT_CHANNELS = frozenset({Channel.EMAIL})
WIDGET_LONG_WAIT_S = 180  # beyond this the widget offers a callback or an email instead
ATTACHMENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)
# Answer targets behind the service level: a chat waits seconds, an email hours.
SERVICE_TARGET_S: dict[str, int] = {
    "webchat": 60,
    "voice": 20,
    "sms": 900,
    "messenger": 900,
    "email": 4 * 3600,
    "form": 4 * 3600,
}
# Transfer targets offered when live routing is switched off (otherwise its queues).
DEFAULT_QUEUES = ("general", "returns", "partner", "vip")
DISPOSITIONS = (
    "resolved_first_contact",
    "order_status_given",
    "return_started",
    "refund_promised",
    "escalated",
    "no_answer_needed",
)
# Variables in {braces} are filled in by the desktop from the open case.
CANNED_RESPONSES: tuple[dict[str, str], ...] = (
    {"id": "greet", "title": "Greeting", "body": "Hello {customer_name}, I'm {agent_name}. How can I help?"},
    {"id": "check", "title": "Checking", "body": "Thank you, {customer_name}. Let me check that for you."},
    {"id": "order", "title": "Order status", "body": "Your case {case_ref} is in progress; I will update you today."},
    {"id": "bye", "title": "Closing", "body": "Is there anything else I can do for you, {customer_name}?"},
)  # fmt: skip
SYSTEM_AGENT = Agent(
    id="system", username="system", display_name="omnicenter", role=AgentRole.AGENT
)


class AttachmentError(ValueError):
    """The file is too large, of a refused type, or its event is unknown."""


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    id: str
    filename: str
    content_type: str
    data: bytes


# -- reads ------------------------------------------------------------------------------------


def _aware(value: datetime, now: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)


def wallboard(conn: Connection, now: datetime) -> dict[str, Any]:
    """Live figures per channel and agents, plus today's hourly service level and volume."""
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    first_reply = (
        select(t.events.c.case_id, func.min(t.events.c.created_at).label("first_out"))
        .where(t.events.c.kind == EventKind.MESSAGE_OUT.value, t.events.c.author_type == "agent")
        .group_by(t.events.c.case_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            t.cases.c.id,
            t.cases.c.origin,
            t.cases.c.status,
            t.cases.c.owner_agent_id,
            t.cases.c.created_at,
            t.cases.c.sla_due_at,
            first_reply.c.first_out,
        )
        .outerjoin(first_reply, first_reply.c.case_id == t.cases.c.id)
        .where(
            (t.cases.c.created_at >= day_start) | t.cases.c.status.in_(("new", "open", "pending"))
        )
    ).all()
    channels: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"waiting": 0, "longest_wait_s": 0, "open": 0, "answered": 0, "in_target": 0,
                 "offered": 0, "abandoned": 0, "breaches": 0}
    )  # fmt: skip
    hourly_total: Counter[int] = Counter()
    hourly_ok: Counter[int] = Counter()
    for r in rows:
        ch = channels[r.origin]
        created = _aware(r.created_at, now)
        is_open = r.status in ("new", "open", "pending")
        target = SERVICE_TARGET_S.get(r.origin, 3600)
        if is_open:
            ch["open"] += 1
            if r.first_out is None:
                ch["waiting"] += 1
                ch["longest_wait_s"] = max(
                    ch["longest_wait_s"], int((now - created).total_seconds())
                )
            if r.sla_due_at is not None and _aware(r.sla_due_at, now) < now:
                ch["breaches"] += 1
        if created < day_start:
            continue
        ch["offered"] += 1
        answered_s = (_aware(r.first_out, now) - created).total_seconds() if r.first_out else None
        if answered_s is not None:
            ch["answered"] += 1
        ok = answered_s is not None and answered_s <= target
        if ok:
            ch["in_target"] += 1
        if not is_open and answered_s is None:
            ch["abandoned"] += 1
        # A case still waiting within its target is not (yet) counted against the level.
        if answered_s is not None or (now - created).total_seconds() > target:
            hourly_total[created.hour] += 1
            hourly_ok[created.hour] += int(ok)
    for ch in channels.values():
        judged = ch["answered"] + ch["abandoned"]
        ch["service_level"] = round(ch["in_target"] / judged, 3) if judged else None
        ch["abandon_rate"] = round(ch["abandoned"] / ch["offered"], 3) if ch["offered"] else 0.0
    agents = _agents(conn, now)
    capacity = sum(max(a["max_total"], 1) for a in agents if a["presence"] in ("available", "busy"))
    busy = sum(a["open_cases"] for a in agents if a["presence"] in ("available", "busy"))
    return {
        "at": now.isoformat(),
        "channels": {k: channels[k] for k in sorted(channels)},
        "agents": agents,
        "agents_by_state": dict(Counter(a["presence"] for a in agents)),
        "occupancy": round(min(busy / capacity, 1.0), 3) if capacity else 0.0,
        "service_level_by_hour": [
            {"hour": h, "service_level": round(hourly_ok[h] / hourly_total[h], 3)}
            for h in sorted(hourly_total)
        ],
        "breaches": sum(c["breaches"] for c in channels.values()),
    }


def _agents(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    work: dict[str, list[str]] = defaultdict(list)
    for r in conn.execute(
        select(t.cases.c.id, t.cases.c.owner_agent_id).where(
            t.cases.c.status.in_(("new", "open", "pending")), t.cases.c.owner_agent_id.is_not(None)
        )
    ):
        work[r.owner_agent_id].append(r.id)
    out = []
    for a in conn.execute(select(t.agents).order_by(t.agents.c.username)):
        since = _aware(a.presence_since, now) if a.presence_since else None
        out.append(
            {
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "presence": a.presence,
                "presence_reason": a.presence_reason,
                "time_in_state_s": int((now - since).total_seconds()) if since else None,
                "open_cases": len(work[a.id]),
                "case_ids": work[a.id][:10],
                "max_total": a.max_total,
            }
        )
    return out


def visitor_for_interaction(conn: Connection, interaction_id: str) -> str | None:
    """The visitor id behind a chat interaction (the typing indicator goes there)."""
    row = conn.execute(
        select(t.interactions.c.channel, t.interactions.c.address).where(
            t.interactions.c.id == interaction_id
        )
    ).first()
    if row is None or row.channel != Channel.WEBCHAT.value:
        return None
    return str(row.address)


def latest_interaction(conn: Connection, case_id: str) -> str | None:
    """The case's newest open interaction (what routing queues when a case is transferred)."""
    row = conn.execute(
        select(t.interactions.c.id)
        .where(t.interactions.c.case_id == case_id, t.interactions.c.status == "open")
        .order_by(t.interactions.c.created_at.desc(), t.interactions.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else str(row.id)


def visitor_interaction(conn: Connection, visitor_id: str) -> str | None:
    """The chat interaction of a widget visitor's session (None before the first message)."""
    row = conn.execute(
        select(t.webchat_sessions.c.interaction_id).where(t.webchat_sessions.c.id == visitor_id)
    ).first()
    return None if row is None or row.interaction_id is None else str(row.interaction_id)


def attachment(conn: Connection, attachment_id: str) -> StoredAttachment | None:
    row = conn.execute(select(t.attachments).where(t.attachments.c.id == attachment_id)).first()
    if row is None:
        return None
    return StoredAttachment(row.id, row.filename, row.content_type, bytes(row.data))


# -- writes -----------------------------------------------------------------------------------


def _check_file(filename: str, content_type: str, data: bytes) -> Attachment:
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise AttachmentError(f"file too large: the limit is {ATTACHMENT_MAX_BYTES} bytes")
    if not data:
        raise AttachmentError("empty file")
    if content_type not in ATTACHMENT_TYPES:
        raise AttachmentError(f"file type {content_type!r} is not accepted")
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "file"
    return Attachment(name, content_type, data)


def attach_to_event(
    uow: UnitOfWork, event_id: str, filename: str, content_type: str, data: bytes
) -> str:
    """Store a checked file on an existing timeline event; returns the attachment id."""
    att = _check_file(filename, content_type, data)
    if uow.conn.execute(select(t.events.c.id).where(t.events.c.id == event_id)).first() is None:
        raise AttachmentError("unknown event")
    return _store_file(uow, event_id, att)


def _store_file(uow: UnitOfWork, event_id: str, att: Attachment) -> str:
    att_id = new_id("att")
    uow.conn.execute(
        t.attachments.insert().values(
            id=att_id,
            event_id=event_id,
            filename=att.filename,
            content_type=att.content_type,
            size=att.size,
            sha256=hashlib.sha256(att.data).hexdigest(),
            data=att.data,
        )
    )
    return att_id


def reply_with_files(
    uow: UnitOfWork,
    agent: Agent,
    case_id: str,
    channel: Channel,
    body: str,
    files: list[tuple[str, str, bytes]],
    *,
    sender: SenderSettings,
) -> tuple[ReplyResult, list[dict[str, Any]]]:
    """An agent's reply with files, in one transaction: the message, its outbox row and the
    files on its event (the email sender attaches them as MIME parts)."""
    if channel not in ATTACHMENT_CHANNELS:
        raise AttachmentError(f"files can be sent by {', '.join(sorted(ATTACHMENT_CHANNELS))} only")
    if not 1 <= len(files) <= MAX_FILES_PER_REPLY:
        raise AttachmentError(f"attach 1 to {MAX_FILES_PER_REPLY} files")
    checked = [_check_file(name, ctype, data) for name, ctype, data in files]
    result = reply_on_channel(uow, agent, case_id, channel, body, sender=sender)
    stored = []
    for att in checked:
        att_id = _store_file(uow, result.event_id, att)  # checked above, on the reply's event
        stored.append({"id": att_id, "filename": att.filename, "size": att.size,
                       "content_type": att.content_type})  # fmt: skip
    return result, stored


def _event(
    uow: UnitOfWork,
    case_id: str,
    kind: str,
    body: str,
    meta: dict[str, Any],
    *,
    author_type: str = "agent",
    author_id: str | None = None,
) -> str:
    case = cases_repo.get_case(uow.conn, case_id)
    if case is None:
        raise ReplyError(f"unknown case {case_id}")
    return add_timeline_event(
        uow, customer_id=case.customer_id, case_id=case_id, interaction_id=None, kind=kind,
        channel=None, author_type=author_type, author_id=author_id, body=body, meta=meta,
    )  # fmt: skip


def wrap_up(
    uow: UnitOfWork,
    agent: Agent,
    case_id: str,
    disposition: str,
    status: CaseStatus,
    *,
    callback_at: datetime | None = None,
    note: str | None = None,
) -> str:
    """Close the agent's part of a case: disposition, new status, an optional callback promise."""
    if disposition not in DISPOSITIONS:
        raise ReplyError(f"unknown disposition {disposition!r}")
    meta: dict[str, Any] = {"disposition": disposition, "status": status.value}
    body = f"Wrap-up: {disposition.replace('_', ' ')}"
    if callback_at is not None:
        meta["callback_at"] = callback_at.isoformat()
        body += f"; callback promised at {callback_at.isoformat(timespec='minutes')}"
    if note:
        meta["note"] = note
        body += f"; {note}"
    event_id = _event(uow, case_id, EventKind.WRAP_UP.value, body, meta, author_id=agent.id)
    update_case(uow, agent, case_id, status=status)
    return event_id


def transfer_case(
    uow: UnitOfWork, agent: Agent, case_id: str, *, to_agent_id: str | None, queue: str | None
) -> str:
    """Hand a case to another agent (or supervisor), or back to a queue (no owner)."""
    if (to_agent_id is None) == (queue is None):
        raise ReplyError("transfer to exactly one of: an agent, a queue")
    if to_agent_id is not None:
        target = uow.conn.execute(
            select(t.agents.c.display_name).where(t.agents.c.id == to_agent_id)
        ).first()
        if target is None:
            raise ReplyError(f"unknown agent {to_agent_id}")
        body, meta = f"Transferred to {target.display_name}", {"to_agent_id": to_agent_id}
    else:
        body, meta = f"Transferred to queue {queue}", {"queue": str(queue)}
    event_id = _event(uow, case_id, EventKind.TRANSFER.value, body, meta, author_id=agent.id)
    if to_agent_id is not None:
        update_case(uow, agent, case_id, owner_agent_id=to_agent_id)
    else:
        uow.conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(owner_agent_id=None))
        update_case(uow, agent, case_id)
    return event_id


def _visitor_case(uow: UnitOfWork, visitor_id: str) -> str:
    row = uow.conn.execute(
        select(t.interactions.c.case_id)
        .join(t.webchat_sessions, t.webchat_sessions.c.interaction_id == t.interactions.c.id)
        .where(t.webchat_sessions.c.id == visitor_id)
    ).first()
    if row is None:
        raise ReplyError("no conversation yet")
    return str(row.case_id)


def record_csat(uow: UnitOfWork, visitor_id: str, score: int, comment: str | None) -> str:
    """The visitor's rating of the chat, on the case timeline (metrics read it from there)."""
    if not 1 <= score <= 5:
        raise ReplyError("score must be 1..5")
    case_id = _visitor_case(uow, visitor_id)
    body = f"Customer rating: {score}/5" + (f": {comment}" if comment else "")
    meta: dict[str, Any] = {"csat": score, **({"comment": comment} if comment else {})}
    return _event(uow, case_id, EventKind.NOTE.value, body, meta, author_type="customer")


def email_transcript(
    uow: UnitOfWork, visitor_id: str, email: str, sender: SenderSettings, region: str
) -> str:
    """Send the visitor the chat so far by email (the address joins the customer)."""
    open_session(uow, visitor_id, email=email, region=region)
    case_id = _visitor_case(uow, visitor_id)
    session = uow.conn.execute(
        select(t.webchat_sessions.c.interaction_id).where(t.webchat_sessions.c.id == visitor_id)
    ).first()
    assert session is not None
    lines = []
    for e in uow.conn.execute(
        select(t.events.c.author_type, t.events.c.body, t.events.c.created_at)
        .where(
            t.events.c.interaction_id == session.interaction_id,
            t.events.c.kind.in_((EventKind.MESSAGE_IN.value, EventKind.MESSAGE_OUT.value)),
        )
        .order_by(t.events.c.created_at, t.events.c.id)
    ):
        who = "You" if e.author_type == "customer" else "Us"
        lines.append(f"[{e.created_at:%Y-%m-%d %H:%M}] {who}: {e.body}")
    body = "Your chat with us:\n\n" + "\n".join(lines)
    result = reply_on_channel(
        uow, SYSTEM_AGENT, case_id, Channel.EMAIL, body,
        sender=sender, subject="Your chat transcript",
    )  # fmt: skip
    return result.outbox_id
