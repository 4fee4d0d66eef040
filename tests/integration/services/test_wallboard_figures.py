"""The wallboard's figures from the database (routing off), on SQLite and PostgreSQL: open
cases are the statuses `CaseStatus.is_open` accepts, pending included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from omnicenter.domain import AgentRole, CaseStatus, Presence
from omnicenter.services.agents import NewAgent, create_agent, set_presence
from omnicenter.services.chat_wait import estimate_from_database
from omnicenter.services.inbound import ingest
from omnicenter.services.replies import update_case
from omnicenter.services.wallboard import database_figures
from omnicenter.store import Database
from tests.integration.foundation.test_store_services import NOW, email
from tests.integration.work import unit_of_work


def write(db: Database, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with db.transaction() as conn:
        return fn(unit_of_work(conn, NOW), *args, **kwargs)


def test_open_waiting_and_settled_cases_per_channel_and_agent(db: Database) -> None:
    agent = write(db, create_agent, NewAgent("anna", "Anna", AgentRole.AGENT), actor="t")
    waiting = write(db, ingest, email("a@example.com", "Order?", "a1@x", subject="A"))
    pending = write(db, ingest, email("b@example.com", "Refund?", "b1@x", subject="B"))
    settled = write(db, ingest, email("c@example.com", "Never mind", "c1@x", subject="C"))
    write(
        db, update_case, agent, pending.case_id, status=CaseStatus.PENDING, owner_agent_id=agent.id
    )
    write(db, update_case, agent, settled.case_id, status=CaseStatus.RESOLVED)
    later = NOW + timedelta(minutes=10)
    with db.reader() as conn:
        board = database_figures(conn, later)
    mail = board["channels"]["email"]
    assert (mail["offered"], mail["open"], mail["waiting"]) == (3, 2, 2)
    assert mail["abandoned"] == 1  # settled without an answer
    assert mail["longest_wait_s"] == 600
    (row,) = board["agents"]
    assert (row["id"], row["open_cases"], row["case_ids"]) == (agent.id, 1, [pending.case_id])
    assert waiting.case_id not in row["case_ids"]
    with db.reader() as conn:
        wait = estimate_from_database(conn, later)
    assert (wait.estimated_wait_s, wait.agents_available, wait.long_wait) == (None, 0, True)
    write(db, set_presence, agent.id, Presence.AVAILABLE, None, actor="anna")
    with db.reader() as conn:
        wait = estimate_from_database(conn, later)
    # One minute per chat ahead (none: the waiting cases are emails), shared by the agents.
    assert (wait.estimated_wait_s, wait.agents_available, wait.long_wait) == (60, 1, False)
