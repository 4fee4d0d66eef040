"""Changing a case: the one write of its status, priority, owner, subject or fields, and the
`CaseUpdated` event that announces it after commit.

Every service that changes a case goes through `change_case`, so the rules that go with a
change hold everywhere: a case that stops being open closes its interactions, and the event
names the customer by the merge root (agents and the desktop key customers by it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypedDict, Unpack

from sqlalchemy import update

from omnicenter.bus.events import CaseUpdated
from omnicenter.domain import Case, CaseStatus, InteractionStatus, Priority
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = ["SUBJECT_MAX", "CaseValues", "change_case"]

SUBJECT_MAX = 400  # the column's length


class CaseValues(TypedDict, total=False):
    """What may change on a case; a key left out stays as it is (`owner_agent_id=None`
    releases the case to its queue)."""

    status: CaseStatus
    priority: Priority
    owner_agent_id: str | None
    subject: str
    fields: dict[str, Any]


def change_case(uow: UnitOfWork, case: Case, **values: Unpack[CaseValues]) -> Case:
    """Write `values` to `case` (as loaded in this unit of work) and announce the result:
    returns the case as it is now. With no values it is touched and announced all the same."""
    row: dict[str, object] = {"updated_at": uow.now}
    changed = case
    if "status" in values:
        status = values["status"]
        row["status"] = status.value
        row["closed_at"] = None if status.is_open else uow.now
        changed = replace(changed, status=status)
        if not status.is_open:
            # A settled case has no contact in progress.
            uow.conn.execute(
                update(t.interactions)
                .where(
                    t.interactions.c.case_id == case.id,
                    t.interactions.c.status == InteractionStatus.OPEN.value,
                )
                .values(status=InteractionStatus.CLOSED.value, closed_at=uow.now)
            )
    if "priority" in values:
        row["priority"] = int(values["priority"])
        changed = replace(changed, priority=values["priority"])
    if "owner_agent_id" in values:
        row["owner_agent_id"] = values["owner_agent_id"]
        changed = replace(changed, owner_agent_id=values["owner_agent_id"])
    if "subject" in values:
        subject = values["subject"][:SUBJECT_MAX]
        row["subject"] = subject
        changed = replace(changed, subject=subject)
    if "fields" in values:
        row["fields"] = values["fields"]
        changed = replace(changed, fields=dict(values["fields"]))
    uow.conn.execute(update(t.cases).where(t.cases.c.id == case.id).values(**row))
    changed = replace(changed, updated_at=uow.now)
    uow.emit(
        CaseUpdated(
            case_id=changed.id,
            customer_id=customers_repo.root_of(uow.conn, changed.customer_id),
            status=changed.status,
            priority=changed.priority,
            owner_agent_id=changed.owner_agent_id,
            subject=changed.subject,
        )
    )
    return changed
