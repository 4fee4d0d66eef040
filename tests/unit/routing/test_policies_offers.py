"""Agent selection policies; offers with accept, reject and timeout."""

import pytest

from omnicenter.domain import Presence
from omnicenter.routing import AgentStateChanged, Assigned, InvalidTransition, Offered, Requeued

from .support import T0, C, agent, engine, of, pairs, task


def test_longest_idle_first() -> None:
    e = engine()
    e.add_agent(agent("early"), T0)
    e.add_agent(agent("late"), T0 + 5)
    assert pairs(e.submit(task("t1"), T0 + 10)) == [("t1", "early")]
    e.complete("t1", T0 + 20)  # early is idle since 20 now, late since 5
    assert pairs(e.submit(task("t2"), T0 + 21)) == [("t2", "late")]


def test_idle_time_restarts_when_an_agent_comes_back() -> None:
    """Away or in wrap-up is not idle: back at work, an agent queues behind those who waited."""
    e = engine()
    for i, name in enumerate(("a", "b", "c")):
        e.add_agent(agent(name), T0 + i)
    e.set_presence("a", Presence.AWAY, T0 + 10)
    e.set_presence("a", Presence.AVAILABLE, T0 + 20)  # free since 20: behind b (1) and c (2)
    got = [pairs(e.submit(task(f"t{i}"), T0 + 30 + i)) for i in range(3)]
    assert got == [[("t0", "b")], [("t1", "c")], [("t2", "a")]]


def test_equal_idle_times_go_to_who_was_free_first() -> None:
    e = engine()
    e.add_agent(agent("x"), T0)
    e.add_agent(agent("y"), T0)
    e.submit(task("tx"), T0 + 1)  # x (first added)
    e.submit(task("ty"), T0 + 1)  # y
    e.complete("ty", T0 + 2)  # y free at 2, then x at the same second
    e.complete("tx", T0 + 2)
    assert pairs(e.submit(task("t3"), T0 + 3)) == [("t3", "y")]
    assert pairs(e.submit(task("t4"), T0 + 3)) == [("t4", "x")]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("most_skilled", "expert"), ("least_occupied", "idle"), ("round_robin", "idle")],
)
def test_other_policies(policy: str, expected: str) -> None:
    e = engine({"q": {"skills": ["returns"], "policy": policy}})
    e.add_agent(agent("expert", {"returns": 5}, voice=0, chat=4), T0)
    e.add_agent(agent("idle", {"returns": 1}, voice=0, chat=4), T0 + 1)
    e.submit(task("warmup", channel=C), T0 + 2)  # goes to someone under every policy
    first = pairs(e.submit(task("t1", channel=C), T0 + 3))
    if policy == "most_skilled":
        assert [a for _, a in first] == ["expert"]
    else:
        assert first[0][1] == ({"expert", "idle"} - {pairs_of_warmup(e)}).pop()


def pairs_of_warmup(e) -> str:  # type: ignore[no-untyped-def]
    return str(e.task("warmup").agent_id)


def test_round_robin_cycles() -> None:
    e = engine({"q": {"policy": "round_robin"}})
    for name in ("a", "b", "c"):
        e.add_agent(agent(name, voice=0, chat=9), T0)
    got = [pairs(e.submit(task(f"t{i}", channel=C), T0 + i))[0][1] for i in range(6)]
    assert got == ["a", "b", "c", "a", "b", "c"]


def test_offer_accept() -> None:
    e = engine(offer_timeout=20)
    e.add_agent(agent("a"), T0)
    (offer,) = of(e.submit(task("t1"), T0), Offered)
    assert (offer.agent_id, offer.expires_at, offer.attempt) == ("a", T0 + 20, 1)
    assert e.submit(task("t2"), T0 + 1) == []  # capacity is held by the offer
    (assigned,) = of(e.accept("t1", "a", T0 + 5), Assigned)
    assert assigned.why == offer.why
    assert e.advance(T0 + 60) == []  # the accepted offer does not time out
    with pytest.raises(InvalidTransition):
        e.accept("t1", "a", T0 + 61)


def test_reject_requeues_to_someone_else_and_counts() -> None:
    e = engine(offer_timeout=20, reject_cooldown=30)
    e.add_agent(agent("a"), T0)
    e.add_agent(agent("b"), T0 + 1)
    e.submit(task("t1"), T0 + 2)
    out = e.reject("t1", "a", T0 + 3)
    assert [type(d) for d in out] == [Requeued, Offered]
    assert of(out, Offered)[0].agent_id == "b"
    assert e.agent("a").rejected == 1
    out = e.reject("t1", "b", T0 + 4)
    assert pairs(out) == []  # both declined: it waits out the cooldown
    assert pairs(e.advance(T0 + 33.5)) == [("t1", "a")]
    assert e.task("t1").attempts == 3


def test_offer_timeout_sets_agent_away_and_reroutes() -> None:
    e = engine(offer_timeout=10)
    e.add_agent(agent("a"), T0)
    e.add_agent(agent("b"), T0 + 1)
    e.submit(task("t1"), T0 + 2)
    out = e.advance(T0 + 12)
    assert [type(d) for d in out] == [Requeued, Offered, AgentStateChanged]
    assert of(out, Offered)[0].agent_id == "b"
    assert e.agent("a").state is Presence.AWAY
    assert e.agent("a").missed == 1


def test_offer_timeout_stay() -> None:
    e = engine(offer_timeout=10, on_offer_timeout="stay", reject_cooldown=0)
    e.add_agent(agent("a"), T0)
    e.submit(task("t1"), T0)
    out = e.advance(T0 + 10)
    assert pairs(out) == [("t1", "a")]  # no one else, cooldown 0: offered again
    assert e.agent("a").state is Presence.BUSY


def test_going_away_returns_offers() -> None:
    e = engine(offer_timeout=10)
    e.add_agent(agent("a"), T0)
    e.submit(task("t1"), T0)
    out = e.set_presence("a", Presence.AWAY, T0 + 1)
    assert [d.reason for d in of(out, Requeued)] == ["agent away"]
    assert e.task("t1").state == "waiting"
