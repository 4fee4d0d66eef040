"""The indexes: which agent for a task, which task for an agent, without scanning.

`Matcher` is the engine's base class and owns the pools (see `state`). Two directions:
- `find_agent(task)`: the top agent of each pool the task is filed in (its own queue first):
  the front of the lowest idle FIFO under longest idle, the top of a heap otherwise;
- `find_task(agent)`: the best head among the task heaps of the pools the agent belongs to
  and the lane FIFOs it may serve by now, on the channels where it has room — a handful of
  heads, whatever the number of tasks.
"""

from __future__ import annotations

from heapq import heappop, heappush, heapreplace
from typing import Final, cast

from omnicenter.routing.skills import Requirement
from omnicenter.routing.state import (
    CHANNELS,
    LEAST_OCCUPIED,
    LONGEST_IDLE,
    MOST_SKILLED,
    AgentRt,
    Fifo,
    IdleLevel,
    Lanes,
    Pool,
    QueueRt,
    TaskRt,
    TaskState,
)

__all__ = ["Matcher", "stage_pool"]

_Entry = tuple[float, float, int, int]
_INF: Final = float("inf")
_SHIFT: Final = 32  # a longest-idle entry: version << 32 | agent index
_MASK: Final = (1 << 32) - 1
_COMPACT_AT: Final = 64


class Matcher:
    def __init__(self) -> None:
        self._now = 0.0
        self._fseq = 0  # filings of agents so far (their order among equal idle times)
        self._pooled = 0  # tasks waiting in pool heaps (not in lanes): none, no heap to look at
        self._agents: list[AgentRt | None] = []  # by index; None once removed
        # the low byte of each agent's version, by index: small ints, so that a stale entry
        # is usually told from a live one without touching the agent (a cache miss)
        self._vlow: list[int] = []
        self._pools: dict[tuple[Requirement, int, int], Pool] = {}
        self._skill_pools: dict[str, list[Pool]] = {}  # pools indexed under one required skill
        self._open_pools: list[Pool] = []  # pools that require no skill
        self._skill_agents: dict[str, dict[int, None]] = {}  # ordered sets of agent indexes
        self._xmask = 0  # bit mask of exclusive channels (a call: nothing else at once)
        # where `_find_task` found its task (see there)
        self._found_pool: Pool | None = None
        self._found_lanes: Lanes | None = None
        self._found_stage = 0

    # --- agents ----------------------------------------------------------------------------

    def _room(self, a: AgentRt) -> int:
        """Bit mask of channels on which the agent can take one more task right now."""
        if not a.routable or a.excl or a.total >= a.max_total:
            return 0
        blocked = a.full | (self._xmask if a.total else 0)  # exclusive: only when idle
        return a.chmask & ~blocked

    @staticmethod
    def _akey(a: AgentRt, p: Pool) -> tuple[float, float]:
        """The agent's order in a heap pool (every policy but longest idle)."""
        policy = p.policy
        if policy == MOST_SKILLED:
            return a.total / 1000.0 - p.req.score(a.skills), a.since
        if policy == LEAST_OCCUPIED:
            return a.total / a.max_total, a.since
        return float(a.last_offer), a.since  # round robin (longest idle: `Pool.idle`)

    def _stale(self, a: AgentRt) -> None:
        """The agent changed: its entries in the pools no longer hold."""
        a.ver += 1
        self._vlow[a.idx] = a.ver & 255

    def _push_agent(self, a: AgentRt) -> None:
        """File the agent anew, as free since now, in every pool where it has room; its
        older entries go stale. Called once per change of its state."""
        self._stale(a)
        ver, idx, total, room = a.ver, a.idx, a.total, a.room
        a.pushed = ver
        self._fseq += 1
        a.fseq = self._fseq
        a.since = self._now
        entry: object = ver << _SHIFT | idx  # boxed once: the same int object in every pool
        for ci in a.chans:
            if room >> ci & 1:
                for p in a.pools[ci]:
                    if p.policy == LONGEST_IDLE:
                        self._append(p, total, entry)
                    else:
                        k0, k1 = self._akey(a, p)
                        heappush(p.agents, (k0, k1, idx, ver))

    def _append(self, p: Pool, level: int, entry: object) -> None:
        idle = p.idle
        while len(idle) <= level:
            idle.append(IdleLevel(_COMPACT_AT))
        fifo = idle[level]
        items = fifo.items
        if len(items) >= fifo.limit:
            items = self._compact(fifo)
        items.append(entry)

    def _compact(self, fifo: IdleLevel) -> list[object]:
        """Drop the stale entries of a level. Amortised: the next one waits for four times the
        live count, so about 1.3 entries are scanned per append (2 at twice the live count).
        An entry is judged by the low byte of its agent's version only (no read of the agent,
        a cache miss): one in 256 stale entries is kept, and `_top_idle` drops it when it
        reaches the front; a later compaction, once the version has moved on, drops it here."""
        items, vlow = fifo.items, self._vlow
        live: list[object] = []
        for k in range(fifo.head, len(items)):
            obj = items[k]
            e = cast(int, obj)
            if vlow[e & _MASK] == e >> _SHIFT & 255:
                live.append(obj)  # the same object: no boxing again
        fifo.items = live
        fifo.head = 0
        fifo.limit = max(_COMPACT_AT, 4 * len(live))
        return live

    def _seed(self, p: Pool, members: list[AgentRt]) -> None:
        """A new longest-idle pool: its members with room, in the order they were filed."""
        bit = 1 << p.ci
        ready = [a for a in members if a.room & bit and a.pushed == a.ver]
        ready.sort(key=_filed_order)
        for a in ready:
            self._append(p, a.total, a.ver << _SHIFT | a.idx)

    def _candidates(self, req: Requirement) -> list[AgentRt]:
        agents = self._agents
        if not req.skills:
            return [a for a in agents if a is not None]
        rarest = min(req.skills, key=lambda s: len(self._skill_agents.get(s.name, ())))
        out = []
        for i in self._skill_agents.get(rarest.name, {}):
            a = agents[i]
            if a is not None:
                out.append(a)
        return out

    def _pool(self, req: Requirement, ci: int, policy: int) -> Pool:
        key = (req, ci, policy)
        p = self._pools.get(key)
        if p is not None:
            return p
        p = self._pools[key] = Pool(req, ci, policy)
        if req.skills:
            self._skill_pools.setdefault(req.skills[0].name, []).append(p)
        else:
            self._open_pools.append(p)
        members = [
            a for a in self._candidates(req) if a.cap[ci] and req.matches(a.skills, a.team, a.role)
        ]
        for a in members:
            self._join(a, p)
        if policy == LONGEST_IDLE:
            self._seed(p, members)
        return p

    def _join(self, a: AgentRt, p: Pool) -> None:
        a.pools[p.ci] += (p,)
        for lanes, stage in p.stage_of:
            _link(a, lanes, stage)
        if a.staffed:
            p.slots += min(a.cap[p.ci], a.max_total)
        # (a longest-idle pool is seeded in filing order by `_pool`, or the agent is filed
        # by the `_improved` that follows every change of an agent)
        if a.room >> p.ci & 1 and p.policy != LONGEST_IDLE:
            k0, k1 = self._akey(a, p)
            heappush(p.agents, (k0, k1, a.idx, a.ver))

    def _index_agent(self, a: AgentRt) -> None:
        """Put a (new or changed) agent into every existing pool it matches."""
        for name in a.skills:
            self._skill_agents.setdefault(name, {})[a.idx] = None
        candidates = list(self._open_pools)
        for name in a.skills:
            candidates += self._skill_pools.get(name, ())
        for p in candidates:
            if a.cap[p.ci] and p.req.matches(a.skills, a.team, a.role):
                self._join(a, p)

    def _unindex_agent(self, a: AgentRt) -> None:
        for name in a.skills:
            self._skill_agents.get(name, {}).pop(a.idx, None)
        if a.staffed:
            self._staff(a, -1)
        a.pools = [() for _ in CHANNELS]
        a.views = ()
        self._stale(a)  # every entry of the agent in the pools

    def _staff(self, a: AgentRt, sign: int) -> None:
        """Add (+1) or remove (-1) the agent's capacity from the staffing of its pools."""
        for ci in a.chans:
            slots = sign * min(a.cap[ci], a.max_total)
            for p in a.pools[ci]:
                p.slots += slots

    def _has_free(self, p: Pool) -> bool:
        return self._top_agent(p, None) is not None

    # --- direction 1: a task looks for an agent ---------------------------------------------

    def _top_agent(self, p: Pool, t: TaskRt | None) -> AgentRt | None:
        if p.policy == LONGEST_IDLE:
            return self._top_idle(p, t)
        heap, bit, agents = p.agents, 1 << p.ci, self._agents
        while heap:
            k0, k1, ai, ver = heap[0]
            a = agents[ai]
            if a is None or a.ver != ver or not a.room & bit:
                heappop(heap)
                continue
            c0, c1 = self._akey(a, p)
            if c0 != k0 or c1 != k1:  # the agent took work since: re-key lazily
                heapreplace(heap, (c0, c1, ai, ver))
                continue
            if t is not None and t.excluded and ai in t.excluded:
                return self._top_agent_excluding(p, t)
            return a
        return None

    def _top_idle(self, p: Pool, t: TaskRt | None) -> AgentRt | None:
        """The first live entry of the lowest level (fewest tasks in hand, then idle longest)."""
        agents, vlow = self._agents, self._vlow
        for fifo in p.idle:
            items = fifo.items
            h, n = fifo.head, len(items)
            while h < n:
                e = cast(int, items[h])
                idx = e & _MASK
                if vlow[idx] != e >> _SHIFT & 255:
                    h += 1
                    continue
                a = agents[idx]
                if a is not None and a.ver == e >> _SHIFT:
                    fifo.head = h
                    if t is not None and t.excluded and a.idx in t.excluded:
                        return self._top_idle_excluding(p, t)
                    return a
                h += 1
            if n:  # all stale (an empty level is left as it is: no call)
                items.clear()
                fifo.head = 0
        return None

    def _top_idle_excluding(self, p: Pool, t: TaskRt) -> AgentRt | None:
        """Rare path: skip agents the task must not go back to (they rejected it)."""
        bit, agents, excluded = 1 << p.ci, self._agents, t.excluded or {}
        for fifo in p.idle:
            items = fifo.items
            for k in range(fifo.head, len(items)):
                e = cast(int, items[k])
                a = agents[e & _MASK]
                if (
                    a is not None
                    and a.ver == e >> _SHIFT
                    and a.room & bit
                    and a.idx not in excluded
                ):
                    return a
        return None

    def _top_agent_excluding(self, p: Pool, t: TaskRt) -> AgentRt | None:
        """Rare path: skip agents the task must not go back to (they rejected it)."""
        heap, bit, agents = p.agents, 1 << p.ci, self._agents
        excluded = t.excluded or {}
        held: list[_Entry] = []
        found = None
        while heap:
            entry = heappop(heap)
            a = agents[entry[2]]
            if a is None or a.ver != entry[3] or not a.room & bit:
                continue
            c0, c1 = self._akey(a, p)
            if (c0, c1) != entry[:2]:
                heappush(heap, (c0, c1, entry[2], entry[3]))
                continue
            held.append(entry)
            if entry[2] not in excluded:
                found = a
                break
        for entry in held:
            heappush(heap, entry)
        return found

    def _find_agent(self, t: TaskRt) -> tuple[AgentRt, Pool] | None:
        for p in t.pools:
            a = self._top_agent(p, t)
            if a is not None:
                return a, p
        return None

    # --- direction 2: an agent with room looks for a task ----------------------------------

    def _find_task(self, a: AgentRt) -> TaskRt | None:
        """The best task the agent may take now. Where it was found is left in `_found_pool`
        (a task heap) or `_found_lanes` and `_found_stage` (a lane head; the pool is named by
        the caller, only if needed); neither for a task waiting for this very agent."""
        room = a.room
        self._found_pool = None
        self._found_lanes = None
        if a.personal:
            t = self._personal_task(a, room)
            if t is not None:
                return t
        best: TaskRt | None = None
        best_pool: Pool | None = None
        best_rank, best_seq = _INF, 0
        best_lanes: Lanes | None = None  # set when the best is a lane head
        best_stage = 0
        if self._pooled > 0:  # tasks in pool heaps (not in lanes): rare, off the common path
            for ci in a.chans:
                if not room >> ci & 1:
                    continue
                for p in a.pools[ci]:
                    heap = p.tasks
                    while heap:
                        entry = heap[0]
                        if entry[3].ver != entry[2]:
                            heappop(heap)
                            continue
                        break
                    else:
                        continue
                    rank, seq, _, t = entry
                    if rank < best_rank or (rank == best_rank and seq < best_seq):
                        if t.excluded and a.idx in t.excluded:
                            alt = self._top_task_excluding(p, a)
                            if alt is None or not (
                                alt[0] < best_rank or (alt[0] == best_rank and alt[1] < best_seq)
                            ):
                                continue
                            rank, seq, _, t = alt
                        best, best_pool, best_rank, best_seq = t, p, rank, seq
                        best_lanes = None
        now = self._now
        for view in a.views:
            if not room >> view.ci & 1:
                continue
            lanes = view.lanes
            top = lanes.best
            if top is None:
                continue
            offset = view.offset
            if top.base + offset <= now:  # the best head has widened to this agent
                rank = top.rank
                if rank < best_rank or (rank == best_rank and top.seq < best_seq):
                    best, best_rank, best_seq = top.head, rank, top.seq
                    best_lanes, best_stage = lanes, view.stage
                continue
            for fifo in lanes.fifos:  # some heads have not: the best of those that have
                rank = fifo.rank
                if (rank < best_rank or (rank == best_rank and fifo.seq < best_seq)) and (
                    fifo.base + offset <= now
                ):
                    best, best_rank, best_seq = fifo.head, rank, fifo.seq
                    best_lanes, best_stage = lanes, view.stage
        if best_lanes is not None:
            self._found_lanes, self._found_stage = best_lanes, best_stage
        else:
            self._found_pool = best_pool
        return best

    def _top_task_excluding(self, p: Pool, a: AgentRt) -> tuple[float, int, int, TaskRt] | None:
        heap = p.tasks
        held = []
        found = None
        while heap:
            entry = heappop(heap)
            t = entry[3]
            if t.ver != entry[2]:
                continue
            held.append(entry)
            if not (t.excluded and a.idx in t.excluded):
                found = entry
                break
        for entry in held:
            heappush(heap, entry)
        return found

    def _personal_task(self, a: AgentRt, room: int) -> TaskRt | None:
        """Tasks waiting for this very agent (sticky, personal agent, transfer) come first."""
        live = [(t, v) for t, v in a.personal if t.ver == v and t.state == TaskState.WAITING]
        a.personal = live
        best = None
        for t, _ in live:
            if room >> t.ci & 1 and (best is None or (t.rank, t.seq) < (best.rank, best.seq)):
                best = t
        return best

    # --- filing waiting tasks --------------------------------------------------------------

    def _file(self, t: TaskRt) -> bool:
        """(Re)file a waiting task in its lane or its pools (older heap entries become stale
        by version). True when it went to a lane (which times its widening)."""
        t.ver += 1
        q = t.q
        if t.fifo is not None:  # a reconfiguration refiles tasks still in their old lanes
            t.fifo.remove(t)
        x = t.x
        if (
            q.laned
            and t.stage_base == t.arrival
            and t.deadline == t.arrival + q.within[t.ci]
            and (
                x is None or (not x.xreq and not x.xpref and x.override is None and not x.excluded)
            )
        ):
            lanes = q.lanes[t.ci]
            if lanes is None:
                lanes = self._lanes(q, t.ci)
            fifo = lanes.fifo(t.prio)
            t.fifo = fifo
            if t.pooled:  # back from the heaps (its exclusions expired)
                t.pooled = False
                self._pooled -= 1
            if fifo.add(t):  # the new head (or a task back from an agent, to its old place)
                self._head_changed(fifo)
            laned = True
        else:
            laned = False
            t.fifo = None
            if not t.pooled:
                t.pooled = True
                self._pooled += 1
            entry = (t.rank, t.seq, t.ver, t)
            for p in t.pools:
                heappush(p.tasks, entry)
        if not t.filed:
            t.filed = True
            t.q.stats[t.ci].waiting += 1
        return laned

    def _unfile(self, t: TaskRt) -> None:
        t.ver += 1
        fifo = t.fifo
        if fifo is not None:
            t.fifo = None
            if fifo.remove(t):
                self._head_changed(fifo)
        if t.pooled:
            t.pooled = False
            self._pooled -= 1
        if t.filed:
            t.filed = False
            t.q.stats[t.ci].waiting -= 1

    def _stage_pools(self, q: QueueRt, ci: int, stage: int) -> tuple[Pool, ...]:
        raise NotImplementedError  # the engine knows the widening rules

    def _head_changed(self, fifo: Fifo) -> None:
        raise NotImplementedError  # the engine owns the timers

    def _lanes(self, q: QueueRt, ci: int) -> Lanes:
        """The lanes of a queue on a channel, and who may serve them from which stage."""
        stages = tuple(self._stage_pools(q, ci, k) for k in range(len(q.afters) + 1))
        offsets = [-_INF, *q.afters]
        lanes = q.lanes[ci] = Lanes(q, ci, stages, offsets)
        for k, pools in enumerate(stages):
            for p in pools:
                p.stage_of.append((lanes, k))
                for a in self._candidates(p.req):
                    if _member(p, a.pools[ci]):
                        _link(a, lanes, k)
        return lanes


def _member(p: Pool, pools: tuple[Pool, ...]) -> bool:
    """`p in pools` by identity (`in` calls the pools' `==`)."""
    return any(x is p for x in pools)


def _filed_order(a: AgentRt) -> int:
    return a.fseq


def _link(a: AgentRt, lanes: Lanes, stage: int) -> None:
    """The agent may serve the lanes from `stage` on (kept: the earliest such stage)."""
    views = a.views
    for k, known in enumerate(views):
        if known.lanes is lanes:
            if stage < known.stage:
                a.views = (*views[:k], lanes.views[stage], *views[k + 1 :])
            return
    a.views = (*views, lanes.views[stage])


def stage_pool(lanes: Lanes, stage: int, a: AgentRt) -> Pool:
    """The pool through which the agent serves the lanes (it names the requirement met)."""
    mine = a.pools[lanes.ci]
    for p in lanes.stages[stage]:
        if _member(p, mine):
            return p
    return lanes.stages[stage][0]
