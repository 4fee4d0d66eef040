"""Changing a case, on real databases (SQLite and PostgreSQL): one write, one `CaseUpdated`
naming the customer's merge root, whichever service made the change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from omnicenter.bus.events import CaseUpdated
from omnicenter.domain import Agent, AgentRole, CaseStatus, Channel, InboundEvent, Priority
from omnicenter.services.agents import NewAgent, create_agent
from omnicenter.services.assignments import assign_case
from omnicenter.services.case_changes import change_case
from omnicenter.services.identity import merge
from omnicenter.services.inbound import IngestResult, ingest
from omnicenter.services.replies import reply, update_case
from omnicenter.services.transfers import transfer_case
from omnicenter.services.wrap_up import wrap_up
from omnicenter.store import Database
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t
from tests.integration.foundation.test_store_services import NOW, email
from tests.integration.work import unit_of_work


def in_uow(
    db: Database, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[Any, list[CaseUpdated]]:
    """Run `fn` in one unit of work at NOW: its result and the `CaseUpdated` it will publish."""
    with db.transaction() as conn:
        uow = unit_of_work(conn, NOW)
        result = fn(uow, *args, **kwargs)
    return result, [e for e in uow.events if isinstance(e, CaseUpdated)]


@pytest.fixture
def agent(db: Database) -> Agent:
    new = NewAgent("anna", "Anna", AgentRole.AGENT, "secret-pass")
    found, _ = in_uow(db, create_agent, new, actor="test")
    assert isinstance(found, Agent)
    return found


def merged_sms_contact(db: Database) -> tuple[IngestResult, str]:
    """An SMS contact whose customer was then merged into an email customer: the contact,
    and the surviving customer's id."""
    mail, _ = in_uow(db, ingest, email("ewa@example.com", "Question by email", "e1@x"))
    sms, _ = in_uow(db, ingest, InboundEvent(Channel.SMS, "+48601234567", "Hi", NOW, "S1"))
    in_uow(db, merge, sms.customer_id, mail.customer_id, actor="test", reason="same person")
    assert sms.customer_id != mail.customer_id
    return sms, mail.customer_id


def test_change_case_writes_announces_and_returns_the_case_as_stored(db: Database) -> None:
    sms, root = merged_sms_contact(db)
    with db.reader() as conn:
        case = cases_repo.get_case(conn, str(sms.case_id))
    assert case is not None and case.customer_id == sms.customer_id
    changed, (event,) = in_uow(
        db, change_case, case, status=CaseStatus.PENDING, priority=Priority.HIGH, subject="x" * 500
    )
    with db.reader() as conn:
        assert changed == cases_repo.get_case(conn, case.id)
    assert (changed.status, changed.priority, changed.subject) == (
        CaseStatus.PENDING, Priority.HIGH, "x" * 400,
    )  # fmt: skip
    assert changed.owner_agent_id is None and changed.updated_at == NOW
    # Agents and the desktop know the customer by the merge root, never the merged-away id.
    assert event == CaseUpdated(
        case_id=case.id, customer_id=root, status=CaseStatus.PENDING, priority=Priority.HIGH,
        owner_agent_id=None, subject="x" * 400,
    )  # fmt: skip


def test_a_settled_case_closes_its_interactions_and_reopening_clears_closed_at(
    db: Database,
) -> None:
    mail, _ = in_uow(db, ingest, email("ola@example.com", "Order?", "o1@x"))
    with db.reader() as conn:
        case = cases_repo.get_case(conn, mail.case_id)
    assert case is not None
    resolved, _ = in_uow(db, change_case, case, status=CaseStatus.RESOLVED)
    with db.reader() as conn:
        row = conn.execute(select(t.cases.c.closed_at).where(t.cases.c.id == case.id)).one()
        interaction = cases_repo.get_interaction(conn, str(mail.interaction_id))
    assert row.closed_at == NOW
    assert interaction is not None and interaction.status.value == "closed"
    _, (event,) = in_uow(db, change_case, resolved, status=CaseStatus.OPEN)
    with db.reader() as conn:
        row = conn.execute(select(t.cases.c.closed_at).where(t.cases.c.id == case.id)).one()
    assert row.closed_at is None and event.status is CaseStatus.OPEN


def test_an_owner_is_released_only_when_named(db: Database, agent: Agent) -> None:
    mail, _ = in_uow(db, ingest, email("ola@example.com", "Order?", "o1@x"))
    with db.reader() as conn:
        case = cases_repo.get_case(conn, mail.case_id)
    assert case is not None
    owned, _ = in_uow(db, change_case, case, owner_agent_id=agent.id)
    kept, (kept_event,) = in_uow(db, change_case, owned, priority=Priority.LOW)
    assert kept.owner_agent_id == kept_event.owner_agent_id == agent.id
    released, (event,) = in_uow(db, change_case, kept, owner_agent_id=None)
    assert released.owner_agent_id is None and event.owner_agent_id is None
    with db.reader() as conn:
        assert cases_repo.get_case(conn, case.id) == released


CHANGES: dict[str, Callable[[Agent, IngestResult], tuple[Callable[..., Any], tuple[Any, ...]]]] = {
    "reply": lambda a, c: (reply, (a, c.interaction_id, "Hello")),
    "assignment": lambda a, c: (assign_case, (c.interaction_id, a.id, {"queue": "general"})),
    "update": lambda a, c: (update_case, (a, c.case_id)),
    "transfer": lambda a, c: (transfer_case, (a, c.case_id)),
    "wrap-up": lambda a, c: (wrap_up, (a, c.case_id, "escalated", CaseStatus.RESOLVED)),
}
KWARGS: dict[str, dict[str, Any]] = {
    "update": {"status": CaseStatus.PENDING},
    "transfer": {"to_agent_id": None, "queue": "returns"},
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_names_the_merge_root(db: Database, agent: Agent, change: str) -> None:
    sms, root = merged_sms_contact(db)
    fn, args = CHANGES[change](agent, sms)
    _, events = in_uow(db, fn, *args, **KWARGS.get(change, {}))
    assert [e.customer_id for e in events] == [root]
    assert events[0].case_id == sms.case_id


def test_a_customer_writing_again_reopens_the_case_under_the_merge_root(db: Database) -> None:
    first, _ = in_uow(db, ingest, email("ewa@example.com", "Broken zipper", "z1@x"))
    sms, _ = in_uow(db, ingest, InboundEvent(Channel.SMS, "+48601234567", "Hi", NOW, "S1"))
    in_uow(db, merge, first.customer_id, sms.customer_id, actor="test", reason="same person")
    with db.reader() as conn:
        case = cases_repo.get_case(conn, first.case_id)
    assert case is not None
    in_uow(db, change_case, case, status=CaseStatus.RESOLVED)
    again = email("ewa@example.com", "Still broken", "z2@x", "Re: Order 1", refs=("z1@x",))
    result, events = in_uow(db, ingest, again)
    assert result.case_id == first.case_id
    assert [(e.customer_id, e.status) for e in events] == [(sms.customer_id, CaseStatus.OPEN)]
