"""Which case statuses are open, and which await an agent: one rule, in the domain, that the
store's SQL conditions are derived from."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects import sqlite

from omnicenter.domain import CaseStatus
from omnicenter.domain.model import OPEN_CASE_STATUSES
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t


def test_open_means_not_settled_and_pending_waits_for_the_customer() -> None:
    assert {s for s in CaseStatus if s.is_open} == {
        CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING,
    }  # fmt: skip
    assert {s for s in CaseStatus if s.awaits_agent} == {CaseStatus.NEW, CaseStatus.OPEN}
    assert OPEN_CASE_STATUSES == (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING)


def _values(condition: ColumnElement[bool]) -> list[str]:
    query = select(t.cases.c.id).where(condition)
    compiled = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    inside = str(compiled).split(" IN (", 1)[1].split(")", 1)[0]
    return sorted(v.strip().strip("'") for v in inside.split(","))


def test_the_stored_status_conditions_follow_the_domain() -> None:
    assert _values(cases_repo.CASE_IS_OPEN) == sorted(s.value for s in OPEN_CASE_STATUSES)
    assert _values(cases_repo.CASE_AWAITS_AGENT) == ["new", "open"]
