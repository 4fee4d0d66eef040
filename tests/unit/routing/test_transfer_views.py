"""Transfers, cancel, estimated wait, explanations, snapshot, reconfiguration."""

import pytest

from omnicenter.domain import AgentRole, Presence
from omnicenter.routing import (
    Assigned,
    ClockError,
    ConfigError,
    InvalidTransition,
    Offered,
    OfferWithdrawn,
    RoutingError,
    Transferred,
    UnknownTask,
)

from .support import T0, C, V, agent, engine, of, pairs, task

QUEUES = {"sales": {"skills": ["sales"]}, "support": {"skills": ["support"]}}


def test_cold_transfer_to_a_queue_frees_the_agent_and_keeps_history() -> None:
    e = engine(QUEUES)
    e.add_agent(agent("s", {"sales": 1}), T0)
    e.add_agent(agent("p", {"support": 1}), T0)
    e.submit(task("t1", "sales", case_id="case-9"), T0)
    e.submit(task("t2", "sales"), T0 + 1)  # waits for s
    out = e.transfer("t1", T0 + 10, to_queue="support")
    assert [type(d) for d in out] == [Transferred, Assigned, Assigned]
    assert pairs(out) == [("t1", "p"), ("t2", "s")]
    text = e.explain("t1")
    assert "cold transfer from s to queue:support" in text
    assert "agent s chosen" in text and "agent p chosen" in text


def test_warm_transfer_keeps_capacity_until_accepted() -> None:
    e = engine(QUEUES, offer_timeout=20)
    e.add_agent(agent("s", {"sales": 1}), T0)
    e.add_agent(agent("p", {"support": 1}), T0)
    e.submit(task("t1", "sales"), T0)
    e.accept("t1", "s", T0 + 1)
    out = e.transfer("t1", T0 + 10, to_agent="p", warm=True)
    assert of(out, Transferred)[0].warm
    assert of(out, Offered)[0].agent_id == "p"
    assert e.agent("s").load == {V: 1}  # still on the call while consulting
    e.submit(task("t2", "sales"), T0 + 11)
    assert e.task("t2").state == "waiting"
    out = e.accept("t1", "p", T0 + 15)
    assert pairs(out) == [("t1", "p"), ("t2", "s")]  # s is released and takes the next one


def test_transfer_to_a_busy_agent_waits_then_falls_back() -> None:
    e = engine(QUEUES, transfer_wait=30)
    e.add_agent(agent("s1", {"sales": 1}), T0)
    e.add_agent(agent("s2", {"sales": 1}), T0 + 1)
    e.add_agent(agent("p", {"support": 1}), T0 + 2)
    e.submit(task("busy", "support"), T0 + 3)  # p is busy
    e.submit(task("t1", "sales"), T0 + 4)  # s1
    out = e.transfer("t1", T0 + 5, to_agent="p")
    assert pairs(out) == []
    assert "waiting for p (transfer)" in e.explain("t1")
    assert pairs(e.advance(T0 + 36)) == [("t1", "s2")]  # back to sales, not to s1 who sent it


def test_escalation_to_a_supervisor() -> None:
    e = engine(QUEUES)
    e.add_agent(agent("s", {"sales": 1}), T0)
    e.add_agent(agent("boss", role=AgentRole.SUPERVISOR), T0)
    e.submit(task("t1", "sales"), T0)
    out = e.transfer("t1", T0 + 5, to_supervisor=True)
    assert of(out, Transferred)[0].to == "supervisor"
    assert pairs(out) == [("t1", "boss")]


def test_transfer_needs_exactly_one_target_and_an_assigned_task_unless_moved_to_a_queue() -> None:
    e = engine(QUEUES)
    e.add_agent(agent("s", {"sales": 1}), T0)
    e.add_agent(agent("p", {"support": 1}), T0)
    e.submit(task("t1", "sales"), T0)
    with pytest.raises(InvalidTransition):
        e.transfer("t1", T0, to_queue="support", to_supervisor=True)
    e.submit(task("t2", "sales"), T0)  # waits: s has t1
    with pytest.raises(InvalidTransition):
        e.transfer("t2", T0, to_agent="p")
    with pytest.raises(InvalidTransition):
        e.transfer("t2", T0, to_supervisor=True)


def test_cancel_waiting_and_offered() -> None:
    e = engine(offer_timeout=20)
    e.add_agent(agent("a"), T0)
    e.submit(task("t1"), T0)
    e.submit(task("t2"), T0 + 1)
    e.cancel("t2", T0 + 2)
    assert e.task("t2").state == "done"
    out = e.cancel("t1", T0 + 3)
    assert of(out, OfferWithdrawn)[0].agent_id == "a"
    assert e.agent("a").state is Presence.AVAILABLE
    (view,) = [q for q in e.snapshot().queues if q.channel is V]
    assert view.abandoned == 2
    with pytest.raises(UnknownTask):
        e.cancel("nope", T0 + 4)


def test_estimated_wait() -> None:
    e = engine({"q": {"handle_time": {"webchat": 600}}})
    assert e.estimated_wait("q", C, T0) is None  # nobody staffed
    e.add_agent(agent("a", voice=0, chat=2), T0)
    e.add_agent(agent("b", voice=0, chat=2), T0)
    assert e.estimated_wait("q", C, T0) == 0.0  # someone is free
    for i in range(6):
        e.submit(task(f"c{i}", channel=C), T0 + i)
    # 2 waiting + the newcomer, 4 chat slots, 600 s each
    assert e.estimated_wait("q", C, T0 + 10) == 3 * 600 / 4
    e.complete("c0", T0 + 310)  # measured handle time now counts (310 s, running average)
    assert e.estimated_wait("q", C, T0 + 311) == pytest.approx(2 * 310 / 4)


def test_explanation_names_chosen_and_excluded_agents() -> None:
    e = engine({"q": {"skills": ["language:pl>=3"]}}, explain_candidates=5)
    e.add_agent(agent("A", {"language:pl": 4}, voice=0, chat=3), T0)
    e.add_agent(agent("B", {"language:pl": 5}, voice=0, chat=3), T0)
    e.add_agent(agent("C", {"language:pl": 3}, voice=0, chat=3), T0)
    e.add_agent(agent("D", {"language:pl": 2}, voice=0, chat=3), T0)
    e.set_presence("C", Presence.AWAY, T0, reason="training")
    # least loaded, then longest idle: A, B, A, B, A, B -> both full after six chats
    for i in range(5):
        e.submit(task(f"x{i}", channel=C), T0 + 300 + i)
    text = e.submit(task("x5", channel=C), T0 + 310)[0].explain()
    assert "language:pl>=3" in text
    assert "C excluded: away (training)" in text
    assert "at webchat capacity 3/3" in text
    assert "D" not in text  # D lacks the level: not a candidate at all
    assert "agent B chosen by longest_idle" in text
    assert "A excluded: at webchat capacity 3/3" in text
    e.submit(task("x6", channel=C), T0 + 311)
    waiting = e.explain("x6")
    assert "waiting for: language:pl>=3 on webchat" in waiting
    assert "B: at webchat capacity 3/3" in waiting


def test_snapshot_counts_agents_by_state() -> None:
    e = engine({"q": {"wrap_up": {"voice": 10}}})
    for name in ("wrap", "busy", "free"):
        e.add_agent(agent(name), T0)
    e.add_agent(agent("away"), T0, presence=Presence.AWAY)
    e.submit(task("t1"), T0 + 1)  # longest idle, first added: wrap
    e.submit(task("t2"), T0 + 1)  # busy
    e.submit(task("t3"), T0 + 1)  # free
    e.complete("t1", T0 + 5)
    e.complete("t3", T0 + 5)
    e.submit(task("t4"), T0 + 6)
    e.set_presence("free", Presence.AVAILABLE, T0 + 6)
    snap = e.snapshot(T0 + 6)
    assert snap.agents_by_state == {Presence.WRAP_UP: 1, Presence.BUSY: 2, Presence.AWAY: 1}
    assert {a.agent_id: a.state for a in snap.agents}["wrap"] is Presence.WRAP_UP
    assert snap.waiting == 0
    (queue,) = snap.queues
    assert (queue.answered, queue.answered_in_sla, queue.service_level) == (4, 4, 1.0)


def test_reconfigure_without_restart() -> None:
    e = engine({"q": {"skills": ["a"]}, "old": {}}, default_queue="q")
    e.add_agent(agent("x", {"b": 1}), T0)
    e.submit(task("t1", "q"), T0)
    e.submit(task("t2", "old"), T0)  # x has no skill a... but "old" needs none
    assert e.task("t2").state == "assigned"
    e.complete("t2", T0 + 1)
    e.set_presence("x", Presence.AWAY, T0 + 2)
    e.submit(task("t3", "old"), T0 + 2)
    out = e.reconfigure(
        {"engine": {"offer_timeout": 0, "default_queue": "q"}, "queues": {"q": {"skills": ["b"]}}},
        T0 + 3,
    )
    assert pairs(out) == []
    assert e.task("t3").queue == "q"  # moved from the removed queue
    out = e.set_presence("x", Presence.AVAILABLE, T0 + 4)
    assert pairs(out) == [("t1", "x")]  # the new skill rule applies to waiting tasks
    assert e.task("t3").state == "waiting"
    with pytest.raises(ConfigError):
        e.reconfigure({"queues": {"other": {}}}, T0 + 5)


def test_clock_and_unknowns() -> None:
    e = engine()
    e.add_agent(agent("a"), T0 + 10)
    with pytest.raises(ClockError):
        e.submit(task("t1"), T0)
    with pytest.raises(RoutingError):
        e.submit(task("t1", "nope"), T0 + 11)
    with pytest.raises(InvalidTransition):
        e.add_agent(agent("a"), T0 + 11)


def test_a_waiting_task_moves_to_another_queue_with_its_place_and_is_not_abandoned() -> None:
    e = engine(QUEUES)
    e.add_agent(agent("s", {"sales": 1}), T0)
    e.submit(task("busy", "support"), T0)  # nobody in support: waits
    e.submit(task("t1", "support"), T0 + 1)
    out = e.transfer("t1", T0 + 5, to_queue="sales")
    assert [type(d) for d in out] == [Transferred, Assigned]
    assert pairs(out) == [("t1", "s")]
    assert "moved to queue:sales before an agent took it" in e.explain("t1")
    assert e.waiting_count("support") == 1 and e.waiting_count("sales") == 0
    support = [q for q in e.snapshot().queues if q.queue == "support"]
    assert all(q.abandoned == 0 for q in support)


def test_an_offered_task_moved_to_a_queue_withdraws_the_offer_and_frees_the_agent() -> None:
    e = engine(QUEUES, offer_timeout=20)
    e.add_agent(agent("s", {"sales": 1}), T0)
    e.add_agent(agent("p", {"support": 1}), T0)
    e.submit(task("t1", "sales"), T0)  # offered to s
    e.submit(task("t2", "sales"), T0 + 1)  # waits behind it
    out = e.transfer("t1", T0 + 2, to_queue="support")
    assert [type(d) for d in out] == [OfferWithdrawn, Transferred, Offered, Offered]
    assert [(d.task_id, d.agent_id) for d in of(out, Offered)] == [("t1", "p"), ("t2", "s")]
    e.advance(T0 + 21)  # the withdrawn offer's timer must not fire any more
    assert e.task("t1").state == "offered" and e.task("t1").agent_id == "p"


def test_moving_a_task_to_an_unknown_queue_or_one_without_its_channel_is_refused() -> None:
    e = engine({**QUEUES, "mail": {"channels": ["email"]}})
    e.submit(task("t1", "sales"), T0)
    with pytest.raises(RoutingError):
        e.transfer("t1", T0 + 1, to_queue="nowhere")
    with pytest.raises(RoutingError):
        e.transfer("t1", T0 + 1, to_queue="mail")
    assert e.task("t1").state == "waiting" and e.waiting_count("sales") == 1


def test_finished_tasks_are_kept_up_to_the_history_limit() -> None:
    e = engine(history_limit=3)
    e.add_agent(agent("a"), T0)

    def finish(name: str, at: float) -> None:
        e.submit(task(name), at)
        e.complete(name, at + 1)

    def kept() -> list[str]:
        out = []
        for i in range(7):
            try:
                e.task(f"t{i}")
            except UnknownTask:
                continue
            out.append(f"t{i}")
        return out

    for i in range(5):
        finish(f"t{i}", T0 + 10 * i)
    assert kept() == ["t2", "t3", "t4"]  # the oldest are forgotten first
    e.reconfigure(
        {"engine": {"offer_timeout": 0, "history_limit": 2}, "queues": {"q": {}}}, T0 + 60
    )
    assert kept() == ["t3", "t4"]
    finish("t5", T0 + 70)
    assert kept() == ["t4", "t5"]
    e.reconfigure(
        {"engine": {"offer_timeout": 0, "history_limit": 4}, "queues": {"q": {}}}, T0 + 80
    )
    finish("t6", T0 + 90)
    assert kept() == ["t4", "t5", "t6"]
    assert e.explain("t6").startswith("task t6: voice in queue q, priority 2, done")


def test_an_id_used_again_keeps_the_newer_task_for_its_own_turn_in_the_history() -> None:
    e = engine(history_limit=2)
    e.add_agent(agent("a"), T0)
    e.submit(task("t1"), T0)
    e.complete("t1", T0 + 1)
    e.submit(task("t1"), T0 + 10)  # the same id again: a new task
    assert e.task("t1").state == "assigned" and e.task("t1").arrived_at == T0 + 10
    with pytest.raises(InvalidTransition):
        e.submit(task("t1"), T0 + 11)  # while it is live the id is taken
    e.complete("t1", T0 + 12)
    assert e.task("t1").arrived_at == T0 + 10  # both are kept: the newer one answers
    assert f"arrived {T0 + 10:.0f}" in e.explain("t1")
    e.submit(task("t2"), T0 + 20)
    e.complete("t2", T0 + 21)  # pushes the first t1 out of the history, not the second
    assert e.task("t1").arrived_at == T0 + 10 and e.task("t1").state == "done"
    e.submit(task("t3"), T0 + 30)
    e.complete("t3", T0 + 31)  # now the second t1 is the oldest kept
    with pytest.raises(UnknownTask):
        e.task("t1")
    assert e.task("t2").state == e.task("t3").state == "done"


def test_a_warm_transfer_nobody_else_takes_goes_back_to_its_agent_once() -> None:
    e = engine(QUEUES, reject_cooldown=30)
    e.add_agent(agent("s", {"sales": 1}, voice=0, chat=2), T0)
    e.submit(task("t1", "sales", channel=C), T0)
    out = e.transfer("t1", T0 + 10, to_queue="sales", warm=True)  # nobody else in sales
    assert pairs(out) == [] and e.agent("s").load == {C: 1}  # s holds it meanwhile
    out = e.advance(T0 + 41)  # s may take it again after the cooldown: the hold is the task
    assert pairs(out) == [("t1", "s")]
    assert e.agent("s").load == {C: 1} and e.task("t1").state == "assigned"
    e.complete("t1", T0 + 50)
    assert e.agent("s").load == {}


def test_a_callback_asked_for_during_a_warm_transfer_frees_the_agent_holding_the_chat() -> None:
    e = engine({"sales": {"skills": ["sales"]}, "support": {"skills": ["support"]}})
    e.add_agent(agent("s", {"sales": 1}, voice=0, chat=2), T0)
    e.add_agent(agent("p", {"support": 1}, voice=1), T0, presence=Presence.AWAY)
    e.submit(task("t1", "sales", channel=C), T0)
    e.transfer("t1", T0 + 10, to_queue="support", warm=True)  # nobody free in support
    assert e.agent("s").load == {C: 1}
    # the customer leaves the chat for a call back: s no longer holds the conversation
    e.request_callback("t1", T0 + 20)
    assert e.agent("s").load == {}
    out = e.set_presence("p", Presence.AVAILABLE, T0 + 30)
    assert pairs(out) == [("t1", "p")] and e.task("t1").channel.value == "callback"
    e.complete("t1", T0 + 90)
    assert e.agent("s").load == {} and e.agent("p").load == {}


WIDENING = {
    "q": {
        "skills": ["x>=3"],
        "widening": [{"after": 10, "lower_levels": 1}, {"after": 20, "lower_levels": 2}],
    }
}


def test_a_laned_task_history_keeps_every_step_in_order_through_a_reject_and_its_end() -> None:
    e = engine(WIDENING, offer_timeout=30)
    e.submit(task("t1"), T0)
    e.add_agent(agent("low", {"x": 1}), T0 + 25)  # qualifies once both steps are taken
    e.reject("t1", "low", T0 + 26)  # an entry written after the pending ones
    e.add_agent(agent("mid", {"x": 2}), T0 + 27)
    e.accept("t1", "mid", T0 + 28)
    e.complete("t1", T0 + 40)
    lines = e.explain("t1").splitlines()[1:]
    assert [line.split(":", 1)[0].strip() for line in lines] == [
        f"{T0 + 10:.0f}", f"{T0 + 20:.0f}", f"{T0 + 25:.0f}", f"{T0 + 26:.0f}",
        f"{T0 + 27:.0f}", f"{T0 + 28:.0f}",
    ]  # fmt: skip
    assert "widened (step 1): after 10 s: levels lowered by 1; now needs x>=2" in lines[0]
    assert "widened (step 2): after 20 s: levels lowered by 2; now needs x>=1" in lines[1]
    assert "offered (attempt 1): agent low chosen" in lines[2] and "rejected" in lines[3]
    assert "offered (attempt 2): agent mid chosen" in lines[4]
    assert "assigned: agent mid chosen" in lines[5]


def test_a_finished_task_explains_its_steps_as_they_were_configured_then() -> None:
    e = engine(WIDENING)
    e.submit(task("t1"), T0)
    e.submit(task("t2"), T0 + 1)
    e.add_agent(agent("low", {"x": 1}, voice=1), T0 + 30)  # takes t1 after both its steps
    done = e.complete("t1", T0 + 31)  # and then t2, its steps taken by then too
    assert pairs(done) == [("t2", "low")]
    before = e.explain("t2")
    e.reconfigure(
        {
            "engine": {"offer_timeout": 0},
            "queues": {"q": {"skills": ["x>=3"], "widening": [{"after": 5, "lower_levels": 2}]}},
        },
        T0 + 32,
    )
    e.complete("t2", T0 + 33)
    after = e.explain("t2")
    assert after.splitlines()[1:] == before.splitlines()[1:]
    assert "widened (step 2): after 20 s: levels lowered by 2" in after
    assert "after 5 s" not in after
    assert "assigned: agent low chosen by queue order" in after
    assert "widened (step 1)" in e.explain("t1") and "widened (step 2)" in e.explain("t1")
