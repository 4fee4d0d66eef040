"""Agents writing to customers: replies in the same channel or another one, and notes.

A reply is a timeline event plus an outbox row, written in one transaction; the outbox
dispatcher hands it to the channel after commit and retries until it is delivered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import asc, desc, func, insert, select

from omnicenter.domain import (
    Agent,
    Case,
    CaseStatus,
    Channel,
    EventKind,
    Interaction,
    Priority,
    TooLong,
)
from omnicenter.domain.ids import new_id
from omnicenter.domain.model import AuthorType
from omnicenter.identity import identity_kind_for
from omnicenter.services.case_changes import CaseValues, change_case
from omnicenter.services.timeline import add_case_event, add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = [
    "ReplyError",
    "ReplyResult",
    "SenderSettings",
    "add_note",
    "fit_text",
    "record_case_change",
    "reply",
    "reply_on_channel",
    "require_case",
    "update_case",
    "write_outbound",
]


class ReplyError(ValueError):
    """The reply cannot be sent as asked (the message says why); nothing was written."""


@dataclass(frozen=True, slots=True)
class SenderSettings:
    """Our own addresses, per channel: the From of an email, the sender number of an SMS."""

    email_domain: str = "omnicenter.local"
    email_from: str = "support@omnicenter.local"
    sms_from: str = "+48800000000"


@dataclass(frozen=True, slots=True)
class ReplyResult:
    event_id: str
    outbox_id: str
    interaction_id: str
    case_id: str
    channel: Channel


def fit_text(uow: UnitOfWork, channel: Channel, body: str) -> None:
    """Refuse, before anything is written, a text the channel cannot carry: none at all (a
    call, a form), or longer than its manifest allows when it refuses rather than splits."""
    try:
        manifest = uow.manifest(channel)
    except LookupError as exc:
        raise ReplyError(f"cannot send a text message on {channel.value}") from exc
    if not manifest.text_replies:
        raise ReplyError(f"cannot send a text message on {channel.value}")
    try:
        manifest.fit(body)
    except TooLong as exc:
        raise ReplyError(str(exc)) from exc


def _within_window(uow: UnitOfWork, interaction: Interaction, *, by_agent: bool) -> None:
    """Refuse a free-form reply the channel's provider would refuse: on WhatsApp, 24 hours
    after the customer's last message (a person on Messenger or Instagram: 7 days)."""
    manifest = uow.manifest(interaction.channel)
    if manifest.window_for(by_agent=by_agent) is None:
        return
    last = uow.conn.execute(
        select(func.max(t.events.c.created_at)).where(
            t.events.c.interaction_id == interaction.id,
            t.events.c.kind == EventKind.MESSAGE_IN.value,
        )
    ).scalar()
    if not manifest.window_open(last, uow.now, by_agent=by_agent):
        raise ReplyError(
            f"the customer last wrote on {interaction.channel.value} too long ago for a "
            "free-form reply: send an approved template, or answer on another channel"
        )


def write_outbound(
    uow: UnitOfWork,
    interaction: Interaction,
    body: str,
    *,
    author_type: AuthorType,
    author_id: str | None,
    sender: SenderSettings,
    subject: str | None = None,
    extra_meta: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """One message to the customer on the interaction's channel: the timeline event, the
    email threading ids, and the outbox row the dispatcher sends after commit.
    Returns (event id, outbox id). Agents' replies and the bot's answers both use it."""
    conn = uow.conn
    if author_type in (AuthorType.AGENT, AuthorType.BOT):
        _within_window(uow, interaction, by_agent=author_type is AuthorType.AGENT)
    event_id = new_id("evt")
    headers: dict[str, str] = {}
    from_address: str | None = None
    out_subject: str | None = None
    if interaction.channel is Channel.EMAIL:
        refs = [
            r.message_id
            for r in conn.execute(
                select(t.email_message_ids.c.message_id)
                .where(t.email_message_ids.c.interaction_id == interaction.id)
                .order_by(asc(t.email_message_ids.c.created_at))
            )
        ]
        if refs:
            headers["In-Reply-To"] = f"<{refs[-1]}>"
            headers["References"] = " ".join(f"<{r}>" for r in refs[-20:])
        base = subject or interaction.subject or "Your message"
        out_subject = base if base.lower().startswith("re:") or subject else f"Re: {base}"
        from_address = sender.email_from
        conn.execute(
            insert(t.email_message_ids).values(
                message_id=f"{event_id}@{sender.email_domain}",
                interaction_id=interaction.id,
                event_id=event_id,
                created_at=uow.now,
            )
        )
    elif interaction.channel is Channel.SMS:
        from_address = sender.sms_from
    meta: dict[str, Any] = {"to": interaction.address, **(extra_meta or {})}
    if out_subject:
        meta["subject"] = out_subject
    add_timeline_event(
        uow,
        customer_id=interaction.customer_id,
        case_id=interaction.case_id,
        interaction_id=interaction.id,
        kind=EventKind.MESSAGE_OUT,
        channel=interaction.channel,
        author_type=author_type,
        author_id=author_id,
        body=body,
        meta=meta,
        event_id=event_id,
    )
    outbox_id = new_id("out")
    conn.execute(
        insert(t.outbox).values(
            id=outbox_id,
            event_id=event_id,
            interaction_id=interaction.id,
            channel=interaction.channel.value,
            to_address=interaction.address,
            from_address=from_address,
            subject=out_subject,
            body=body,
            headers=headers,
            status="pending",
            attempts=0,
            created_at=uow.now,
        )
    )
    cases_repo.touch(conn, uow.now, interaction.case_id, interaction.id)
    return event_id, outbox_id


def reply(
    uow: UnitOfWork,
    agent: Agent,
    interaction_id: str,
    body: str,
    *,
    sender: SenderSettings = SenderSettings(),
    subject: str | None = None,
    facts: Sequence[Mapping[str, Any]] = (),
) -> ReplyResult:
    """`facts`: what the reply tells from the single source of truth (the agent took them
    from the knowledge panel); kept on the message for the answer audit."""
    conn = uow.conn
    body = body.strip()
    if not body:
        raise ReplyError("empty message")
    interaction = cases_repo.get_interaction(conn, interaction_id)
    if interaction is None:
        raise ReplyError(f"unknown interaction {interaction_id}")
    fit_text(uow, interaction.channel, body)
    # The agent who answers an unowned case takes it.
    case = require_case(uow, interaction.case_id)
    taken: CaseValues = {}
    if case.status is CaseStatus.NEW:
        taken["status"] = CaseStatus.OPEN
    if case.owner_agent_id is None:
        taken["owner_agent_id"] = agent.id
    if taken:
        change_case(uow, case, **taken)
    event_id, outbox_id = write_outbound(
        uow,
        interaction,
        body,
        author_type=AuthorType.AGENT,
        author_id=agent.id,
        sender=sender,
        subject=subject,
        extra_meta={"facts": [dict(f) for f in facts]} if facts else None,
    )
    return ReplyResult(event_id, outbox_id, interaction_id, case.id, interaction.channel)


def reply_on_channel(
    uow: UnitOfWork,
    agent: Agent,
    case_id: str,
    channel: Channel,
    body: str,
    *,
    to: str | None = None,
    sender: SenderSettings = SenderSettings(),
    subject: str | None = None,
    facts: Sequence[Mapping[str, Any]] = (),
) -> ReplyResult:
    """Answer a case on a channel of the agent's choice, e.g. a chat question by email."""
    conn = uow.conn
    case = require_case(uow, case_id)
    fit_text(uow, channel, body)
    family = customers_repo.customer_family(conn, customers_repo.root_of(conn, case.customer_id))
    kind = identity_kind_for(channel)
    if channel is Channel.WEBCHAT:
        session = conn.execute(
            select(t.webchat_sessions)
            .where(t.webchat_sessions.c.customer_id.in_(family))
            .order_by(desc(t.webchat_sessions.c.last_seen_at))
            .limit(1)
        ).first()
        addresses = [session.id] if session else []
    else:
        addresses = [
            i.address for i in customers_repo.identities_of(conn, family) if i.kind == kind
        ]
    if to is not None:
        if to not in addresses:
            raise ReplyError(f"{to!r} is not a {kind} address of this customer")
        addresses = [to]
    if not addresses:
        raise ReplyError(f"the customer has no {kind} address; add one first")
    address = addresses[-1]
    existing = cases_repo.latest_open_interaction(
        conn, family, channel, address, uow.now - timedelta(days=3650), case_id=case_id
    )
    interaction_id = existing or cases_repo.create_interaction(
        conn,
        uow.now,
        case_id,
        case.customer_id,
        channel,
        address,
        case.subject if channel is Channel.EMAIL else None,
        None,
    )
    return reply(uow, agent, interaction_id, body, sender=sender, subject=subject, facts=facts)


def add_note(uow: UnitOfWork, agent: Agent, case_id: str, body: str) -> str:
    case = require_case(uow, case_id)
    if not body.strip():
        raise ReplyError("empty note")
    return add_case_event(
        uow,
        case,
        EventKind.NOTE,
        body.strip(),
        {},
        author_type=AuthorType.AGENT,
        author_id=agent.id,
    )


def update_case(
    uow: UnitOfWork,
    agent: Agent,
    case_id: str,
    *,
    status: CaseStatus | None = None,
    priority: Priority | None = None,
    owner_agent_id: str | None = None,
    subject: str | None = None,
) -> None:
    """An agent changes a case (None: leave as is); the change is on the timeline and in
    the audit log."""
    values: CaseValues = {}
    if status is not None:
        values["status"] = status
    if priority is not None:
        values["priority"] = priority
    if owner_agent_id is not None:
        values["owner_agent_id"] = owner_agent_id
    if subject is not None:
        values["subject"] = subject
    record_case_change(uow, agent, require_case(uow, case_id), values)


def record_case_change(uow: UnitOfWork, agent: Agent, case: Case, values: CaseValues) -> Case:
    """`change_case` by an agent: also a status fact on the timeline (stored only: the
    `CaseUpdated` event announces the change) and an audit line. Returns the changed case."""
    changed = change_case(uow, case, **values)
    changes: dict[str, str] = {}
    if "status" in values:
        changes["status"] = values["status"].value
        if not values["status"].is_open:
            changes["closed_at"] = str(uow.now)
    if "priority" in values:
        changes["priority"] = str(int(values["priority"]))
    if values.get("owner_agent_id") is not None:
        changes["owner_agent_id"] = str(values["owner_agent_id"])
    if "subject" in values:
        changes["subject"] = changed.subject
    add_timeline_event(
        uow,
        customer_id=case.customer_id,
        case_id=case.id,
        interaction_id=None,
        kind=EventKind.STATUS,
        channel=None,
        author_type=AuthorType.AGENT,
        author_id=agent.id,
        body=", ".join(f"{k}={v}" for k, v in changes.items()),
        meta=changes,
        publish=False,
    )
    uow.audit(agent.username, "case.update", "case", case.id, **changes)
    return changed


def require_case(uow: UnitOfWork, case_id: str) -> Case:
    """The case, or ReplyError when there is none."""
    case = cases_repo.get_case(uow.conn, case_id)
    if case is None:
        raise ReplyError(f"unknown case {case_id}")
    return case
