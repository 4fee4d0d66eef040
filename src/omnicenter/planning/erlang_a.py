"""Erlang A (Palm's M/M/c+M): Erlang C plus customers who give up after an exponential patience.

Closed forms follow Mandelbaum & Zeltyn's summary of the M/M/n+M queue. With x = c·μ/θ and
y = λ/θ (μ = 1/aht, θ = 1/patience) and the Erlang B value E = B(c, λ/μ):

    A(x, y)      = x e^y y^-x γ(x, y)            (γ: lower incomplete gamma)
    P(wait)      = A E / (1 + (A - 1) E)
    P(ab | wait) = 1 / (ρ A) + 1 - 1 / ρ        (ρ = λ / (c μ))
    mean wait    = P(ab) / θ                     (all offered contacts, by Little's law)
    SL(t)        = 1 - P(wait) + P(wait) x [P(x+1, y) - P(x+1, y e^-θt)] / (y P(x, y))

SL(t) counts contacts *answered* within t over all offered: one who abandons before t
fails it. A is evaluated in log space so that overloaded intervals (huge A) never overflow.
The average speed of answer of answered contacts has no closed form; it is the sum over
the queue length an arrival finds (an exact, truncated birth-death sum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from omnicenter.planning.erlang import ArrayLike, FloatArray, IntArray, erlang_b

__all__ = ["ErlangAResult", "agents_for_erlang_a", "erlang_a"]

_EXP_CAP = 700.0


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Per-element figures of an M/M/c+M queue; every field has the broadcast shape."""

    p_wait: FloatArray
    p_abandon: FloatArray
    service_level: FloatArray
    mean_wait: FloatArray  # over all offered contacts, answered or abandoned
    asa: FloatArray  # over answered contacts only
    occupancy: FloatArray


def _kummer(b: FloatArray, z: FloatArray) -> FloatArray:
    """M(1, b, z) = 1 + z/b + z^2/(b(b+1)) + ...; only called with z < b, where it converges."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    k = 0
    while np.any(term > 1e-17 * total):
        term = term * z / (b + k)
        total += term
        k += 1
    return total


def _log_a_and_within(
    x: FloatArray, y: FloatArray, theta_t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """ln A(x, y) and the share of waiting contacts answered within t (θt = `theta_t`).

    Where y >= x the regularised gamma P(x, y) is at least about one half and the gamma
    form is exact; below, P underflows for large x, so the same quantities come from the
    Kummer series (A = M(1, x+1, y); P(a, z) = z^a e^-z M(1, a+1, z) / Γ(a+1)).
    """
    log_a = np.empty_like(x)
    within = np.empty_like(x)
    g = y >= x
    if np.any(g):
        xg, yg, tg = x[g], y[g], theta_t[g]
        p0 = special.gammainc(xg, yg)
        log_a[g] = np.log(xg) + yg - xg * np.log(yg) + special.gammaln(xg) + np.log(p0)
        s_all = special.gammainc(xg + 1.0, yg)
        s_t = special.gammainc(xg + 1.0, yg * np.exp(-tg))
        within[g] = xg * (s_all - s_t) / (yg * p0)
    k = ~g
    if np.any(k):
        xk, yk, tk = x[k], y[k], theta_t[k]
        m_x1 = _kummer(xk + 1.0, yk)
        m_x2 = _kummer(xk + 2.0, yk)
        ys = yk * np.exp(-tk)
        m_x2_t = _kummer(xk + 2.0, ys)
        decay = np.exp(-(xk + 1.0) * tk + yk - ys)
        log_a[k] = np.log(m_x1)
        within[k] = xk / (xk + 1.0) * (m_x2 - decay * m_x2_t) / m_x1
    return log_a, within


def _asa_answered(n: FloatArray, lam: FloatArray, mu: FloatArray, theta: FloatArray) -> FloatArray:
    """E[wait | answered, waited]: sum over j contacts ahead of an arrival that must wait.

    Weight of j waiting is prod_{i<=j} λ/(cμ + iθ); the arrival moves up at rate cμ + iθ
    and leaves at rate θ, so it is answered with prob. prod r_i/(r_i+θ) after a mean time
    sum 1/(r_i+θ).
    """
    out = np.zeros_like(n)
    for idx in np.ndindex(n.shape):
        c, la, m, th = float(n[idx]), float(lam[idx]), float(mu[idx]), float(theta[idx])
        if la <= 0 or c <= 0:
            continue
        y = la / th
        j_max = int(max(0.0, (la - c * m) / th) + 12.0 * np.sqrt(y) + 60.0)
        i = np.arange(j_max + 1, dtype=np.float64)
        r = c * m + i * th
        log_w = np.cumsum(
            np.log(la) - np.log(r + th)
        )  # weight of j waiting ahead, up to a constant
        log_w = np.concatenate(([0.0], log_w[:-1]))
        log_p = np.cumsum(np.log(r) - np.log(r + th))
        t = np.cumsum(1.0 / (r + th))
        w = np.exp(log_w - log_w.max())
        served = w * np.exp(log_p)
        total_served = served.sum()
        out[idx] = (served * t).sum() / total_served if total_served > 0 else 0.0
    return out


def erlang_a(
    servers: ArrayLike,
    arrival_rate: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    target_time: ArrayLike = 20.0,
    *,
    with_asa: bool = True,
) -> ErlangAResult:
    """All Erlang A figures for `servers` agents, `arrival_rate` contacts per time unit."""
    n, lam, h, pat, t = (
        np.asarray(v, dtype=np.float64).copy()
        for v in np.broadcast_arrays(
            *(
                np.asarray(v, dtype=np.float64)
                for v in (servers, arrival_rate, aht, patience, target_time)
            )
        )
    )
    if np.any(h <= 0) or np.any(pat <= 0):
        raise ValueError("aht and patience must be positive")
    mu, theta = 1.0 / h, 1.0 / pat
    a = lam * h
    p_wait = np.ones_like(n)
    p_ab = np.where(lam > 0, 1.0, 0.0)
    sl = np.where(lam > 0, 0.0, 1.0)
    live = (n > 0) & (lam > 0)
    p_wait[lam <= 0] = 0.0
    if np.any(live):
        nl, ll, ml, tl, al, tt = n[live], lam[live], mu[live], theta[live], a[live], t[live]
        x, y = nl * ml / tl, ll / tl
        log_a, within = _log_a_and_within(x, y, tl * tt)
        e = erlang_b(nl, al)
        with np.errstate(divide="ignore"):
            log_e = np.log(e)
        ratio = np.exp(np.clip(-log_a - log_e, -_EXP_CAP, _EXP_CAP))
        pw = 1.0 / (1.0 + (1.0 - e) * ratio)
        rho = al / nl
        inv_rho_a = np.exp(np.clip(-np.log(rho) - log_a, -_EXP_CAP, _EXP_CAP))
        pab_w = np.clip(inv_rho_a + 1.0 - 1.0 / rho, 0.0, 1.0)
        p_wait[live] = pw
        p_ab[live] = pw * pab_w
        sl[live] = np.clip(1.0 - pw + pw * within, 0.0, 1.0)
    mean_wait = p_ab * pat
    asa_v = np.zeros_like(n)
    if with_asa and np.any(live):
        waited = _asa_answered(n, lam, mu, theta)
        answered = 1.0 - p_ab
        with np.errstate(divide="ignore", invalid="ignore"):
            asa_v = np.where(answered > 0, (p_wait - p_ab) * waited / answered, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a * (1.0 - p_ab) / n, 1.0), 0.0)
    return ErlangAResult(p_wait, p_ab, sl, mean_wait, asa_v, occ)


def agents_for_erlang_a(
    arrival_rate: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    target_time: ArrayLike,
    target: ArrayLike,
    max_abandon: ArrayLike = 1.0,
) -> IntArray:
    """Fewest agents with SL(target_time) >= target and P(abandon) <= max_abandon.

    Both figures improve monotonically with agents, so a vectorised bisection suffices.
    """
    lam, h, pat, t, sl, mab = (
        np.asarray(v, dtype=np.float64)
        for v in np.broadcast_arrays(
            *(
                np.asarray(v, dtype=np.float64)
                for v in (arrival_rate, aht, patience, target_time, target, max_abandon)
            )
        )
    )
    if np.any(sl >= 1.0) or np.any(mab <= 0):
        raise ValueError("target must be < 1 and max_abandon > 0")

    def ok(n: FloatArray) -> np.ndarray:
        r = erlang_a(n, lam, h, pat, t, with_asa=False)
        return (r.service_level >= sl) & (r.p_abandon <= mab)

    a = lam * h
    hi = np.ceil(a + 4.0 * np.sqrt(a) + 2.0)
    while True:
        bad = ~ok(hi)
        if not bad.any():
            break
        hi = np.where(bad, hi * 2.0, hi)
    lo = np.zeros_like(hi)  # invariant: lo fails (or is 0), hi meets
    lo_ok = ok(lo)
    while np.any(hi - lo > 1):
        mid = np.floor((lo + hi) / 2.0)
        m_ok = ok(mid)
        hi = np.where(m_ok, mid, hi)
        lo = np.where(m_ok, lo, mid)
    return np.where(lo_ok, lo, hi).astype(np.int64)
