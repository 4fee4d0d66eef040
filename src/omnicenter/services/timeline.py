"""One write of a timeline event: the row, and the bus event published after commit."""

from __future__ import annotations

from typing import Any

from omnicenter.bus.events import TimelineEventAdded
from omnicenter.domain import Attachment, Case, Channel
from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo

__all__ = ["add_case_event", "add_timeline_event"]


def add_timeline_event(
    uow: UnitOfWork,
    *,
    customer_id: str,
    case_id: str | None,
    interaction_id: str | None,
    kind: EventKind,
    channel: Channel | None,
    author_type: AuthorType,
    author_id: str | None,
    body: str,
    meta: dict[str, Any] | None = None,
    new_case: bool = False,
    html: str | None = None,
    attachments: tuple[Attachment, ...] = (),
    event_id: str | None = None,
    publish: bool = True,
) -> str:
    """Store the event and publish it (to the customer's surviving profile) after commit.
    `html` and `attachments` are stored only; `event_id` is for callers that need the id
    before the row exists (e.g. in an email's Message-ID); `publish=False` stores it only,
    for facts announced on the bus another way."""
    meta = meta if meta is not None else {}
    event_id = cases_repo.add_event(
        uow.conn, uow.now, customer_id=customer_id, case_id=case_id,
        interaction_id=interaction_id, kind=kind, channel=channel, author_type=author_type,
        author_id=author_id, body=body, html=html, meta=meta, attachments=attachments,
        event_id=event_id,
    )  # fmt: skip
    if not publish:
        return event_id
    uow.emit(
        TimelineEventAdded(
            event_id=event_id,
            customer_id=customers_repo.root_of(uow.conn, customer_id),
            case_id=case_id,
            interaction_id=interaction_id,
            kind=kind,
            channel=channel,
            author_type=author_type,
            author_id=author_id,
            body=body,
            created_at=uow.now,
            meta=meta,
            new_case=new_case,
        )
    )
    return event_id


def add_case_event(
    uow: UnitOfWork,
    case: Case,
    kind: EventKind,
    body: str,
    meta: dict[str, Any],
    *,
    author_type: AuthorType,
    author_id: str | None,
) -> str:
    """An event about the case as a whole (a wrap-up, a transfer, a rating): on no channel
    and no interaction."""
    return add_timeline_event(
        uow, customer_id=case.customer_id, case_id=case.id, interaction_id=None, kind=kind,
        channel=None, author_type=author_type, author_id=author_id, body=body, meta=meta,
    )  # fmt: skip
