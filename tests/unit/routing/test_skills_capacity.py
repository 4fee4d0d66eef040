"""Skills with levels and widening; blended capacity; presence."""

from omnicenter.domain import Presence
from omnicenter.routing import AgentStateChanged, Assigned, Widened

from .support import T0, C, E, V, agent, engine, of, pairs, task


def test_required_skill_level() -> None:
    e = engine({"q": {"skills": ["returns>=3"]}})
    e.add_agent(agent("low", {"returns": 2}), T0)
    assert e.submit(task("t1"), T0 + 1) == []
    out = e.add_agent(agent("high", {"returns": 3}), T0 + 2)
    assert pairs(out) == [("t1", "high")]


def test_task_skills_add_to_queue_skills() -> None:
    e = engine({"q": {"skills": ["returns"]}})
    e.add_agent(agent("en", {"returns": 5, "language:en": 5}), T0)
    e.add_agent(agent("pl", {"returns": 1, "language:pl": 4}), T0)
    assert pairs(e.submit(task("t1", skills="language:pl>=3"), T0 + 1)) == [("t1", "pl")]


def test_widening_drops_preferred_then_lowers_levels_then_other_queues() -> None:
    e = engine(
        {
            "q": {
                "skills": ["returns>=3"],
                "preferred": ["language:pl>=3"],
                "widening": [
                    {"after": 10, "drop_preferred": True},
                    {"after": 20, "lower_levels": 1},
                    {"after": 30, "queues": ["general"]},
                ],
            },
            "general": {"skills": ["general"]},
        }
    )
    e.add_agent(agent("gen", {"general": 1}), T0)
    e.add_agent(agent("r2", {"returns": 2}), T0)
    e.add_agent(agent("r3", {"returns": 3}), T0)
    e.set_presence("r3", Presence.AWAY, T0)
    e.set_presence("r2", Presence.AWAY, T0)
    assert e.submit(task("t1"), T0 + 1) == []
    out = e.advance(T0 + 12)
    assert [w.step for w in of(out, Widened)] == [1]
    assert str(of(out, Widened)[0].requirement) == "returns>=3"
    e.set_presence("r2", Presence.AVAILABLE, T0 + 13)  # level 2 is not enough yet
    out = e.advance(T0 + 21.5)
    assert pairs(out) == [("t1", "r2")]
    # a second task goes to the general queue's agent only after the third step
    e.submit(task("t2"), T0 + 30)
    assert pairs(e.advance(T0 + 59)) == []
    assert pairs(e.advance(T0 + 61)) == [("t2", "gen")]


def test_call_is_exclusive_and_chats_blend_up_to_capacity() -> None:
    e = engine()
    e.add_agent(agent("a", voice=1, chat=2, email=3, total=4), T0)
    assert pairs(e.submit(task("c1", channel=C), T0)) == [("c1", "a")]
    assert e.submit(task("v1", channel=V), T0 + 1) == []  # busy with a chat: no call
    assert pairs(e.submit(task("m1", channel=E), T0 + 2)) == [("m1", "a")]
    assert pairs(e.submit(task("c2", channel=C), T0 + 3)) == [("c2", "a")]
    assert e.submit(task("c3", channel=C), T0 + 4) == []  # chat capacity 2/2
    assert pairs(e.submit(task("m2", channel=E), T0 + 5)) == [("m2", "a")]
    assert e.submit(task("m3", channel=E), T0 + 6) == []  # total 4/4
    # freed chat and email capacity goes to the waiting chat and email, never to the call
    assert pairs(e.complete("c1", T0 + 10)) == [("c3", "a")]
    assert pairs(e.complete("m1", T0 + 11)) == [("m3", "a")]
    assert e.task("v1").state == "waiting"
    for i, tid in enumerate(("c2", "m2", "c3")):
        assert pairs(e.complete(tid, T0 + 12 + i)) == []
    # idle at last: the call, and nothing else beside it
    assert pairs(e.complete("m3", T0 + 20)) == [("v1", "a")]
    assert e.agent("a").load == {V: 1}
    assert e.agent("a").state is Presence.BUSY
    assert e.submit(task("c4", channel=C), T0 + 21) == []


def test_exclusive_channels_are_configurable() -> None:
    e = engine(exclusive_channels=[])
    e.add_agent(agent("a", voice=1, chat=1, total=2), T0)
    e.submit(task("c1", channel=C), T0)
    assert pairs(e.submit(task("v1", channel=V), T0 + 1)) == [("v1", "a")]


def test_presence_away_offline_get_nothing_and_wrap_up_is_timed() -> None:
    e = engine({"q": {"wrap_up": {"voice": 30}}})
    e.add_agent(agent("a"), T0)
    e.set_presence("a", Presence.AWAY, T0, reason="lunch")
    assert e.submit(task("t1"), T0 + 1) == []
    assert e.agent("a").reason == "lunch"
    assert pairs(e.set_presence("a", Presence.AVAILABLE, T0 + 2)) == [("t1", "a")]
    out = e.complete("t1", T0 + 100)
    assert of(out, AgentStateChanged)[0].presence is Presence.WRAP_UP
    assert e.agent("a").state is Presence.WRAP_UP
    assert e.submit(task("t2"), T0 + 110) == []
    out = e.advance(T0 + 130)
    assert [d.presence for d in of(out, AgentStateChanged)] == [Presence.AVAILABLE]
    assert pairs(out) == [("t2", "a")]
    e.set_presence("a", Presence.OFFLINE, T0 + 131)
    assert e.task("t2").state == "assigned"  # work in hand stays


def test_capacity_change_applies_at_once() -> None:
    e = engine()
    e.add_agent(agent("a", voice=0, chat=1), T0)
    e.submit(task("c1", channel=C), T0)
    assert e.submit(task("c2", channel=C), T0 + 1) == []
    out = e.set_capacity("a", {C: 2}, T0 + 2, max_total=2)
    assert [d.task_id for d in of(out, Assigned)] == ["c2"]


def test_an_agent_keeping_one_task_while_others_come_and_go_gives_them_back_in_order() -> None:
    from omnicenter.routing import Requeued

    e = engine()
    e.add_agent(agent("a", voice=0, chat=3, email=1, total=4), T0)
    e.submit(task("mail", channel=E), T0)  # kept throughout: the others leave around it
    now = T0
    for i in range(200):
        now += 1
        e.submit(task(f"c{i}", channel=C), now)
        if i >= 1:
            e.complete(f"c{i - 1}", now)
    assert e.agent("a").load == {C: 1, E: 1}
    assert len(e._by_id["a"].tasks) <= 2 * 2 + 8  # cleared slots do not pile up
    e.submit(task("late", channel=C), now + 1)
    out = e.remove_agent("a", now + 2)
    assert [d.task_id for d in of(out, Requeued)] == ["mail", "c199", "late"]
