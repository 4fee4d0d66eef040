"""What the cyclic collector sees of the engine: decisions not at all, an engine in full.

Compiled, decisions and the small records are `acyclic` classes (untracked: freeing one
unlinks nothing). A class that can close a cycle must stay tracked, or an engine dropped
with tasks in hand would never be freed: the second test guards that.
"""

from __future__ import annotations

import gc

import pytest

from omnicenter import routing
from omnicenter.routing import Decision
from omnicenter.routing.state import AgentRt

from .support import T0, C, V, agent, engine, task


def _busy_engine() -> tuple[routing.RoutingEngine, list[Decision]]:
    """Tasks in hand (task and agent refer to each other) and tasks in a lane (task and
    lane refer to each other), after widening and a completion."""
    e = engine(
        {"q": {"skills": ["returns>=2"], "widening": [{"after": 5, "lower_levels": 1}]}},
        history_limit=3,
    )
    out: list[Decision] = []
    out += e.add_agent(agent("a", {"returns": 1}, voice=1, chat=2, total=2), T0)
    out += e.add_agent(agent("b", {"returns": 3}, voice=1), T0)
    for i in range(6):
        out += e.submit(task(f"t{i}", channel=C if i % 2 else V), T0 + i)
    out += e.advance(T0 + 30)
    held = [d.task_id for d in out if isinstance(d, routing.Assigned)]
    out += e.complete(held[0], T0 + 40)
    return e, out


def test_compiled_decisions_are_not_tracked_by_the_collector() -> None:
    if not routing.COMPILED:
        pytest.skip("the sources: mypyc_attr(acyclic=True) is a no-op there")
    _, out = _busy_engine()
    kinds = {type(d).__name__ for d in out}
    assert {"Assigned", "Widened"} <= kinds, kinds
    assert [d for d in out if gc.is_tracked(d)] == []


def test_an_engine_dropped_with_tasks_in_hand_and_waiting_is_collected() -> None:
    gc.collect()
    before = sum(1 for o in gc.get_objects() if type(o) is AgentRt)
    e, _ = _busy_engine()
    assert e.waiting_count() > 0  # tasks still in a lane
    assert any(a.load for a in e.snapshot(T0 + 40).agents)  # and in hand
    during = sum(1 for o in gc.get_objects() if type(o) is AgentRt)
    assert during == before + 2
    del e
    gc.collect()
    assert sum(1 for o in gc.get_objects() if type(o) is AgentRt) == before
