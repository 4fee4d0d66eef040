"""Time in state is counted as agents change presence, so occupancy and utilisation have
the available and away time they divide by (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from omnicenter.domain import Presence
from omnicenter.metrics.config import day_bounds
from omnicenter.metrics.kpis import Grain
from omnicenter.services.agents import NewAgent, create_agent, set_presence
from omnicenter.services.kpis import day_report
from omnicenter.store import Database
from omnicenter.store.metrics import query_counters
from tests.integration.work import unit_of_work

T0 = datetime(2026, 3, 29, 0, 15, tzinfo=UTC)  # the night clocks go forward in Europe


def _at(db: Database, when: datetime, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.transaction() as conn:
        return fn(unit_of_work(conn, when), *args, **kwargs)


def test_available_and_away_time_is_counted_when_the_state_ends(db: Database) -> None:
    agent = _at(db, T0, create_agent, NewAgent("ida", "Ida"), actor="test")
    _at(db, T0, set_presence, agent.id, Presence.AVAILABLE, None, actor="test")
    _at(db, T0 + timedelta(hours=2), set_presence, agent.id, Presence.AWAY, "lunch", actor="t")
    _at(
        db,
        T0 + timedelta(hours=2, minutes=30),
        set_presence,
        agent.id,
        Presence.OFFLINE,
        None,
        actor="t",
    )
    _at(db, T0 + timedelta(hours=9), set_presence, agent.id, Presence.AVAILABLE, None, actor="t")
    start, end = day_bounds(T0.date(), UTC)
    with db.reader() as conn:
        counters = query_counters(conn, start, end, ["agent"], Grain.TOTAL, None, UTC)
        rows = day_report(conn, T0.date(), ["agent"], Grain.TOTAL, UTC)
    [mine] = [c for k, c in counters.items() if agent.id in k]
    # 2 h available, 30 min away; offline time counts for nothing, the new span not yet
    assert (mine.available_s, mine.away_s) == (7200, 1800)
    [row] = [r for r in rows if r["agent"] == agent.id]
    assert row["occupancy"] == 0.0 and row["utilisation"] == 0.0  # measured: nothing handled
