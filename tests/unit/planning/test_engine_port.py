"""`EnginePort`: the planning model through the real routing engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicenter.domain import Channel, Priority
from omnicenter.planning.engine_port import (
    EnginePort,
    routing_agent,
    routing_channel,
    routing_config,
)
from omnicenter.planning.router_port import RoutingPort
from omnicenter.planning.sim_kpis import kpis
from omnicenter.planning.sim_model import AgentSpec, ArrivalSpec, CenterModel, QueueSpec
from omnicenter.planning.simulation import (
    HANDLED,
    RouterFactory,
    engine_router,
    reference_router,
    simulate,
)
from omnicenter.routing import SkillReq

ROUTERS = pytest.mark.parametrize(
    "router", [engine_router, reference_router], ids=["engine", "reference"]
)


def center(
    queues: list[QueueSpec], agents: list[AgentSpec], horizon: float = 1_000.0
) -> CenterModel:
    return CenterModel(queues, agents, [], horizon)


def replay(
    queues: list[QueueSpec], agents: list[AgentSpec], times: dict[str, list[float]]
) -> CenterModel:
    arrivals = [ArrivalSpec(q, times=np.array(t)) for q, t in times.items()]
    return CenterModel(queues, agents, arrivals, 1_000.0)


def test_blended_agent_holds_chats_and_emails_but_calls_alone() -> None:
    queues = [
        QueueSpec("call", "voice", 100.0),
        QueueSpec("chat", "chat", 100.0),  # "chat" is the engine's webchat
        QueueSpec("mail", "email", 100.0),
    ]
    agent = AgentSpec("b", ("call", "chat", "mail"), {"chat": 2, "email": 1}, max_total=3)
    port: RoutingPort = EnginePort(center(queues, [agent]))
    assert port.add_agent(0, agent, 0.0) == []
    assert port.set_available(0, True, 0.0) == []
    assert port.submit(1, 1, 0.0) == [(1, 0)]
    assert port.submit(2, 1, 1.0) == [(2, 0)]
    assert port.submit(3, 1, 2.0) == []  # chat capacity 2 reached
    assert port.submit(4, 2, 3.0) == [(4, 0)]  # an email still fits the total of 3
    assert port.submit(5, 0, 4.0) == []  # a call needs the agent free of everything
    assert port.complete(1, 5.0) == [(3, 0)]  # the waiting chat's deadline is earlier
    assert port.complete(2, 6.0) == []
    assert port.complete(3, 6.0) == []
    assert port.complete(4, 6.0) == [(5, 0)]  # free of everything: the call starts
    assert port.next_wakeup() is None


def test_agent_and_queue_translate_skills_levels_and_capacity() -> None:
    queues = [
        QueueSpec("sales", "voice", 60.0, skills=("sales>=2", "language:pl>=3")),
        QueueSpec("chat", "webchat", 60.0, priority=Priority.HIGH),
    ]
    agent = AgentSpec(
        "ann",
        ("sales", "chat"),
        {"webchat": 3},
        max_total=3,
        skills={"sales": 4, "language:pl": 3, "chat": 2},
        partner=True,
        team="acme",
    )
    model = center(queues, [agent])
    cfg = routing_config(model, {"aging": 0.0})
    assert cfg.engine.offer_timeout == 0.0 and cfg.engine.aging == 0.0
    assert cfg.queues["sales"].skills == (SkillReq("language:pl", 3), SkillReq("sales", 2))
    assert cfg.queues["sales"].channels == frozenset({Channel.VOICE})
    spec = routing_agent(7, agent, model)
    assert spec.id == "7" and spec.partner and spec.team == "acme"
    assert dict(spec.skills) == {"sales": 4, "chat": 2, "language:pl": 3}
    assert dict(spec.capacity) == {Channel.VOICE: 1, Channel.WEBCHAT: 3}
    assert spec.max_total == 3
    assert routing_channel("phone") is Channel.VOICE
    with pytest.raises(ValueError, match="unknown channel"):
        routing_channel("pigeon")


@ROUTERS
def test_skill_levels_decide_who_may_take_a_queue(router: RouterFactory) -> None:
    queues = [QueueSpec("pl", "voice", 10.0, skills=("language:pl>=3",), handle_cv=0.0)]
    agents = [
        AgentSpec("novice", ("pl",), skills={"language:pl": 2}),  # idle longest, too weak
        AgentSpec("fluent", ("pl",), skills={"language:pl": 4}),
    ]
    res = simulate(replay(queues, agents, {"pl": [1.0, 2.0, 30.0]}), router=router)
    assert res.agent.tolist() == [1, 1, 1]  # the second waits for the only fluent agent
    assert res.wait.tolist() == [0.0, 9.0, 0.0]


def test_engine_serves_higher_priority_first_reference_router_does_not() -> None:
    queues = [
        QueueSpec("std", "voice", 10.0, handle_cv=0.0),
        QueueSpec("vip", "voice", 10.0, handle_cv=0.0, priority=Priority.URGENT),
    ]
    agents = [AgentSpec("a", ("std", "vip"))]
    model = replay(queues, agents, {"std": [0.0, 1.0], "vip": [2.0]})
    engine, reference = simulate(model), simulate(model, router=reference_router)
    # Contacts are ordered by arrival: std@0 (served), std@1, vip@2.
    assert engine.wait.tolist() == [0.0, 19.0, 8.0]  # the default router: the engine
    assert reference.wait.tolist() == [0.0, 9.0, 18.0]  # FIFO, priorities ignored


def test_overflow_goes_through_the_engine_to_a_partner_with_limited_data() -> None:
    queues = [
        QueueSpec("sales", "voice", 100.0, handle_cv=0.0, overflow_to="partner", overflow_after=30),
        QueueSpec("partner", "voice", 100.0, handle_cv=0.0),
    ]
    agents = [
        AgentSpec("in", ("sales",)),
        AgentSpec("p", ("partner",), partner=True, team="acme"),
    ]
    ports: list[EnginePort] = []

    def keep(model: CenterModel) -> EnginePort:
        ports.append(EnginePort(model, {"history_limit": 10}))  # keep finished tasks to explain
        return ports[-1]

    res = simulate(replay(queues, agents, {"sales": [0.0, 5.0]}), router=keep)
    assert res.agent.tolist() == [0, 1]
    assert res.wait.tolist() == [0.0, 30.0]  # moved exactly at overflow_after
    story = ports[0].engine.explain("1")
    assert "overflowed from sales to partner" in story
    assert "limited customer data" in story


def test_engine_counters_equal_the_simulated_kpis() -> None:
    """The live wallboard's counters (kept by the engine) and the simulator's KPIs agree."""
    queues = [QueueSpec("q", "voice", 60.0, patience=30.0, sl_time=15.0)]
    agents = [AgentSpec(f"a{i}", ("q",)) for i in range(4)]
    model = CenterModel(queues, agents, [ArrivalSpec.constant("q", 0.07, 20_000.0)], 20_000.0)
    ports: list[EnginePort] = []

    def keep(m: CenterModel) -> EnginePort:
        ports.append(EnginePort(m))
        return ports[-1]

    res = simulate(model, seed=4, router=keep)
    k = kpis(res)
    (view,) = [v for v in ports[0].engine.snapshot().queues if v.queue == "q"]
    assert k.abandoned > 0 and k.handled > 0
    assert (view.answered, view.abandoned) == (k.handled, k.abandoned)
    assert view.answered_in_sla == round(k.service_level * k.offered)
    assert view.waiting == 0 and int((res.outcome == HANDLED).sum()) == k.handled


@ROUTERS
def test_every_overflow_fires_at_its_own_time(router: RouterFactory) -> None:
    """Timers set before the last wake-up are honoured at their time, not at the next arrival."""
    queues = [
        QueueSpec("sales", "voice", 100.0, handle_cv=0.0, overflow_to="partner", overflow_after=30),
        QueueSpec("partner", "voice", 100.0, handle_cv=0.0),
    ]
    agents = [AgentSpec("in", ("sales",))] + [
        AgentSpec(f"p{i}", ("partner",), partner=True) for i in range(2)
    ]
    res = simulate(replay(queues, agents, {"sales": [0.0, 1.0, 2.0, 500.0]}), router=router)
    assert res.wait.tolist() == [0.0, 30.0, 30.0, 0.0]
    assert res.agent.tolist()[1:3] == [1, 2]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    agents=st.lists(st.sets(st.sampled_from(["a", "b", "c"]), min_size=1), min_size=1, max_size=6),
    rate=st.floats(0.01, 0.2),
    patience=st.none() | st.floats(5.0, 120.0),
    seed=st.integers(0, 2**16),
)
def test_engine_and_textbook_router_agree_on_single_channel_fifo(
    agents: list[set[str]], rate: float, patience: float | None, seed: int
) -> None:
    """One channel, one contact per agent, equal priorities and SLA times: the engine's
    rules reduce to FIFO and longest idle, so both routers must make the same pairings."""
    queues = [QueueSpec(n, "voice", 40.0, patience=patience) for n in ("a", "b", "c")]
    staff = [AgentSpec(f"x{i}", tuple(sorted(qs))) for i, qs in enumerate(agents)]
    arrivals = [ArrivalSpec.constant(n, rate / 3, 3_000.0) for n in ("a", "b", "c")]
    model = CenterModel(queues, staff, arrivals, 3_000.0)
    engine = simulate(model, seed=seed)
    reference = simulate(model, seed=seed, router=reference_router)
    assert np.array_equal(engine.agent, reference.agent)
    assert np.array_equal(engine.outcome, reference.outcome)
    assert np.allclose(engine.wait, reference.wait, equal_nan=True)
