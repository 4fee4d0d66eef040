"""Erlang A against an independent birth-death chain solved with linear algebra."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from omnicenter.planning.erlang import asa, erlang_c, service_level
from omnicenter.planning.erlang_a import agents_for_erlang_a, erlang_a


def chain_reference(
    n: int, lam: float, aht: float, patience: float, t: float, k_max: int = 400
) -> dict[str, float]:
    """M/M/n+M truncated at k_max in system; tagged-customer chain for the waiting figures."""
    mu, th = 1.0 / aht, 1.0 / patience
    down = np.array([min(k, n) * mu + max(k - n, 0) * th for k in range(1, k_max + 1)])
    log_pi = np.concatenate(([0.0], np.cumsum(np.log(lam) - np.log(down))))
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    q = np.maximum(np.arange(k_max + 1) - n, 0)
    p_wait = pi[n:].sum()
    p_ab = th * (q * pi).sum() / lam
    # Tagged arrival with j ahead: transient states j..0, absorbing "served" and "gone".
    jm = k_max - n
    size = jm + 1
    gen = np.zeros((size + 2, size + 2))
    for i in range(size):
        r = n * mu + i * th
        gen[i, i - 1 if i > 0 else size] = r
        gen[i, size + 1] = th
        gen[i, i] = -(r + th)
    by_t = expm(gen * t)[:size, size]
    trans = gen[:size, :size]
    p_served = np.linalg.solve(-trans, gen[:size, size])
    m = np.linalg.solve(-trans, p_served)  # E[wait; answered] from each start
    w = pi[n:]
    answered_waited = (w * p_served).sum()
    return {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "service_level": pi[:n].sum() + (w * by_t).sum(),
        "asa": (w * m).sum() / (pi[:n].sum() + answered_waited),
        "answered_check": 1.0 - pi[:n].sum() - answered_waited,
    }


CASES = [
    (10, 1 / 18, 180.0, 120.0, 20.0),
    (5, 1 / 18, 180.0, 120.0, 20.0),  # overloaded: a = 10 > 5 agents
    (30, 0.2, 120.0, 60.0, 30.0),
    (3, 0.1, 60.0, 300.0, 10.0),  # a = 6, long patience
    (50, 0.4, 150.0, 45.0, 20.0),
]


@pytest.mark.parametrize(("n", "lam", "aht", "patience", "t"), CASES)
def test_matches_birth_death_chain(
    n: int, lam: float, aht: float, patience: float, t: float
) -> None:
    ref = chain_reference(n, lam, aht, patience, t)
    got = erlang_a(n, lam, aht, patience, t)
    assert float(got.p_wait) == pytest.approx(ref["p_wait"], rel=1e-6)
    assert float(got.p_abandon) == pytest.approx(ref["p_abandon"], rel=1e-6)
    assert float(got.p_abandon) == pytest.approx(ref["answered_check"], rel=1e-6)
    assert float(got.service_level) == pytest.approx(ref["service_level"], rel=1e-6)
    assert float(got.asa) == pytest.approx(ref["asa"], rel=1e-6)
    assert float(got.mean_wait) == pytest.approx(float(got.p_abandon) * patience, rel=1e-12)


def test_infinite_patience_is_erlang_c_to_four_digits() -> None:
    got = erlang_a(14, 100 / 1800, 180.0, 1e9, 20.0)
    assert f"{float(got.p_wait):.4g}" == f"{float(erlang_c(14, 10.0)):.4g}"
    assert f"{float(got.service_level):.4g}" == f"{float(service_level(14, 10.0, 180, 20)):.4g}"
    assert f"{float(got.asa):.4g}" == f"{float(asa(14, 10.0, 180.0)):.4g}"


def test_large_center_does_not_overflow() -> None:
    # 2,000 agents, overloaded by 10 %, and a lightly loaded one where P(x, y) underflows.
    got = erlang_a([2000, 2000], [2200 / 300, 500 / 300], 300.0, 60.0, 20.0)
    assert np.all(np.isfinite(got.p_wait)) and np.all(np.isfinite(got.service_level))
    assert 0.09 < float(got.p_abandon[0]) < 0.11  # fluid limit: the excess 10 % abandons
    assert float(got.service_level[1]) == 1.0


def test_no_agents_means_everyone_abandons() -> None:
    got = erlang_a(0, 0.1, 60.0, 30.0, 20.0, with_asa=False)
    assert float(got.p_abandon) == 1.0 and float(got.service_level) == 0.0


@settings(max_examples=40, deadline=None)
@given(
    lam=st.floats(0.001, 2.0),
    aht=st.floats(30.0, 900.0),
    patience=st.floats(10.0, 600.0),
    target=st.floats(0.5, 0.95),
)
def test_staffing_is_minimal(lam: float, aht: float, patience: float, target: float) -> None:
    n = int(agents_for_erlang_a(lam, aht, patience, 20.0, target))
    assert float(erlang_a(n, lam, aht, patience, 20.0, with_asa=False).service_level) >= target
    if n > 0:
        prev = erlang_a(n - 1, lam, aht, patience, 20.0, with_asa=False)
        assert float(prev.service_level) < target


def test_abandon_cap_adds_agents() -> None:
    free = int(agents_for_erlang_a(0.5, 300.0, 60.0, 60.0, 0.5))
    capped = int(agents_for_erlang_a(0.5, 300.0, 60.0, 60.0, 0.5, max_abandon=0.01))
    assert capped > free
    assert float(erlang_a(capped, 0.5, 300.0, 60.0, 60.0, with_asa=False).p_abandon) <= 0.01
