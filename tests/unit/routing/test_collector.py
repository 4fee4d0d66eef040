"""What the cyclic collector sees of the engine: decisions not at all, an engine in full.

Compiled, decisions, the small records and tasks are `acyclic` classes (untracked: freeing
one unlinks nothing). Tasks close cycles (with their agent, lane, pools and queue), so an
engine lets go of its tasks when it is dropped, and a reconfiguration empties the pools it
replaces: the last tests check that nothing of a dropped engine stays behind.
"""

from __future__ import annotations

import gc

import pytest

from omnicenter import routing
from omnicenter.routing import Decision
from omnicenter.routing.state import AgentRt, QueueRt, TaskRt, TaskState

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


def _alive() -> tuple[int, int]:
    gc.collect()
    objects = gc.get_objects()
    return sum(type(o) is AgentRt for o in objects), sum(type(o) is QueueRt for o in objects)


def test_compiled_tasks_are_not_tracked_by_the_collector() -> None:
    if not routing.COMPILED:
        pytest.skip("the sources: mypyc_attr(acyclic=True) is a no-op there")
    e, _ = _busy_engine()
    assert e._tasks and not any(gc.is_tracked(t) for t in e._tasks.values())
    assert all(type(t) is TaskRt for t in e._tasks.values())


def test_an_engine_reconfigured_with_tasks_in_pools_is_collected_when_dropped() -> None:
    before = _alive()
    queues = {"q": {"skills": ["returns>=2"]}, "r": {"skills": ["returns>=1"]}}
    e = engine(queues, history_limit=3)
    e.add_agent(agent("a", {"returns": 2, "pl": 3}, voice=1, chat=2, total=2), T0)
    for i in range(6):  # skills of their own: filed in pool heaps, not in lanes
        e.submit(task(f"t{i}", channel=C, skills="pl>=3"), T0 + i)
    e.complete("t0", T0 + 10)
    queues["q"]["widening"] = [{"after": 5, "lower_levels": 1}]
    e.reconfigure({"engine": {"offer_timeout": 0}, "queues": queues}, T0 + 20)
    e.submit(task("late", "r"), T0 + 21)
    assert e.waiting_count() > 0 and e.agent("a").load == {C: 2}
    assert _alive() == (before[0] + 1, before[1] + 2)
    del e
    assert _alive() == before


def test_a_plain_task_carries_no_extras_and_a_task_that_needs_them_gets_them() -> None:
    e, _ = _busy_engine()
    plain = [t for t in e._tasks.values() if not t.xreq]
    assert plain and all(t.x is None for t in plain)  # waited, widened, assigned: no extras
    e.submit(task("own", channel=V, skills="returns>=1"), T0 + 41)
    assert e._tasks["own"].x is not None and e._tasks["own"].xreq
    held = next(t for t in e._tasks.values() if t.state == TaskState.ASSIGNED and t.x is None)
    e.transfer(held.id, T0 + 42, to_supervisor=True)  # an escalation needs an override
    assert e._tasks[held.id].x is not None and e._tasks[held.id].override is not None
