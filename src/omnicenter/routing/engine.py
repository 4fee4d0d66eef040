"""`RoutingEngine`: the event API of the ACD, shared by the live service and the simulator.

Every call takes `now` (seconds since the epoch, UTC, as a float: cheap to compare and add on
the hot path), first fires the timers due by then (offer timeouts, widening, overflow,
wrap-up ends, callbacks, promises, business hours) and returns the decisions taken, in order.
Nothing here reads a clock, does I/O or draws a random number: the same calls give the same
decisions.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from heapq import heappop, heappush
from typing import Any, Final

from omnicenter.domain import Channel, Presence
from omnicenter.routing.config import (
    DEFAULT_HANDLE_TIME,
    OverflowRule,
    RoutingConfig,
    Stage,
    ValueRule,
)
from omnicenter.routing.decisions import (
    AgentStateChanged,
    Assigned,
    CallbackDue,
    CallbackOffered,
    CallbackScheduled,
    ChannelOffered,
    Decision,
    Offered,
    OfferWithdrawn,
    Overflowed,
    PromiseBroken,
    PromiseKept,
    Requeued,
    Transferred,
    Widened,
)
from omnicenter.routing.errors import (
    ClockError,
    ConfigError,
    InvalidTransition,
    RoutingError,
    UnknownAgent,
    UnknownTask,
)
from omnicenter.routing.explain import explain_finished, explain_task, why_not
from omnicenter.routing.matching import Matcher, stage_pool
from omnicenter.routing.skills import Requirement, SkillReq, merge
from omnicenter.routing.snapshots import agent_view, build_snapshot
from omnicenter.routing.specs import AgentSpec, TaskSpec
from omnicenter.routing.state import (
    AVAILABLE,
    CH_INDEX,
    CHANNELS,
    POLICY_NAMES,
    AgentRt,
    Fifo,
    Finished,
    Pool,
    QueueRt,
    TaskRt,
    TaskState,
)
from omnicenter.routing.trail import flush, log
from omnicenter.routing.views import AgentView, Snapshot, TaskView

__all__ = ["RoutingEngine"]

# Module constants are `Final`: the compiled engine then reads them as C constants, not from
# the module's dict at every use (that lookup was a few percent of a decision).
# timer kinds
_OFFER: Final = 0
_STAGE: Final = 1
_TARGET: Final = 2
_WRAP: Final = 3
_CB_DUE: Final = 4
_PROMISE: Final = 5
_HOURS: Final = 6
_UNEXCLUDE: Final = 7
_LANE: Final = 8
_WAITING: Final = TaskState.WAITING
_OFFERED: Final = TaskState.OFFERED
_ASSIGNED: Final = TaskState.ASSIGNED
_SCHEDULED: Final = TaskState.SCHEDULED
_DONE: Final = TaskState.DONE
_CALLBACK: Final = CH_INDEX[Channel.CALLBACK]
_SUPERVISOR: Final = Requirement((), None, frozenset({"supervisor"}))
_EWMA: Final = 0.1  # weight of the newest handle time in the running average
_MAX_HOPS: Final = 8  # overflow chains longer than this stop (a loop in the configuration)
# Widening fires before any other timer due at the same instant: a task is eligible from the
# very second it widens, whatever else happens then (an agent freed at that second sees it).
_EARLY: Final = 1 << 60


class RoutingEngine(Matcher):
    """Pure, deterministic routing of tasks to agents. See docs/routing.md."""

    def __init__(self, config: RoutingConfig | Mapping[str, Any], now: float = 0.0) -> None:
        super().__init__()
        self._now = now
        self._timers: list[tuple[float, int, int, Any, int]] = []
        self._tseq = 0
        self._seq = 0
        self._offers = 0
        self._by_id: dict[str, AgentRt] = {}
        self._tasks: dict[str, TaskRt] = {}  # the live tasks by id
        # What is kept of the last `history_limit` finished tasks, a ring of records reused in
        # place, looked up by a scan (`_finished`): finishing a task updates no index. Only
        # `task()` and `explain()` look there, a person's question, not a decision.
        self._done: list[Finished] = []
        self._done_at = 0  # the ring's oldest slot once it is full
        self._history_limit = 0
        self._last_agent: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._queues: dict[str, QueueRt] = {}
        self._pcache: dict[tuple[Any, ...], tuple[Pool, ...]] = {}
        self._hours_gen = 0
        self._apply_config(_as_config(config), now)

    def __del__(self) -> None:
        """Let go of every task: tasks are not tracked by the cyclic collector (see
        `TaskRt`), so the cycles they close (with agents, lanes, pools) are opened here."""
        self._tasks.clear()
        self._timers.clear()
        for a in self._agents:
            if a is not None:
                a.tasks = []
                a.personal = []
        for p in self._pools.values():
            p.tasks = []
        for q in self._queues.values():
            for lanes in q.lanes:
                if lanes is not None:
                    for fifo in lanes.fifos:
                        fifo.items = []
                        fifo.head = None

    # --- configuration -------------------------------------------------------------------------

    @property
    def config(self) -> RoutingConfig:
        return self._config

    def _apply_config(self, config: RoutingConfig, now: float) -> None:
        self._config = config
        settings = config.engine
        self._timeout = settings.offer_timeout
        self._weight = settings.aging if settings.aging > 0 else 1e12  # 0: strict priority
        self._xmask = sum(
            1 << ci for ci, ch in enumerate(CHANNELS) if ch in settings.exclusive_channels
        )
        self._rules = config.value_rules
        if settings.history_limit != self._history_limit:
            self._trim_done(settings.history_limit)
        self._history_limit = settings.history_limit
        for name, qcfg in config.queues.items():
            if name in self._queues:
                self._queues[name].apply(qcfg)
            else:
                self._queues[name] = QueueRt(qcfg)
        self._hours_gen += 1
        for q in self._queues.values():
            q.open_until = -1.0
            if q.cfg.hours is not None and any(r.when == "closed" for r in q.cfg.overflow):
                self._timer(q.cfg.hours.next_change(now), _HOURS, q, self._hours_gen)

    def reconfigure(self, config: RoutingConfig | Mapping[str, Any], now: float) -> list[Decision]:
        """Apply a new configuration without a restart; waiting tasks keep their place.

        Tasks of a queue that disappears move to `engine.default_queue` (a ConfigError if
        there is none). Indexes are rebuilt, then every free agent looks for work.
        """
        out = self._tick(now)
        new = _as_config(config)
        fallback = new.engine.default_queue
        for name, q in self._queues.items():
            if name not in new.queues and self._held_in(q) and fallback is None:
                raise ConfigError(
                    f"queues.{name}", "queue still has tasks and engine.default_queue is not set"
                )
        removed = [name for name in self._queues if name not in new.queues]
        self._apply_config(new, now)
        for name in removed:
            old = self._queues.pop(name)
            for t in self._live():
                if t.q is old and fallback is not None:
                    filed = t.filed
                    if filed:
                        self._unfile(t)
                    t.q, t.stage, t.stage_base = self._queues[fallback], 0, now
                    if filed:
                        self._file(t)
        # rebuild every index from scratch; the old pools' heaps hold only stale entries now
        # (every waiting task is filed again): emptied, they keep no task alive
        for p in self._pools.values():
            p.tasks = []
        self._pools.clear()
        self._skill_pools.clear()
        self._open_pools.clear()
        self._pcache.clear()
        for q in self._queues.values():
            q.pcache.clear()
            for lanes in q.lanes:
                if lanes is not None:
                    for fifo in lanes.fifos:
                        fifo.gen += 1  # its head timer is void
            q.lanes = [None] * len(CHANNELS)
        for a in self._agents:
            if a is not None:
                a.pools = [() for _ in CHANNELS]
                a.views = ()
                filed = a.pushed == a.ver
                self._stale(a)
                if filed:  # the new pools are seeded in filing order: idle time is kept
                    a.pushed = a.ver
        for a in self._agents:
            if a is not None:
                self._index_agent(a)
        for t in sorted(self._live(), key=lambda t: t.seq):
            t.rank = t.deadline - t.prio * self._weight  # the aging weight may have changed
            if t.filed and t.target is None:
                t.pools = self._pools_for(t)
                self._file(t)
        for a in self._agents:
            if a is not None and a.routable:
                self._improved(a, now, out)
        return out

    def _held_in(self, q: QueueRt) -> bool:
        return any(t.q is q for t in self._live())

    def _live(self) -> list[TaskRt]:
        return list(self._tasks.values())

    # --- clock and timers ----------------------------------------------------------------------

    def _timer(self, due: float, kind: int, obj: Any, token: int) -> None:
        self._tseq += 1
        seq = self._tseq - _EARLY if kind in (_LANE, _STAGE) else self._tseq
        heappush(self._timers, (due, seq, kind, obj, token))

    def next_timer(self) -> float | None:
        """When the next timer is due: call `advance` then (the live service's sleep target)."""
        return self._timers[0][0] if self._timers else None

    def _tick(self, now: float) -> list[Decision]:
        if now < self._now:
            raise ClockError(f"time went backwards: {now} < {self._now}")
        out: list[Decision] = []
        timers = self._timers
        while timers and timers[0][0] <= now:
            due, _, kind, obj, token = heappop(timers)
            self._now = due
            self._fire(kind, obj, token, due, out)
        self._now = now
        return out

    def advance(self, now: float) -> list[Decision]:
        """Fire every timer due by `now`."""
        return self._tick(now)

    def _fire(self, kind: int, obj: Any, token: int, now: float, out: list[Decision]) -> None:
        if kind == _OFFER:
            t: TaskRt = obj
            if t.state == _OFFERED and t.ver == token and t.agent is not None:
                self._offer_timed_out(t, t.agent, now, out)
        elif kind == _STAGE:
            t = obj
            if t.state == _WAITING and t.stage_gen == token and t.target is None and t.filed:
                self._enqueue(t, now, out)
        elif kind == _TARGET:
            t = obj
            if t.state == _WAITING and t.ver == token and t.target is not None:
                t.target = None
                self._enqueue(t, now, out)
        elif kind == _WRAP:
            a: AgentRt = obj
            if (
                a.wrap_gen == token
                and a.wrap_until
                and a.idx < len(self._agents)
                and self._agents[a.idx] is a
            ):
                a.wrap_until = 0.0
                a.routable = a.presence is AVAILABLE
                out.append(AgentStateChanged("", now, a.id, a.presence, "wrap-up ended"))
                self._improved(a, now, out)
        elif kind == _CB_DUE:
            t = obj
            if t.state == _SCHEDULED and t.ver == token:
                self._callback_due(t, now, out)
        elif kind == _PROMISE:
            t = obj
            if (
                t.promise_gen == token
                and t.promise_due is not None
                and t.state in (_WAITING, _OFFERED, _SCHEDULED)
            ):
                out.append(PromiseBroken(t.id, now, t.promise_due))
                log(t, out[-1])
                t.promise_due = None
        elif kind == _HOURS:
            self._hours_changed(obj, token, now, out)
        elif kind == _LANE:
            fifo: Fifo = obj
            if fifo.gen == token:
                self._lane_due(fifo, now, out)
        elif kind == _UNEXCLUDE:
            t = obj
            if t.excluded:
                for idx in [i for i, until in t.excluded.items() if until <= now]:
                    del t.excluded[idx]
                if t.state == _WAITING and t.filed and t.target is None:
                    self._enqueue(t, now, out)

    # --- agents --------------------------------------------------------------------------------

    def _agent(self, agent_id: str) -> AgentRt:
        a = self._by_id.get(agent_id)
        if a is None:
            raise UnknownAgent(agent_id)
        return a

    def add_agent(
        self, spec: AgentSpec, now: float, presence: Presence = Presence.AVAILABLE
    ) -> list[Decision]:
        """Register an agent (at login); with `presence` available they get work at once."""
        out = self._tick(now)
        if spec.id in self._by_id:
            raise InvalidTransition(f"agent {spec.id!r} already added")
        a = AgentRt(spec, len(self._agents), now)
        self._agents.append(a)
        self._vlow.append(0)
        self._by_id[a.id] = a
        self._index_agent(a)
        self._set_presence(a, presence, None, now, out)
        return out

    def update_agent(self, spec: AgentSpec, now: float) -> list[Decision]:
        """New skills, capacity, team or role; tasks in hand stay, indexes follow."""
        out = self._tick(now)
        a = self._agent(spec.id)
        self._unindex_agent(a)
        a.apply_spec(spec)
        self._index_agent(a)
        self._improved(a, now, out)
        return out

    def set_capacity(
        self,
        agent_id: str,
        capacity: Mapping[Channel, int],
        now: float,
        *,
        max_total: int | None = None,
    ) -> list[Decision]:
        """New capacity per channel (and total); over-capacity work in hand is kept."""
        a = self._agent(agent_id)
        spec = dataclasses.replace(
            a.spec,
            capacity=dict(capacity),
            max_total=max_total if max_total is not None else a.spec.max_total,
        )
        return self.update_agent(spec, now)

    def remove_agent(self, agent_id: str, now: float) -> list[Decision]:
        """Log an agent out for good: their offers and tasks in hand go back to the queue."""
        out = self._tick(now)
        a = self._agent(agent_id)
        self._set_presence(a, Presence.OFFLINE, "removed", now, out)
        for t in list(a.tasks):
            if t is None:
                continue
            if t.agent is a:
                self._requeue(t, a, "agent removed", now, out, exclude=False)
            elif t.warm_from is a:
                self._release(a, t, now)
                t.warm_from = None
        for t, v in a.personal:
            if t.ver == v and t.state == _WAITING:
                t.target = None
                self._enqueue(t, now, out)
        a.personal = []
        self._unindex_agent(a)
        self._agents[a.idx] = None
        del self._by_id[agent_id]
        return out

    def set_presence(
        self, agent_id: str, presence: Presence, now: float, reason: str | None = None
    ) -> list[Decision]:
        """Agent-declared state. `available` ends a wrap-up early; busy, away and offline take
        no new work (an outstanding offer goes back to the queue); tasks in hand stay."""
        out = self._tick(now)
        self._set_presence(self._agent(agent_id), presence, reason, now, out)
        return out

    def _set_presence(
        self, a: AgentRt, presence: Presence, reason: str | None, now: float, out: list[Decision]
    ) -> None:
        was_staffed = a.staffed
        a.presence = presence
        a.reason = reason
        if was_staffed != a.staffed:
            self._staff(a, 1 if a.staffed else -1)
        if presence is AVAILABLE:
            a.wrap_until = 0.0
            a.wrap_gen += 1
            a.routable = True
            self._improved(a, now, out)
            return
        a.routable = False
        self._stale(a)
        a.room = 0
        for t in list(a.tasks):
            if t is not None and t.state == _OFFERED and t.agent is a:
                self._requeue(t, a, f"agent {presence.value}", now, out, exclude=False)

    def _improved(self, a: AgentRt, now: float, out: list[Decision]) -> None:
        """The agent may take more work than before: fill it from the queues, then file it
        (anew if it changed: a caller that changed its load bumped its version)."""
        room = self._room(a)
        if room != a.room:
            self._stale(a)
            a.room = room
        if not room:
            return
        while a.room:
            t = self._find_task(a)
            if t is None:
                break
            lanes, pool = self._found_lanes, self._found_pool
            if lanes is None and pool is None:
                self._assign(t, a, t.target_rule, t.override or Requirement(), now, out)
            else:
                if t.fifo is not None:
                    self._sync(t, now, out)
                # the task's own order of pools, not the agent's (which depends on when
                # pools were created), names the requirement: explanations stay deterministic.
                # One pool (the common case) is the agent's: stages only widen.
                pools = t.pools
                named = pools[0] if len(pools) == 1 else _first_shared(pools, a.pools[t.ci])
                if named is None:
                    named = pool if lanes is None else stage_pool(lanes, self._found_stage, a)
                    assert named is not None
                self._assign(t, a, "queue order", named.req, now, out)
        if a.room and a.pushed != a.ver:
            self._push_agent(a)

    def _release(self, a: AgentRt, t: TaskRt, now: float) -> None:
        ci = t.ci
        at = ci << 3
        loads = a.loads - (1 << at)
        a.loads = loads
        if loads >> at & 255 < a.caps >> at & 255:
            a.full &= ~(1 << ci)
        a.total -= 1
        if self._xmask >> ci & 1:
            a.excl -= 1
        _drop(a, t)
        a.since = now
        self._stale(a)  # its place in the pools changes

    # --- tasks ---------------------------------------------------------------------------------

    def _task(self, task_id: str) -> TaskRt:
        t = self._tasks.get(task_id)
        if t is None:
            raise UnknownTask(task_id)
        return t

    def submit(self, spec: TaskSpec, now: float) -> list[Decision]:
        """A new task: value rules, arrival overflow, sticky agent, then an agent or a place."""
        timers = self._timers
        if (timers and timers[0][0] <= now) or now < self._now:
            out = self._tick(now)
        else:
            out = []
            self._now = now
        q = self._queues.get(spec.queue)
        if q is None:
            fallback = self._config.engine.default_queue
            if fallback is None:
                raise RoutingError(f"unknown queue {spec.queue!r}")
            q = self._queues[fallback]
        seq = self._seq + 1
        t = TaskRt(spec, q, seq, now if spec.arrived_at is None else spec.arrived_at)
        if q.cfg.channels is not None:
            self._check_channel(q, t.ci)
        if self._tasks.setdefault(t.id, t) is not t:  # one lookup to check and to file
            raise InvalidTransition(f"task {spec.id!r} already submitted")
        self._seq = seq
        offer_rule = self._apply_value_rules(t, spec, now) if self._rules else None
        # rank before overflow: a partner queue keeps the same SLA clock
        t.deadline = t.arrival + q.within[t.ci]
        t.rank = t.deadline - t.prio * self._weight
        if q.cfg.overflow:
            self._arrival_overflow(t, now, out)
        if spec.callback_at is not None:
            self._schedule_callback(t, spec.callback_at, now, out)
            return out
        if (t.x is None or t.x.target is None) and self._config.sticky.window > 0:
            self._sticky(t, spec, now)
        self._enqueue(t, now, out)
        if t.state == _WAITING and (offer_rule is not None or t.q.cfg.callback is not None):
            self._arrival_offers(t, offer_rule, now, out)
        return out

    def _check_channel(self, q: QueueRt, ci: int) -> None:
        channels = q.cfg.channels
        if channels is not None and CHANNELS[ci] not in channels:
            raise RoutingError(f"queue {q.name!r} does not take {CHANNELS[ci].value}")

    def _set_rank(self, t: TaskRt, arrival: float) -> None:
        """Priority, SLA deadline and aging in one number: a task of priority p ranks as if
        its deadline were p x `aging` seconds earlier, so a low priority task overtakes newer
        higher ones after waiting that long: priority first, then deadline, and no starvation."""
        t.deadline = arrival + t.q.within[t.ci]
        t.rank = t.deadline - t.prio * self._weight

    def _apply_value_rules(self, t: TaskRt, spec: TaskSpec, now: float) -> ValueRule | None:
        offer: ValueRule | None = None
        for rule in self._rules:
            if not rule.applies(spec.customer_value, spec.segment, t.q.name, spec.channel):
                continue
            t.prio += rule.priority_boost
            if rule.require:
                t.xreq = merge((*t.xreq, *rule.require))
            if rule.prefer:
                t.xpref = merge((*t.xpref, *rule.prefer))
            if rule.personal_agent and spec.personal_agent_id in self._by_id and t.target is None:
                t.target = self._by_id[spec.personal_agent_id]
                t.target_rule = f"personal agent ({rule.name})"
                t.target_until = now + self._config.sticky.window
            if rule.offer_channels and offer is None:
                offer = rule
        return offer

    def _sticky(self, t: TaskRt, spec: TaskSpec, now: float) -> None:
        sticky = self._config.sticky
        last: tuple[str, float] | None = None
        if spec.last_agent_id is not None and spec.last_handled_at is not None:
            last = (spec.last_agent_id, spec.last_handled_at)
        elif spec.case_id is not None:
            last = self._last_agent.get(spec.case_id)
        if last is None or now - last[1] > sticky.memory or last[0] not in self._by_id:
            return
        t.target = self._by_id[last[0]]
        t.target_rule = "sticky"
        t.target_until = now + sticky.window

    def _arrival_overflow(self, t: TaskRt, now: float, out: list[Decision]) -> None:
        for _ in range(_MAX_HOPS):
            rule = self._overflow_now(t.q, t.ci, now)
            if rule is None:
                return
            reason, to = rule
            if not self._move(t, self._queues[to], reason, now, out):
                return

    def _overflow_now(self, q: QueueRt, ci: int, now: float) -> tuple[str, str] | None:
        for rule in q.cfg.overflow:
            if rule.when == "closed" and q.cfg.hours is not None and not self._is_open(q, now):
                return f"closed ({q.cfg.hours.describe(now)})", rule.to
            if rule.when == "load":
                waiting = q.stats[ci].waiting
                if rule.waiting_over is not None and waiting > rule.waiting_over:
                    return f"{waiting} waiting > {rule.waiting_over}", rule.to
                if rule.ewt_over is not None:
                    ewt = self._ewt(q, ci, waiting)
                    if ewt is None or ewt > rule.ewt_over:
                        shown = "no agent staffed" if ewt is None else f"estimated wait {ewt:.0f} s"
                        return f"{shown} > {rule.ewt_over:.0f} s", rule.to
        return None

    def _is_open(self, q: QueueRt, now: float) -> bool:
        hours = q.cfg.hours
        if hours is None:
            return True
        if now >= q.open_until or now < q.open_until - 14 * 86400:
            q.open_state = hours.is_open(now)
            q.open_until = hours.next_change(now)
        return q.open_state

    def _hours_changed(self, q: QueueRt, token: int, now: float, out: list[Decision]) -> None:
        if token != self._hours_gen or self._queues.get(q.name) is not q or q.cfg.hours is None:
            return
        q.open_until = -1.0
        if not self._is_open(q, now):
            waiting = [t for t in self._live() if t.q is q and t.filed]
            for t in sorted(waiting, key=lambda t: (t.rank, t.seq)):
                found = self._overflow_now(q, t.ci, now)
                closed = found is not None and found[0].startswith("closed")
                if (
                    found is not None
                    and closed
                    and self._move(t, self._queues[found[1]], found[0], now, out)
                ):
                    self._enqueue(t, now, out)
        self._timer(q.cfg.hours.next_change(now), _HOURS, q, token)

    def _move(self, t: TaskRt, to: QueueRt, reason: str, now: float, out: list[Decision]) -> bool:
        """Overflow: the task changes queue and keeps its rank (its place and its SLA clock).

        False (and no move) when the target queue does not take the task's channel."""
        if to.cfg.channels is not None and CHANNELS[t.ci] not in to.cfg.channels:
            return False
        filed = t.filed
        if filed:
            self._unfile(t)
        frm = t.q
        t.q = to
        t.stage = 0
        t.stage_base = now
        t.stage_gen += 1
        decision = Overflowed(t.id, now, frm.name, to.name, reason)
        out.append(decision)
        log(t, decision)
        return True

    # --- the waiting line ----------------------------------------------------------------------

    def _enqueue(self, t: TaskRt, now: float, out: list[Decision]) -> None:
        """The task waits from now on: apply due widening, then find an agent or file it."""
        t.state = _WAITING
        afters = t.q.afters
        if t.stage < len(afters) and t.stage_base + afters[t.stage] <= now:
            self._catch_up(t, now, out)
        x = t.x
        a = None if x is None else x.target
        if a is not None:
            if now < t.target_until and self._agents[a.idx] is a:
                if a.room >> t.ci & 1 and not (t.excluded and a.idx in t.excluded):
                    self._assign(t, a, t.target_rule, Requirement(), now, out)
                    if a.room:
                        self._push_agent(a)
                    return
                self._unfile(t)
                t.filed = True
                t.q.stats[t.ci].waiting += 1
                a.personal.append((t, t.ver))
                self._timer(t.target_until, _TARGET, t, t.ver)
                return
            t.target = None
        t.pools = self._pools_for(t)
        found = self._find_agent(t)
        if found is not None:
            agent, pool = found
            self._assign(t, agent, POLICY_NAMES[pool.policy], pool.req, now, out)
            if agent.room:
                self._push_agent(agent)
            return
        if t.fifo is not None:
            return  # a task in a lane keeps its place there as it widens; its lane times it
        if self._file(t):
            return
        afters = t.q.afters
        if t.stage < len(afters):
            t.stage_gen += 1
            self._timer(t.stage_base + afters[t.stage], _STAGE, t, t.stage_gen)

    # --- lanes: widening without moving tasks (see state.Lanes) ----------------------------------

    def _head_changed(self, fifo: Fifo) -> None:
        """A lane has a new head (or none): time its next widening step."""
        t = fifo.refresh()
        fifo.gen += 1
        if t is None:
            return
        afters, now, k = t.q.afters, self._now, t.stage
        while k < len(afters) and t.stage_base + afters[k] <= now:
            k += 1
        if k < len(afters):
            self._timer(t.stage_base + afters[k], _LANE, fifo, fifo.gen)

    def _lane_due(self, fifo: Fifo, now: float, out: list[Decision]) -> None:
        """The head of a lane widens: someone free may take it now."""
        t = fifo.refresh()
        if t is None:
            return
        self._sync(t, now, out)
        while t.fifo is fifo and (found := self._find_agent(t)) is not None:
            # the agent takes its best task: this one, or another that widened this second
            decided = len(out)
            self._improved(found[0], now, out)
            if len(out) == decided:
                break  # (cannot happen: the agent may take this task)
        if t.fifo is fifo:
            self._head_changed(fifo)  # time its next step

    def _sync(self, t: TaskRt, now: float, out: list[Decision]) -> None:
        """Record the widening steps a task in a lane has taken by now (each at its time)."""
        q, fifo = t.q, t.fifo
        afters = q.afters
        while t.stage < len(afters) and t.stage_base + afters[t.stage] <= now:
            at = t.stage_base + afters[t.stage]
            stage = t.stage = t.stage + 1
            if fifo is None:
                t.pools = self._stage_pools(q, t.ci, stage)
                decision = Widened(t.id, at, stage, t.pools[0].req, q.stage_texts[stage - 1])
                out.append(decision)
                log(t, decision)
                continue
            # the lane holds its stages' pools: no cache lookup. The step joins the task's
            # history as a pending field (see `trail`): no object kept for minutes.
            lanes = fifo.lanes
            t.pools = lanes.stages[stage]
            out.append(Widened(t.id, at, stage, t.pools[0].req, q.stage_texts[stage - 1]))
            if (
                t.w_lanes is lanes
                and t.w_to == stage - 1
                and t.w_base == t.stage_base
                and t.a_rule is None
            ):
                t.w_to = stage
            else:
                if t.w_lanes is not None or t.a_rule is not None:
                    flush(t)
                t.w_lanes, t.w_from, t.w_to, t.w_base = lanes, stage, stage, t.stage_base

    def _catch_up(self, t: TaskRt, now: float, out: list[Decision]) -> None:
        for _ in range(_MAX_HOPS * 4):
            events = t.q.events
            if t.stage >= len(events) or t.stage_base + _after(events[t.stage]) > now:
                return
            event = events[t.stage]
            if isinstance(event, Stage):
                t.stage += 1
                t.pools = self._pools_for(t)
                decision = Widened(t.id, now, t.stage, t.pools[0].req, t.q.stage_texts[t.stage - 1])
                out.append(decision)
                log(t, decision)
            elif not self._move(
                t, self._queues[event.to], f"waited {now - t.stage_base:.0f} s", now, out
            ):
                t.stage += 1

    def _pools_for(self, t: TaskRt) -> tuple[Pool, ...]:
        """The pools a waiting task is filed in: its requirement after widening, plus the
        queues a widening step added. Cached per distinct requirement."""
        x = t.x
        if x is None or (not x.xreq and not x.xpref and x.override is None):  # a plain task
            return self._stage_pools(t.q, t.ci, t.stage)
        key = (t.q.name, t.ci, t.stage, t.xreq, t.xpref, t.override)
        pools = self._pcache.get(key)
        if pools is None:
            pools = self._pcache[key] = self._build_pools(
                t.q, t.ci, t.stage, t.xreq, t.xpref, t.override
            )
        return pools

    def _stage_pools(self, q: QueueRt, ci: int, stage: int) -> tuple[Pool, ...]:
        """The pools of a plain task of the queue (no skills of its own) at a stage."""
        key = stage * _NCH + ci
        cache = q.pcache
        if key < len(cache):
            pools = cache[key]
            if pools is not None:
                return pools
        else:
            cache.extend([None] * (key + 1 - len(cache)))
        built = cache[key] = self._build_pools(q, ci, stage, (), (), None)
        return built

    def _build_pools(
        self,
        q: QueueRt,
        ci: int,
        stage: int,
        xreq: tuple[SkillReq, ...],
        xpref: tuple[SkillReq, ...],
        override: Requirement | None,
    ) -> tuple[Pool, ...]:
        if override is not None:
            return (self._pool(override, ci, q.policy),)
        cfg = q.cfg
        drop, lower, others = False, 0, list[str]()
        for event in q.events[:stage]:
            if isinstance(event, Stage):
                drop = drop or event.drop_preferred
                lower += event.lower_levels
                others += event.queues
        required = merge((*cfg.skills, *xreq))
        skills = required if drop else merge((*required, *cfg.preferred, *xpref))
        pools = [self._pool(Requirement(skills, cfg.teams, cfg.roles).lowered(lower), ci, q.policy)]
        for name in others:
            other = self._queues[name]
            if other.cfg.channels is None or CHANNELS[ci] in other.cfg.channels:
                req = Requirement(
                    merge((*other.cfg.skills, *xreq)), other.cfg.teams, other.cfg.roles
                )
                pools.append(self._pool(req.lowered(lower), ci, other.policy))
        return tuple(dict.fromkeys(pools))

    # --- offers and assignments ----------------------------------------------------------------

    def _assign(
        self, t: TaskRt, a: AgentRt, rule: str, req: Requirement, now: float, out: list[Decision]
    ) -> None:
        if t.filed:
            self._unfile(t)
        else:
            t.ver += 1
        ci = t.ci
        x = t.x  # (most tasks have no extras: one check for all of them)
        if x is not None and x.warm_from is a:
            # a warm transfer nobody else took comes back to the agent holding it: the
            # capacity it holds is the task's (counting it again would be released twice)
            x.warm_from = None
        else:
            at = ci << 3
            loads = a.loads + (1 << at)
            a.loads = loads
            if loads >> at & 255 >= a.caps >> at & 255:
                a.full |= 1 << ci
            a.total += 1
            if self._xmask >> ci & 1:
                a.excl += 1
            t.hand = len(a.tasks)
            a.tasks.append(t)
        idle = a.since
        a.since = now
        self._offers += 1
        a.last_offer = self._offers
        a.room = self._room(a)
        self._stale(a)  # filed anew (if it has room left) by the caller, once it is done with it
        a.offered += 1
        t.agent = a
        if x is not None:
            x.target = None
        t.attempt += 1
        excluded = (
            self._explain_candidates(t, a, req, now)
            if self._config.engine.explain_candidates
            else ()
        )
        scope = "limited" if a.partner or t.q.limited else "full"
        channel = CHANNELS[ci]
        decision: Decision
        if self._timeout > 0:
            t.state = _OFFERED
            t.offered_at = now
            expires = now + self._timeout
            self._timer(expires, _OFFER, t, t.ver)
            decision = Offered(
                t.id, now, a.id, expires, t.attempt, rule, req, channel, idle, scope, excluded
            )
            out.append(decision)
            log(t, decision)
        else:
            out.append(Assigned(t.id, now, a.id, rule, req, channel, idle, scope, excluded))
            if t.a_rule is not None:
                flush(t)
            # pending in the task's history (see `trail`), not an object kept for minutes
            t.a_rule, t.a_agent, t.a_ci, t.a_req = rule, a.id, ci, req
            t.a_idle, t.a_scope, t.a_excl = idle, scope, excluded
            t.state = _ASSIGNED
            t.assigned_at = now
            a.accepted += 1
            stats = t.q.stats[ci]
            stats.answered += 1
            if now <= t.deadline:
                stats.in_sla += 1
            if x is not None and (x.promise_due is not None or x.warm_from is not None):
                self._answered_extra(t, now, out)

    def _answered(self, t: TaskRt, a: AgentRt, now: float, out: list[Decision]) -> None:
        t.state = _ASSIGNED
        t.assigned_at = now
        a.accepted += 1
        stats = t.q.stats[t.ci]
        stats.answered += 1
        if now <= t.deadline:
            stats.in_sla += 1
        self._answered_extra(t, now, out)

    def _answered_extra(self, t: TaskRt, now: float, out: list[Decision]) -> None:
        if t.promise_due is not None:
            t.promise_gen += 1
            if now <= t.promise_due:
                out.append(PromiseKept(t.id, now, t.promise_due))
                log(t, out[-1])
            t.promise_due = None
        if t.warm_from is not None:
            w, t.warm_from = t.warm_from, None
            self._release(w, t, now)
            self._improved(w, now, out)

    def accept(self, task_id: str, agent_id: str, now: float) -> list[Decision]:
        out = self._tick(now)
        t = self._task(task_id)
        a = self._offered_to(t, agent_id)
        t.ver += 1  # cancels the offer timer
        offer = _last_offer(t)
        decision = Assigned(
            t.id, now, a.id, offer.rule, offer.requirement, offer.channel, offer.idle_since,
            offer.data_scope, offer.excluded,
        )  # fmt: skip
        out.append(decision)
        log(t, decision)
        self._answered(t, a, now, out)
        return out

    def reject(self, task_id: str, agent_id: str, now: float) -> list[Decision]:
        """The agent declines: the task goes back with its place, not to them for a while."""
        out = self._tick(now)
        t = self._task(task_id)
        a = self._offered_to(t, agent_id)
        a.rejected += 1
        self._requeue(t, a, "rejected", now, out, exclude=True)
        return out

    def _offered_to(self, t: TaskRt, agent_id: str) -> AgentRt:
        if t.state != _OFFERED or t.agent is None or t.agent.id != agent_id:
            raise InvalidTransition(f"task {t.id!r} is not offered to {agent_id!r}")
        return t.agent

    def _offer_timed_out(self, t: TaskRt, a: AgentRt, now: float, out: list[Decision]) -> None:
        a.missed += 1
        away = self._config.engine.on_offer_timeout == "away"
        if away:  # stop routing to the agent before the task looks for someone else
            a.routable = False
            self._stale(a)
            a.room = 0
        self._requeue(t, a, "offer timed out", now, out, exclude=True)
        if away:
            out.append(AgentStateChanged(t.id, now, a.id, Presence.AWAY, "missed offer"))
            self._set_presence(a, Presence.AWAY, "missed offer", now, out)

    def _requeue(
        self, t: TaskRt, a: AgentRt, reason: str, now: float, out: list[Decision], *, exclude: bool
    ) -> None:
        self._release(a, t, now)
        t.agent = None
        if exclude:
            self._exclude(t, a, now)
        decision = Requeued(t.id, now, a.id, reason, t.attempt)
        out.append(decision)
        log(t, decision)
        self._enqueue(t, now, out)
        if a.routable:
            self._improved(a, now, out)

    def _exclude(self, t: TaskRt, a: AgentRt, now: float) -> None:
        until = now + self._config.engine.reject_cooldown
        if t.excluded is None:
            t.excluded = {}
        t.excluded[a.idx] = until
        self._timer(until, _UNEXCLUDE, t, 0)

    def complete(self, task_id: str, now: float) -> list[Decision]:
        """The agent finished: capacity frees, wrap-up starts if the queue has one."""
        timers = self._timers
        if (timers and timers[0][0] <= now) or now < self._now:
            out = self._tick(now)
        else:
            out = []
            self._now = now
        t = self._tasks.get(task_id)
        if t is None:
            raise UnknownTask(task_id)
        a = t.agent
        if t.state != _ASSIGNED or a is None:
            raise InvalidTransition(f"task {task_id!r} is not assigned")
        q, ci = t.q, t.ci
        self._release(a, t, now)
        handle = now - t.assigned_at
        stats = q.stats[ci]
        stats.aht = stats.aht + _EWMA * (handle - stats.aht) if stats.timed else handle
        stats.timed = True
        if t.case_id is not None:
            self._remember(t.case_id, a.id, now)
        self._finish(t)
        wrap = q.wrap[ci]
        if wrap > 0:
            a.wrap_until = now + wrap
            a.wrap_gen += 1
            a.routable = False
            self._stale(a)
            a.room = 0
            self._timer(a.wrap_until, _WRAP, a, a.wrap_gen)
            out.append(
                AgentStateChanged(t.id, now, a.id, Presence.WRAP_UP, "wrap-up", a.wrap_until)
            )
        elif a.routable:
            self._improved(a, now, out)
        return out

    def cancel(self, task_id: str, now: float) -> list[Decision]:
        """The customer left (abandon). On an assigned task this is `complete`."""
        out = self._tick(now)
        t = self._task(task_id)
        if t.state == _ASSIGNED:
            out += self.complete(task_id, now)
            return out
        if t.state == _WAITING:
            t.q.stats[t.ci].abandoned += 1
        if t.filed:
            self._unfile(t)
        else:
            t.ver += 1
        agent = t.agent
        self._finish(t)
        if t.warm_from is not None:
            w, t.warm_from = t.warm_from, None
            self._release(w, t, now)
            self._improved(w, now, out)
        if agent is not None:
            t.q.stats[t.ci].abandoned += 1
            self._release(agent, t, now)
            out.append(OfferWithdrawn(t.id, now, agent.id, "customer left"))
            if agent.routable:
                self._improved(agent, now, out)
        return out

    def _finish(self, t: TaskRt) -> None:
        """The task is done: it leaves the index, and a record of it goes into the ring."""
        t.state = _DONE
        t.ver += 1
        if t.x is not None:  # (a task with no extras has no promise timer to void)
            t.x.promise_gen += 1
        del self._tasks[t.id]
        if not self._history_limit:
            return  # nothing is kept
        ring = self._done
        if len(ring) < self._history_limit:
            ring.append(Finished(t))
        else:  # the oldest record is forgotten: its object takes the new one
            at = self._done_at
            ring[at].fill(t)
            self._done_at = (at + 1) % len(ring)

    def _finished(self, task_id: str) -> Finished | None:
        """The newest record of a finished task (an id may have been used again)."""
        ring = self._done
        n = len(ring)
        at = self._done_at  # the slot after the newest (0 while the ring fills: the end)
        for k in range(n):
            rec = ring[(at - 1 - k) % n]
            if rec.id == task_id:
                return rec
        return None

    def _trim_done(self, limit: int) -> None:
        """A new history limit: keep the newest finished tasks, oldest first in the ring."""
        ring, at = self._done, self._done_at
        kept = ring[at:] + ring[:at]
        self._done = kept[max(0, len(kept) - limit) :]
        self._done_at = 0

    def _remember(self, case_id: str, agent_id: str, now: float) -> None:
        self._last_agent[case_id] = (agent_id, now)
        self._last_agent.move_to_end(case_id)
        while len(self._last_agent) > max(1000, self._config.engine.history_limit * 10):
            self._last_agent.popitem(last=False)

    # --- transfers -----------------------------------------------------------------------------

    def transfer(
        self,
        task_id: str,
        now: float,
        *,
        to_agent: str | None = None,
        to_queue: str | None = None,
        to_supervisor: bool = False,
        warm: bool = False,
    ) -> list[Decision]:
        """Hand an assigned task on, keeping its case, place and history. A task still
        waiting or offered can be moved `to_queue` (with its place) as well.

        Cold: the agent is free at once. Warm: the agent keeps the task (and its capacity)
        until the new agent accepts. A busy target agent is waited for `engine.transfer_wait`
        seconds, then the task goes to its queue.
        """
        out = self._tick(now)
        t = self._task(task_id)
        if sum((to_agent is not None, to_queue is not None, to_supervisor)) != 1:
            raise InvalidTransition(
                "transfer needs exactly one of to_agent, to_queue, to_supervisor"
            )
        if to_queue is not None and t.state in (_WAITING, _OFFERED):
            self._move_to_queue(t, to_queue, now, out)
            return out
        if t.state != _ASSIGNED or t.agent is None:
            raise InvalidTransition(f"task {task_id!r} is not assigned")
        a = t.agent
        if to_agent is not None:
            target = self._agent(to_agent)
            if target is a:
                raise InvalidTransition("cannot transfer a task to the agent who has it")
            label = f"agent:{to_agent}"
        elif to_queue is not None:
            if to_queue not in self._queues:
                raise RoutingError(f"unknown queue {to_queue!r}")
            self._check_channel(self._queues[to_queue], t.ci)
            label = f"queue:{to_queue}"
        else:
            label = "supervisor"
        decision = Transferred(t.id, now, a.id, label, warm)
        out.append(decision)
        log(t, decision)
        t.agent = None
        t.state = _WAITING
        if warm:
            t.warm_from = a
        else:
            self._release(a, t, now)
        self._exclude(t, a, now)
        if to_agent is not None:
            t.target = self._by_id[to_agent]
            t.target_rule = "transfer"
            t.target_until = now + self._config.engine.transfer_wait
        elif to_queue is not None:
            t.q = self._queues[to_queue]
            t.stage, t.stage_base, t.override = 0, now, None
            t.stage_gen += 1
        else:
            t.override = _SUPERVISOR
            t.stage = len(t.q.events)  # no widening for an escalation
        self._enqueue(t, now, out)
        if not warm and a.routable:
            self._improved(a, now, out)
        return out

    def _move_to_queue(self, t: TaskRt, queue: str, now: float, out: list[Decision]) -> None:
        """A task nobody has accepted yet goes to another queue with its place (rank and SLA
        clock); an offer on an agent's screen is withdrawn. Not an abandon."""
        to = self._queues.get(queue)
        if to is None:
            raise RoutingError(f"unknown queue {queue!r}")
        self._check_channel(to, t.ci)
        offered_to = t.agent if t.state == _OFFERED else None
        if offered_to is not None:
            t.ver += 1  # cancels the offer timer
            self._release(offered_to, t, now)
            t.agent = None
            out.append(OfferWithdrawn(t.id, now, offered_to.id, f"moved to queue {queue}"))
        elif t.filed:
            self._unfile(t)
        decision = Transferred(t.id, now, "", f"queue:{queue}", False)
        out.append(decision)
        log(t, decision)
        t.q, t.target, t.override = to, None, None
        t.stage, t.stage_base = 0, now
        t.stage_gen += 1
        self._enqueue(t, now, out)
        if offered_to is not None and offered_to.routable:
            self._improved(offered_to, now, out)

    # --- callbacks and promises ----------------------------------------------------------------

    def _arrival_offers(
        self, t: TaskRt, rule: ValueRule | None, now: float, out: list[Decision]
    ) -> None:
        ewt: float | None = None
        computed = False
        if rule is not None:
            ewt, computed = self._ewt(t.q, t.ci, t.q.stats[t.ci].waiting - 1), True
            if rule.when_ewt_over <= 0 or ewt is None or ewt > rule.when_ewt_over:
                decision: Decision = ChannelOffered(t.id, now, rule.offer_channels, rule.name, ewt)
                out.append(decision)
                log(t, decision)
        cb = t.q.cfg.callback
        if cb is not None and CHANNELS[t.ci] in cb.channels:
            if not computed:
                ewt = self._ewt(t.q, t.ci, t.q.stats[t.ci].waiting - 1)
            if ewt is None or ewt > cb.offer_when_ewt_over:
                decision = CallbackOffered(t.id, now, ewt, cb.offer_when_ewt_over)
                out.append(decision)
                log(t, decision)

    def request_callback(self, task_id: str, now: float, at: float | None = None) -> list[Decision]:
        """The customer took the callback: keep the place (`at` None) or be called at `at`.

        Either way it is a promise with a due time; a missed one yields `PromiseBroken`."""
        out = self._tick(now)
        t = self._task(task_id)
        if t.state != _WAITING:
            raise InvalidTransition(f"task {task_id!r} is not waiting")
        if at is not None and at < now:
            raise InvalidTransition("a callback cannot be scheduled in the past")
        w = t.warm_from
        if w is not None:  # in a warm transfer: the agent holding the chat is free of it
            t.warm_from = None
            self._release(w, t, now)  # (before the task changes channel: the hold is on this one)
            self._improved(w, now, out)
        cb = t.q.cfg.callback_rules
        if at is None:
            ewt = self._ewt(t.q, t.ci, t.q.stats[t.ci].waiting - 1) or 0.0
            self._unfile(t)
            t.ci = _CALLBACK
            t.target = None
            due = now + ewt + cb.grace
            t.promise_due = due
            t.promise_gen += 1
            self._timer(due, _PROMISE, t, t.promise_gen)
            decision = CallbackScheduled(t.id, now, due, True)
            out.append(decision)
            log(t, decision)
            self._enqueue(t, now, out)
        else:
            self._schedule_callback(t, at, now, out)
        return out

    def _schedule_callback(self, t: TaskRt, at: float, now: float, out: list[Decision]) -> None:
        cb = t.q.cfg.callback_rules
        self._unfile(t)
        t.state = _SCHEDULED
        t.ci = _CALLBACK
        t.arrival = at
        t.promise_due = at + cb.grace
        t.promise_gen += 1  # a promise made earlier (a callback in place) is replaced, not broken
        self._timer(max(now, at - cb.lead), _CB_DUE, t, t.ver)
        decision = CallbackScheduled(t.id, now, t.promise_due, False)
        out.append(decision)
        log(t, decision)

    def _callback_due(self, t: TaskRt, now: float, out: list[Decision]) -> None:
        cb = t.q.cfg.callback_rules
        t.prio += cb.priority_boost
        t.stage, t.stage_base = 0, now
        t.deadline = t.arrival  # the promised time is the deadline
        t.rank = t.deadline - t.prio * self._weight
        t.promise_gen += 1
        assert t.promise_due is not None
        self._timer(t.promise_due, _PROMISE, t, t.promise_gen)
        decision = CallbackDue(t.id, now, t.promise_due)
        out.append(decision)
        log(t, decision)
        self._enqueue(t, now, out)

    # --- estimated wait ------------------------------------------------------------------------

    def estimated_wait(self, queue: str, channel: Channel, now: float) -> float | None:
        """Seconds a task arriving now would wait (0 when an agent is free; None when nobody
        who could take it is logged in): (tasks ahead + 1) x average handle time / staffed
        capacity on the channel. Uses the handle times measured so far, the configured ones
        (`handle_time`) before that."""
        q = self._queues.get(queue)
        if q is None:
            raise RoutingError(f"unknown queue {queue!r}")
        ci = CH_INDEX[channel]
        return self._ewt(q, ci, q.stats[ci].waiting)

    def _ewt(self, q: QueueRt, ci: int, ahead: int) -> float | None:
        pool = self._pool(Requirement(q.cfg.skills, q.cfg.teams, q.cfg.roles), ci, q.policy)
        if ahead <= 0 and self._has_free(pool):
            return 0.0
        if pool.slots <= 0:
            return None
        channel = CHANNELS[ci]
        # (0.0 until the first task is handled, and falsy as "not measured" was)
        aht = q.stats[ci].aht or q.cfg.handle_time.get(channel) or DEFAULT_HANDLE_TIME[channel]
        return (max(ahead, 0) + 1) * aht / pool.slots

    # --- views ---------------------------------------------------------------------------------

    def task(self, task_id: str) -> TaskView:
        t = self._tasks.get(task_id)
        if t is None:
            rec = self._finished(task_id)
            if rec is None:
                raise UnknownTask(task_id)
            return TaskView(
                rec.id, rec.queue, CHANNELS[rec.ci], TaskState.NAMES[_DONE], rec.agent_id,
                rec.prio, rec.arrival, rec.deadline, rec.attempt,
            )  # fmt: skip
        return TaskView(
            t.id, t.q.name, t.channel, TaskState.NAMES[t.state], t.agent.id if t.agent else None,
            t.prio, t.arrival, t.deadline, t.attempt,
        )  # fmt: skip

    def waiting_count(self, queue: str | None = None) -> int:
        """Tasks waiting (in one queue, or in all), without building a snapshot."""
        queues = self._queues.values() if queue is None else (self._queues[queue],)
        return sum(s.waiting for q in queues for s in q.stats)

    def waiting_tasks(self) -> list[str]:
        return [t.id for t in self._live() if t.state == _WAITING]

    def snapshot(self, now: float | None = None) -> Snapshot:
        """Queues, waiting tasks and agents by state, for a wallboard."""
        return build_snapshot(self, self._now if now is None else now)

    def agent(self, agent_id: str) -> AgentView:
        return agent_view(self, self._agent(agent_id))

    def explain(self, task_id: str) -> str:
        """Everything the engine did with a task, and, while it waits, why nobody has it yet."""
        t = self._tasks.get(task_id)
        if t is None:
            rec = self._finished(task_id)
            if rec is None:
                raise UnknownTask(task_id)
            return explain_finished(rec)
        if t.fifo is not None:
            self._sync(t, self._now, [])
        return explain_task(self, t)

    def _explain_candidates(
        self, t: TaskRt, chosen: AgentRt, req: Requirement, now: float
    ) -> tuple[tuple[str, str], ...]:
        return tuple(why_not(self, req, t, chosen, self._config.engine.explain_candidates))


_NCH: Final = len(CHANNELS)


def _first_shared(pools: tuple[Pool, ...], mine: tuple[Pool, ...]) -> Pool | None:
    """The first of `pools` that is in `mine` (by identity: no `==` calls)."""
    for p in pools:
        for m in mine:
            if m is p:
                return p
    return None


def _drop(a: AgentRt, t: TaskRt) -> None:
    """Take `t` out of the agent's tasks: its slot is cleared, in place (see `AgentRt.tasks`).

    By the index the task keeps, not by a scan: comparing an entry takes a reference to it,
    a write to a task nobody has touched for minutes, for each task the agent holds."""
    tasks = a.tasks
    k = t.hand
    if not (k < len(tasks) and tasks[k] is t):  # held by two agents (a warm transfer)
        k = -1
        for i in range(len(tasks)):
            if tasks[i] is t:
                k = i
                break
        if k < 0:
            return
    tasks[k] = None
    while tasks and tasks[-1] is None:
        tasks.pop()
    if len(tasks) > 2 * a.total + 8:  # cleared slots piled up behind one long task
        kept: list[TaskRt | None] = []
        for x in tasks:
            if x is not None:
                x.hand = len(kept)
                kept.append(x)
        a.tasks = kept


def _after(event: Stage | OverflowRule) -> float:
    return event.after


def _as_config(config: RoutingConfig | Mapping[str, Any]) -> RoutingConfig:
    return config if isinstance(config, RoutingConfig) else RoutingConfig.from_dict(config)


def _last_offer(t: TaskRt) -> Offered:
    history = t.history or []  # (an offer is always written out: see `trail`)
    # an index loop: compiled code cannot iterate reversed(list[Any])
    for i in range(len(history) - 1, -1, -1):
        d = history[i]
        if isinstance(d, Offered):
            return d
    raise InvalidTransition(f"task {t.id} has no offer")
