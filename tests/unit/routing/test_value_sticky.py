"""Customer-value rules and sticky routing."""

from omnicenter.domain import Presence, Priority
from omnicenter.routing import ChannelOffered

from .support import T0, V, agent, engine, of, pairs, task

RULES = [
    {
        "name": "gold",
        "min_value": 1000,
        "priority_boost": 1,
        "require": ["tier:senior"],
        "personal_agent": True,
    },
    {
        "name": "deflect",
        "max_value": 10,
        "channels": ["voice"],
        "offer_channels": ["callback", "self_service"],
        "when_ewt_over": 400,
    },
]


def test_valuable_customer_goes_to_a_senior_agent_first() -> None:
    e = engine(value_rules=RULES)
    e.add_agent(agent("junior"), T0)
    e.add_agent(agent("senior", {"tier:senior": 1}), T0 + 1)
    assert pairs(e.submit(task("gold", customer_value=5000), T0 + 2)) == [("gold", "senior")]
    assert e.task("gold").priority == Priority.NORMAL + 1


def test_personal_agent_is_waited_for_within_the_window() -> None:
    e = engine(value_rules=RULES, sticky={"window": 30})
    e.add_agent(agent("mine", {"tier:senior": 1}), T0)
    e.add_agent(agent("other", {"tier:senior": 1}), T0)
    e.submit(task("busy"), T0 + 1)  # keeps "mine" (longest idle... by index) or "other" busy
    holder = e.task("busy").agent_id
    assert holder is not None
    free = "other" if holder == "mine" else "mine"
    e.set_presence(free, Presence.AWAY, T0 + 2)
    # the customer's own agent is busy: the task waits for them, not for the queue
    assert e.submit(task("vip", customer_value=5000, personal_agent_id=holder), T0 + 3) == []
    e.set_presence(free, Presence.AVAILABLE, T0 + 4)
    assert e.task("vip").state == "waiting"
    assert pairs(e.complete("busy", T0 + 10)) == [("vip", holder)]


def test_personal_agent_window_expires_to_the_queue() -> None:
    e = engine(value_rules=RULES, sticky={"window": 30})
    e.add_agent(agent("mine", {"tier:senior": 1}), T0)
    e.add_agent(agent("other", {"tier:senior": 1}), T0)
    e.set_presence("other", Presence.AWAY, T0)
    e.submit(task("busy"), T0 + 1)
    e.set_presence("other", Presence.AVAILABLE, T0 + 2)  # nothing for other: busy is taken
    e.submit(task("filler"), T0 + 2.5)  # other is busy now too
    e.submit(task("vip", customer_value=5000, personal_agent_id="mine"), T0 + 3)
    e.complete("filler", T0 + 4)  # other is free, but vip waits for mine
    assert e.task("vip").state == "waiting"
    assert pairs(e.advance(T0 + 33)) == [("vip", "other")]


def test_low_value_customer_is_offered_a_cheaper_channel_when_the_queue_is_long() -> None:
    e = engine(value_rules=RULES)
    e.add_agent(agent("a"), T0, presence=Presence.AWAY)
    e.add_agent(agent("b"), T0)
    e.submit(task("first", customer_value=5), T0)  # b takes it; nothing waits
    out = e.submit(task("second", customer_value=5), T0 + 1)
    assert of(out, ChannelOffered) == []  # estimated wait (0 ahead + 1) x 300 s / 1 agent < 400 s
    out = e.submit(task("third", customer_value=5), T0 + 2)
    (offer,) = of(out, ChannelOffered)
    assert offer.channels == ("callback", "self_service")
    assert offer.estimated_wait == 600.0  # (1 ahead + 1) x 300 s (default voice handle time)
    assert of(e.submit(task("rich", customer_value=500), T0 + 3), ChannelOffered) == []


def test_sticky_returning_customer_gets_the_last_agent() -> None:
    e = engine(sticky={"window": 60, "memory": 3600})
    e.add_agent(agent("a"), T0)
    e.add_agent(agent("b"), T0 + 1)
    e.submit(task("first", case_id="case-1"), T0 + 2)
    e.complete("first", T0 + 100)  # a handled case-1; b is now the longest idle
    assert pairs(e.submit(task("again", case_id="case-1"), T0 + 200)) == [("again", "a")]
    assert "sticky" in e.explain("again")
    # from the store, for a case the engine has not seen
    e.complete("again", T0 + 210)
    spec = task("stored", channel=V, last_agent_id="b", last_handled_at=T0 + 150)
    assert pairs(e.submit(spec, T0 + 220)) == [("stored", "b")]


def test_sticky_memory_expires() -> None:
    e = engine(sticky={"window": 60, "memory": 50})
    e.add_agent(agent("a"), T0)
    e.add_agent(agent("b"), T0 + 1)
    e.submit(task("first", case_id="c"), T0 + 2)
    e.complete("first", T0 + 10)
    assert pairs(e.submit(task("again", case_id="c"), T0 + 100)) == [("again", "b")]
