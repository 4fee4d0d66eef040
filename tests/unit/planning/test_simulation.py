"""The simulator against queueing theory, and its roster, shift and overflow mechanics.

`simulate` drives the real routing engine by default, so the Erlang C and Erlang A checks
validate the engine's queueing (FIFO, longest idle, abandonment) end to end; the same
models are also run through the textbook `ReferenceRouter` baseline."""

from __future__ import annotations

import numpy as np
import pytest

from omnicenter.planning.erlang import asa, erlang_c, service_level
from omnicenter.planning.erlang_a import erlang_a
from omnicenter.planning.router_port import ReferenceRouter, RoutingPort
from omnicenter.planning.sim_kpis import batch_means, kpis, kpis_by_queue, service_level_by_interval
from omnicenter.planning.sim_model import AgentSpec, ArrivalSpec, CenterModel, QueueSpec
from omnicenter.planning.simulation import (
    ABANDONED,
    HANDLED,
    UNSERVED,
    RouterFactory,
    engine_router,
    reference_router,
    simulate,
)

ROUTERS = pytest.mark.parametrize(
    "router", [engine_router, reference_router], ids=["engine", "reference"]
)


def mmc(
    c: int, lam: float, aht: float, horizon: float, patience: float | None = None
) -> CenterModel:
    return CenterModel(
        [QueueSpec("q", "voice", aht, patience=patience)],
        [AgentSpec(f"a{i}", ("q",)) for i in range(c)],
        [ArrivalSpec.constant("q", lam, horizon)],
        horizon,
        warmup=horizon / 20,
    )


def within_ci(values: np.ndarray, theory: float) -> None:
    mean, half = batch_means(values)
    assert abs(mean - theory) <= half, (mean, half, theory)


@ROUTERS
def test_mmc_matches_erlang_c_within_confidence_interval(router: RouterFactory) -> None:
    c, lam, aht = 10, 0.14, 60.0  # a = 8.4 Erlangs, P(wait) about 0.4
    res = simulate(mmc(c, lam, aht, 600_000.0), seed=11, router=router)
    keep = res.arrival >= res.model.warmup
    wait = res.wait[keep]
    a = lam * aht
    within_ci((wait > 0).astype(float), float(erlang_c(c, a)))
    within_ci((wait <= 20).astype(float), float(service_level(c, a, aht, 20)))
    within_ci(wait, float(asa(c, a, aht)))
    k = kpis(res)
    assert k.occupancy == pytest.approx(a / c, rel=0.03)
    assert k.aht == pytest.approx(aht, rel=0.03)


@ROUTERS
def test_mmc_plus_m_matches_erlang_a_within_confidence_interval(router: RouterFactory) -> None:
    c, lam, aht, pat = 8, 0.16, 60.0, 40.0  # overloaded (a = 9.6): abandonment matters
    res = simulate(mmc(c, lam, aht, 300_000.0, patience=pat), seed=5, router=router)
    keep = res.arrival >= res.model.warmup
    theory = erlang_a(c, lam, aht, pat, 20.0)
    out, wait = res.outcome[keep], res.wait[keep]
    within_ci((out == ABANDONED).astype(float), float(theory.p_abandon))
    within_ci(((out == HANDLED) & (wait <= 20)).astype(float), float(theory.service_level))
    within_ci((wait > 0).astype(float), float(theory.p_wait))


def test_same_seed_same_run_other_seed_other_run() -> None:
    model = mmc(5, 0.08, 50.0, 5_000.0, patience=60.0)
    a, b, c = simulate(model, seed=3), simulate(model, seed=3), simulate(model, seed=4)
    assert np.array_equal(a.wait, b.wait, equal_nan=True) and np.array_equal(a.agent, b.agent)
    assert not np.array_equal(a.arrival, c.arrival)


@ROUTERS
def test_overflow_moves_waiting_contacts_to_partner_team(router: RouterFactory) -> None:
    queues = [
        QueueSpec("sales", "voice", 300.0, overflow_to="partner", overflow_after=30.0),
        QueueSpec("partner", "voice", 300.0),
    ]
    agents = [AgentSpec("in1", ("sales",))] + [
        AgentSpec(f"p{i}", ("partner",), partner=True, team="partner") for i in range(5)
    ]
    model = CenterModel(queues, agents, [ArrivalSpec.constant("sales", 0.004, 20_000.0)], 20_000.0)
    res = simulate(model, seed=2, router=router)
    partner_handled = np.isin(res.agent, [1, 2, 3, 4, 5])
    assert partner_handled.any()
    # Nobody waits for a partner much longer than the overflow delay: partners are idle.
    assert np.nanmax(res.wait[partner_handled]) < 200
    assert (res.wait[partner_handled] >= 30.0 - 1e-9).all()


def test_blended_agent_holds_chats_and_emails_but_calls_alone() -> None:
    queues = [
        QueueSpec("call", "voice", 100.0),
        QueueSpec("chat", "chat", 100.0),
        QueueSpec("mail", "email", 100.0),
    ]
    agent = AgentSpec("b", ("call", "chat", "mail"), {"chat": 2, "email": 1}, max_total=3)
    router = ReferenceRouter(queues, frozenset({"voice"}))
    port: RoutingPort = router
    port.add_agent(0, agent, 0.0)
    assert port.set_available(0, True, 0.0) == []
    assert port.submit(1, 1, 0.0) == [(1, 0)]
    assert port.submit(2, 1, 1.0) == [(2, 0)]
    assert port.submit(3, 1, 2.0) == []  # chat capacity 2 reached
    assert port.submit(4, 2, 3.0) == [(4, 0)]  # an email still fits the total of 3
    assert port.submit(5, 0, 4.0) == []  # a call needs the agent free of everything
    assert port.complete(1, 5.0) == [(3, 0)]  # the waiting chat is older than the call
    for t in (2, 3, 4):
        port.complete(t, 6.0)
    # The last release frees the agent completely: the call can start now.
    assert port.advance(6.0) == [] and router.next_wakeup() is None


@ROUTERS
def test_shift_end_stops_new_work_and_idle_queue_is_unserved(router: RouterFactory) -> None:
    queues = [QueueSpec("mail", "email", 60.0)]  # no patience: emails wait for ever
    agents = [AgentSpec("a", ("mail",), shifts=((0.0, 1_000.0),))]
    model = CenterModel(queues, agents, [ArrivalSpec.constant("mail", 0.005, 3_000.0)], 3_000.0)
    res = simulate(model, seed=1, router=router)
    late = res.arrival > 1_000.0
    assert (res.outcome[late] == UNSERVED).all()
    assert (res.outcome[res.arrival < 500.0] == HANDLED).all()
    assert res.staffed.tolist() == [1_000.0]


@ROUTERS
def test_historical_arrivals_are_replayed_and_kpis_per_queue(router: RouterFactory) -> None:
    times = np.array([10.0, 20.0, 30.0, 500.0])
    model = CenterModel(
        [QueueSpec("q", "voice", 5.0, handle_cv=0.0)],
        [AgentSpec("a", ("q",))],
        [ArrivalSpec("q", times=times)],
        1_000.0,
    )
    res = simulate(model, router=router)
    assert res.arrival.tolist() == times.tolist()
    k = kpis_by_queue(res)["q"]
    assert (k.offered, k.handled, k.abandoned) == (4, 4, 0)
    assert k.aht == 5.0 and k.asa == 0.0 and k.service_level == 1.0
    assert k.occupancy == pytest.approx(20.0 / 1_000.0)
    sl = service_level_by_interval(res, 0, interval=250.0)
    assert sl[0] == 1.0 and np.isnan(sl[1]) and sl[2] == 1.0


def test_invalid_model_is_rejected() -> None:
    with pytest.raises(ValueError):
        CenterModel([QueueSpec("q", "voice", 5.0, overflow_to="nope")], [], [], 10.0).validate()
    with pytest.raises(ValueError):
        QueueSpec("q", "voice", 0.0)
