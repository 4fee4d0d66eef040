"""What routing decides, made durable: case ownership and routing facts on the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select

from omnicenter.domain import CaseStatus, Channel, EventKind, InteractionStatus
from omnicenter.domain.model import AuthorType
from omnicenter.metrics.timeline import from_timeline
from omnicenter.services.case_changes import CaseValues, change_case
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t
from omnicenter.store.metrics import record as record_metrics
from omnicenter.store.rows import AnyRow

__all__ = [
    "WaitingWork",
    "assign_case",
    "attach_to_task",
    "own_cases_of",
    "queued_tasks",
    "record_routing",
    "routing_events",
    "routing_facts",
    "waiting_work",
]


@dataclass(frozen=True, slots=True)
class WaitingWork:
    """An open interaction that needs an agent: what routing is told at start or on arrival."""

    interaction_id: str
    case_id: str
    customer_id: str
    channel: Channel
    arrived_at: datetime
    owner_agent_id: str | None
    queue_hint: str | None
    customer_value: float
    segment: str


_WORK = (
    select(
        t.interactions.c.id,
        t.interactions.c.case_id,
        t.interactions.c.customer_id,
        t.interactions.c.channel,
        t.interactions.c.created_at,
        t.cases.c.owner_agent_id,
        t.cases.c.fields,
        t.customers.c.value,
        t.customers.c.segment,
    )
    .join(t.cases, t.cases.c.id == t.interactions.c.case_id)
    .join(t.customers, t.customers.c.id == t.interactions.c.customer_id)
)


def routing_facts(conn: Connection, interaction_id: str) -> WaitingWork | None:
    row = conn.execute(_WORK.where(t.interactions.c.id == interaction_id)).first()
    return _work(conn, row) if row else None


def _work(conn: Connection, row: AnyRow) -> WaitingWork:
    """The work of one interaction; the customer is the merge root (one person, one place
    in the queue, whatever identity they wrote from)."""
    fields = row.fields or {}
    hint = fields.get("queue") or fields.get("topic")
    return WaitingWork(
        interaction_id=row.id,
        case_id=row.case_id,
        customer_id=customers_repo.root_of(conn, row.customer_id),
        channel=Channel(row.channel),
        arrived_at=row.created_at,
        owner_agent_id=row.owner_agent_id,
        queue_hint=str(hint) if hint else None,
        customer_value=float(row.value or 0.0),
        segment=row.segment,
    )


def waiting_work(conn: Connection) -> list[WaitingWork]:
    """Open interactions of cases awaiting an agent that nobody owns: re-queued after a
    restart."""
    rows = conn.execute(
        _WORK.where(
            and_(
                t.interactions.c.status == InteractionStatus.OPEN.value,
                cases_repo.CASE_AWAITS_AGENT,
                t.cases.c.owner_agent_id.is_(None),
            )
        ).order_by(t.interactions.c.created_at)
    )
    return [_work(conn, r) for r in rows]


_ENDED = {"task_answered", "task_abandoned", "task_completed"}


def routing_events(
    conn: Connection, bodies: tuple[str, ...], case_ids: list[str] | None = None
) -> list[AnyRow]:
    """Routing facts with these bodies (read by body: `meta` is JSON, not indexed) on cases
    awaiting an agent, or on the given cases: case_id, interaction_id, meta, created_at;
    oldest first."""
    e = t.events.c
    query = (
        select(e.case_id, e.interaction_id, e.meta, e.created_at)
        .join(t.cases, t.cases.c.id == e.case_id)
        .where(e.kind == EventKind.ROUTING.value, e.body.in_(bodies))
        .order_by(e.created_at, e.id)
    )
    if case_ids is None:
        query = query.where(cases_repo.CASE_AWAITS_AGENT)
    else:
        query = query.where(e.case_id.in_(case_ids))
    return list(conn.execute(query))


def queued_tasks(conn: Connection) -> dict[str, str]:
    """Routing tasks recorded as queued on cases awaiting an agent and not answered, abandoned or
    completed since: task id -> interaction id, oldest first. After a restart the same
    contacts are queued again under the same ids, so they are not counted twice."""
    open_: dict[str, str] = {}
    for row in routing_events(conn, ("queued", "assigned", "abandoned", "completed")):
        meta = row.meta or {}
        task_id = meta.get("task_id")
        if not task_id or not row.interaction_id:
            continue
        if meta.get("fact") == "task_queued":
            open_[str(task_id)] = row.interaction_id
        elif meta.get("fact") in _ENDED:
            open_.pop(str(task_id), None)
    return open_


def record_routing(
    uow: UnitOfWork,
    interaction_id: str,
    decision: str,
    meta: dict[str, Any],
    *,
    announce: bool = False,
) -> str | None:
    """A routing fact on the timeline; when it feeds a KPI (`meta["fact"]`, see
    `omnicenter.metrics.timeline`), the metric buckets are updated in the same transaction.
    Routing publishes its own bus events, so the fact is published as a timeline event
    only when `announce` (a promise the desktop shows at once)."""
    interaction = cases_repo.get_interaction(uow.conn, interaction_id)
    if interaction is None:
        return None
    metric = from_timeline(
        "routing",
        meta,
        uow.now,
        channel=interaction.channel.value,
        case_id=interaction.case_id,
        interaction_id=interaction_id,
    )
    if metric is not None:
        record_metrics(uow.conn, [metric])
    return add_timeline_event(
        uow,
        customer_id=interaction.customer_id,
        case_id=interaction.case_id,
        interaction_id=interaction_id,
        kind=EventKind.ROUTING,
        channel=interaction.channel,
        author_type=AuthorType.SYSTEM,
        author_id=None,
        body=decision,
        meta=meta,
        publish=announce,
    )


def assign_case(
    uow: UnitOfWork, interaction_id: str, agent_id: str, meta: dict[str, Any]
) -> str | None:
    """The agent accepted: they own the case now, and the timeline says who and why."""
    interaction = cases_repo.get_interaction(uow.conn, interaction_id)
    if interaction is None:
        return None
    case = cases_repo.get_case(uow.conn, interaction.case_id)
    assert case is not None
    values: CaseValues = {"owner_agent_id": agent_id}
    if case.status is CaseStatus.NEW:
        values["status"] = CaseStatus.OPEN
    change_case(uow, case, **values)
    record_routing(
        uow, interaction_id, "assigned", {**meta, "agent_id": agent_id, "fact": "task_answered"}
    )
    return case.id


def attach_to_task(
    uow: UnitOfWork, interaction_id: str, agent_id: str | None, meta: dict[str, Any]
) -> str | None:
    """The customer, already waiting or being served, wrote on another channel: the contact
    rides on the task routing holds for them (no second place in the queue). The timeline
    says so for the agent ("also wrote by SMS"); when an agent holds the task, the contact's
    case is theirs too."""
    event_id = record_routing(uow, interaction_id, "attached", meta, announce=True)
    if agent_id is not None:
        own_cases_of(uow, [interaction_id], agent_id)
    return event_id


def own_cases_of(uow: UnitOfWork, interaction_ids: list[str], agent_id: str) -> None:
    """The agent who took a task holds the cases of every contact riding on it."""
    for interaction_id in interaction_ids:
        interaction = cases_repo.get_interaction(uow.conn, interaction_id)
        case = cases_repo.get_case(uow.conn, interaction.case_id) if interaction else None
        if case is None or case.owner_agent_id == agent_id:
            continue
        values: CaseValues = {"owner_agent_id": agent_id}
        if case.status is CaseStatus.NEW:
            values["status"] = CaseStatus.OPEN
        change_case(uow, case, **values)
