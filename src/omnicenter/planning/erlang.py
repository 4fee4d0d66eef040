"""Erlang B and Erlang C (M/M/c), vectorised over intervals.

Everything takes numpy arrays (or scalars) and broadcasts, so a whole week of intervals
for every channel is one call. Erlang B is evaluated in log space through the Poisson
distribution (`pmf / cdf`), so nothing overflows for thousands of servers; the staffing
search then walks upwards with the stable recursion B(c+1) = aB / (c + 1 + aB).

Units: `traffic` in Erlangs (arrival rate × mean handle time), times in any one unit
(seconds throughout omnicenter), `servers` as integers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = [
    "ArrayLike",
    "BoolArray",
    "FloatArray",
    "IntArray",
    "agents_for_asa",
    "agents_for_service_level",
    "asa",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ArrayLike = float | int | npt.ArrayLike

# Below this Poisson cdf the closed form loses digits; the series takes over (n << a).
_CDF_FLOOR = 1e-250


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _series_inverse_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """1/B = sum_j prod_{i<j} (n - i) / a: converges fast when n is well below a."""
    total = np.ones_like(a)
    term = np.ones_like(a)
    j = 0
    while True:
        term = term * np.maximum(n - j, 0.0) / a
        total += term
        j += 1
        if not np.any(term > 1e-17 * total):
            return total


def erlang_b(servers: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Blocking probability of M/M/c/c: P(all `servers` busy) offered `traffic` Erlangs."""
    n, a = np.broadcast_arrays(_f(servers), _f(traffic))
    out = np.ones(n.shape, dtype=np.float64)  # no servers: everything is blocked
    out[(a <= 0) & (n > 0)] = 0.0
    live = (a > 0) & (n > 0)
    if not np.any(live):
        return out
    nl, al = n[live], a[live]
    cdf = special.pdtr(nl, al)
    log_pmf = nl * np.log(al) - al - special.gammaln(nl + 1.0)
    ok = cdf > _CDF_FLOOR
    res = np.empty_like(nl)
    res[ok] = np.exp(log_pmf[ok]) / cdf[ok]
    if not np.all(ok):
        res[~ok] = 1.0 / _series_inverse_b(nl[~ok], al[~ok])
    out[live] = res
    return out


def _c_from_b(n: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    stable = n > a
    denom = np.where(stable, n - a * (1.0 - b), 1.0)
    return np.where(stable, n * b / denom, 1.0)


def erlang_c(servers: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Probability that a contact waits (M/M/c); 1 when the queue is unstable (c <= a)."""
    n, a = np.broadcast_arrays(_f(servers), _f(traffic))
    return _c_from_b(n, a, erlang_b(n, a))


def _sl_from_c(
    n: FloatArray, a: FloatArray, c: FloatArray, aht: FloatArray, t: FloatArray
) -> FloatArray:
    exponent = -(n - a) * t / aht
    sl = 1.0 - c * np.exp(np.minimum(exponent, 0.0))
    return np.where(n > a, np.maximum(sl, 0.0), 0.0)


def service_level(
    servers: ArrayLike, traffic: ArrayLike, aht: ArrayLike, target_time: ArrayLike
) -> FloatArray:
    """P(wait <= target_time) = 1 - C(c, a) exp(-(c - a) t / aht); 0 when unstable."""
    n, a, h, t = np.broadcast_arrays(_f(servers), _f(traffic), _f(aht), _f(target_time))
    sl = _sl_from_c(n, a, erlang_c(n, a), h, t)
    return np.where(a <= 0, 1.0, sl)


def asa(servers: ArrayLike, traffic: ArrayLike, aht: ArrayLike) -> FloatArray:
    """Average speed of answer C(c, a) aht / (c - a); inf when unstable, 0 without traffic."""
    n, a, h = np.broadcast_arrays(_f(servers), _f(traffic), _f(aht))
    c = erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > a, c * h / (n - a), np.inf)
    return np.where(a <= 0, 0.0, w)


def occupancy(servers: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Share of agent time spent handling contacts: a / c, capped at 1."""
    n, a = np.broadcast_arrays(_f(servers), _f(traffic))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, np.minimum(a / n, 1.0), 0.0)


def _search(
    a: FloatArray, meets: Callable[[FloatArray, FloatArray, FloatArray], BoolArray]
) -> IntArray:
    """Smallest stable c per element for which `meets(c, a, B(c), C(c))` holds.

    Starts at floor(a) + 1 (the first stable count) with a closed-form B, then walks
    every unfinished element up by one using the Erlang B recursion.
    """
    n = np.floor(a) + 1.0
    b = erlang_b(n, a)
    done = np.zeros(a.shape, dtype=bool)
    result = np.zeros(a.shape, dtype=np.int64)
    zero = a <= 0
    done |= zero
    while True:
        c = _c_from_b(n, a, b)
        ok = meets(n, a, c) & ~done
        result[ok] = n[ok].astype(np.int64)
        done |= ok
        if done.all():
            return result
        n = n + 1.0
        ab = a * b
        b = ab / (n + ab)


def agents_for_service_level(
    traffic: ArrayLike,
    aht: ArrayLike,
    target_time: ArrayLike,
    target: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> IntArray:
    """Fewest agents so that P(wait <= target_time) >= target and a / c <= max_occupancy.

    Zero traffic needs zero agents. Targets of 1.0 or above can never be met exactly and
    raise `ValueError`.
    """
    a, h, t, sl, occ = np.broadcast_arrays(
        _f(traffic), _f(aht), _f(target_time), _f(target), _f(max_occupancy)
    )
    if np.any(sl >= 1.0) or np.any(occ <= 0) or np.any(occ > 1):
        raise ValueError("target must be < 1 and max_occupancy in (0, 1]")
    shape = a.shape
    a, h, t, sl, occ = (x.astype(np.float64).ravel() for x in (a, h, t, sl, occ))

    def meets(n: FloatArray, aa: FloatArray, c: FloatArray) -> BoolArray:
        return _sl_from_c(n, aa, c, h, t) >= sl

    by_sl = _search(a, meets)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_occ = np.where(a > 0, np.ceil(a / occ), 0.0).astype(np.int64)
    return np.maximum(by_sl, by_occ).reshape(shape)


def agents_for_asa(
    traffic: ArrayLike, aht: ArrayLike, target_asa: ArrayLike, max_occupancy: ArrayLike = 1.0
) -> IntArray:
    """Fewest agents so that the average speed of answer is at most `target_asa`."""
    a, h, w, occ = np.broadcast_arrays(_f(traffic), _f(aht), _f(target_asa), _f(max_occupancy))
    if np.any(w <= 0) or np.any(occ <= 0) or np.any(occ > 1):
        raise ValueError("target_asa must be > 0 and max_occupancy in (0, 1]")
    shape = a.shape
    a, h, w, occ = (x.astype(np.float64).ravel() for x in (a, h, w, occ))

    def meets(n: FloatArray, aa: FloatArray, c: FloatArray) -> BoolArray:
        return c * h <= w * (n - aa)

    by_asa = _search(a, meets)
    with np.errstate(divide="ignore", invalid="ignore"):
        by_occ = np.where(a > 0, np.ceil(a / occ), 0.0).astype(np.int64)
    return np.maximum(by_asa, by_occ).reshape(shape)
