"""Discrete-event simulation of a contact center, driving a router through `RoutingPort`:
by default the live routing engine (`engine_port.EnginePort`), or `ReferenceRouter`.

All randomness is drawn up front with numpy from one seed (arrival times, handle times,
patience), so a run is reproducible and the event loop does no sampling. The loop merges
the sorted arrivals with a heap of timed events (completions, abandonments, shift changes,
router wake-ups) and hands every state change to the router, exactly as the live service
would; the router's assignments start service. Outcomes are recorded per contact, and
KPIs (`sim_kpis`) are computed from those arrays afterwards.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from omnicenter.planning.engine_port import engine_router
from omnicenter.planning.erlang import FloatArray, IntArray
from omnicenter.planning.router_port import Assignment, ReferenceRouter, RoutingPort
from omnicenter.planning.sim_model import ArrivalSpec, CenterModel, QueueSpec

__all__ = [
    "ABANDONED",
    "HANDLED",
    "UNSERVED",
    "RouterFactory",
    "SimResult",
    "engine_router",
    "long_lived_gc",
    "reference_router",
    "simulate",
]

HANDLED, ABANDONED, UNSERVED = 0, 1, 2
_COMPLETE, _ABANDON, _SHIFT_ON, _SHIFT_OFF, _WAKE = 0, 1, 2, 3, 4

RouterFactory = Callable[[CenterModel], RoutingPort]


@dataclass(frozen=True, slots=True)
class SimResult:
    """Per-contact outcomes (index = contact) and per-agent time, for KPIs and charts."""

    model: CenterModel
    arrival: FloatArray
    queue: IntArray
    outcome: IntArray  # HANDLED, ABANDONED or UNSERVED (still waiting when the run ended)
    wait: FloatArray  # until answered or abandoned
    handle: FloatArray  # handle time of handled contacts (nan otherwise)
    agent: IntArray  # who handled it, -1 otherwise
    work: FloatArray  # agent capacity used: handle time / the agent's capacity for the channel
    staffed: FloatArray  # seconds each agent was on shift within [warmup, horizon]
    events: int  # events processed, for throughput figures

    @property
    def contacts(self) -> int:
        return int(self.arrival.size)


def _draw_arrivals(spec: ArrivalSpec, horizon: float, rng: np.random.Generator) -> FloatArray:
    if spec.times is not None:
        t = np.sort(np.asarray(spec.times, dtype=np.float64))
        out: FloatArray = t[(t >= 0) & (t < horizon)]
        return out
    if spec.rates is None:
        raise ValueError(f"arrivals for {spec.queue}: give rates or times")
    parts = []
    for i, rate in enumerate(np.asarray(spec.rates, dtype=np.float64)):
        lo = i * spec.interval_seconds
        if lo >= horizon:
            break
        hi = min(lo + spec.interval_seconds, horizon)
        n = rng.poisson(max(rate, 0.0) * (hi - lo))
        parts.append(np.sort(rng.uniform(lo, hi, n)))
    return np.concatenate(parts) if parts else np.empty(0)


def _draw_handle(q: QueueSpec, n: int, rng: np.random.Generator) -> FloatArray:
    if q.handle_cv == 1.0:
        return rng.exponential(q.handle_time, n)
    if q.handle_cv == 0.0:
        return np.full(n, q.handle_time)
    sigma2 = math.log1p(q.handle_cv**2)
    mu = math.log(q.handle_time) - sigma2 / 2
    return rng.lognormal(mu, math.sqrt(sigma2), n)


def reference_router(model: CenterModel) -> RoutingPort:
    """The textbook `ReferenceRouter`: a fast baseline, not the live rules."""
    return ReferenceRouter(model.queues, model.exclusive_channels)


@contextmanager
def long_lived_gc() -> Iterator[None]:
    """GC as in the live service: what exists before the run is frozen out of the cyclic
    collector's scans and young generations are collected less often. A run allocates
    millions of short-lived objects; default thresholds spend a third of it in gen-2 passes."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def simulate(
    model: CenterModel,
    seed: int = 0,
    router: RouterFactory = engine_router,
    progress: Callable[[float], None] | None = None,
) -> SimResult:
    """Run the model once through `router` (the real routing engine unless told otherwise);
    `progress(fraction of horizon)` is called now and then."""
    with long_lived_gc():
        return _simulate(model, seed, router, progress)


def _simulate(
    model: CenterModel,
    seed: int,
    router: RouterFactory,
    progress: Callable[[float], None] | None,
) -> SimResult:
    model.validate()
    rng = np.random.default_rng(seed)
    qidx = model.queue_index()
    times, queues = [], []
    for spec in model.arrivals:
        t = _draw_arrivals(spec, model.horizon, rng)
        times.append(t)
        queues.append(np.full(t.size, qidx[spec.queue], dtype=np.int64))
    arr_t = np.concatenate(times) if times else np.empty(0)
    arr_q = np.concatenate(queues) if queues else np.empty(0, dtype=np.int64)
    order = np.argsort(arr_t, kind="stable")
    arr_t, arr_q = arr_t[order], arr_q[order]
    n = arr_t.size
    handle = np.empty(n)
    patience = np.full(n, math.inf)
    for i, q in enumerate(model.queues):
        sel = arr_q == i
        k = int(sel.sum())
        handle[sel] = _draw_handle(q, k, rng)
        if q.patience is not None:
            patience[sel] = rng.exponential(q.patience, k)

    r = router(model)
    caps = [[a.cap(q.channel) for q in model.queues] for a in model.agents]
    heap: list[tuple[float, int, int, int]] = []  # (time, seq, kind, payload)
    seq = 0
    for ai, agent_spec in enumerate(model.agents):
        r.add_agent(ai, agent_spec, 0.0)
        for lo, hi in agent_spec.shifts:
            heap.append((lo, seq, _SHIFT_ON, ai))
            heap.append((hi, seq + 1, _SHIFT_OFF, ai))
            seq += 2
    heapq.heapify(heap)

    h_list = handle.tolist()
    t_list = arr_t.tolist()
    q_list = arr_q.tolist()
    p_list = patience.tolist()
    outcome = [UNSERVED] * n
    wait = [math.nan] * n
    agent_of = [-1] * n
    work = [0.0] * n
    started = [False] * n
    push, pop = heapq.heappush, heapq.heappop
    wake_at = math.inf
    events = 0
    step = max(n // 200, 1)

    def start(decisions: list[Assignment], now: float) -> None:
        nonlocal seq
        for task, ag in decisions:
            started[task] = True
            outcome[task] = HANDLED
            wait[task] = now - t_list[task]
            agent_of[task] = ag
            work[task] = h_list[task] / caps[ag][q_list[task]]
            seq += 1
            push(heap, (now + h_list[task], seq, _COMPLETE, task))

    next_wakeup = r.next_wakeup

    def process(now: float, kind: int, payload: int) -> None:
        nonlocal wake_at
        if kind == _COMPLETE:
            d = r.complete(payload, now)
        elif kind == _ABANDON:
            if started[payload]:
                return
            outcome[payload] = ABANDONED
            wait[payload] = now - t_list[payload]
            started[payload] = True  # resolved: no later event may touch it
            d = r.cancel(payload, now)
            if d:  # a router firing its timers first may hand out the leaving contact itself
                d = [pair for pair in d if pair[0] != payload]
        elif kind == _SHIFT_ON:
            d = r.set_available(payload, True, now)
        elif kind == _SHIFT_OFF:
            d = r.set_available(payload, False, now)
        else:
            wake_at = math.inf
            d = r.advance(now)
        if d:
            start(d, now)
        # After every router call, not only after arrivals: a timer the router set (an
        # overflow) must fire at its own time, not at whatever event comes next.
        wk = next_wakeup()
        if wk is not None and wk < wake_at:
            wake_at = wk
            push(heap, (wk, -1, _WAKE, 0))  # -1: timers first at equal times, as the engine does

    for i in range(n):
        now = t_list[i]
        while heap and heap[0][0] <= now:
            et, _, kind, payload = pop(heap)
            process(et, kind, payload)
            events += 1
        d = r.submit(i, q_list[i], now)
        events += 1
        if d:
            start(d, now)
        elif p_list[i] != math.inf:
            seq += 1
            push(heap, (now + p_list[i], seq, _ABANDON, i))
        wk = next_wakeup()
        if wk is not None and wk < wake_at:
            wake_at = wk
            push(heap, (wk, -1, _WAKE, 0))  # -1: timers first at equal times, as the engine does
        if progress is not None and i % step == 0:
            progress(now / model.horizon)
    while heap:  # drain: finish work in progress, let waiting contacts abandon
        et, _, kind, payload = pop(heap)
        process(et, kind, payload)
        events += 1
    if progress is not None:
        progress(1.0)

    lo, hi = model.warmup, model.horizon
    staffed = np.array(
        [sum(max(0.0, min(e, hi) - max(s, lo)) for s, e in a.shifts) for a in model.agents]
    )
    out_arr = np.array(outcome, dtype=np.int64)
    handled = out_arr == HANDLED
    return SimResult(
        model=model,
        arrival=arr_t,
        queue=arr_q,
        outcome=out_arr,
        wait=np.array(wait),
        handle=np.where(handled, handle, np.nan),
        agent=np.array(agent_of, dtype=np.int64),
        work=np.array(work),
        staffed=staffed,
        events=events,
    )
