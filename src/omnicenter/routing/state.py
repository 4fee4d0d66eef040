"""The engine's mutable runtime records and the indexes they live in.

Private to the engine. Records are `__slots__` classes with integer channel indexes because
this is the hot path: a decision must cost a few microseconds.

Indexes (entries carry a version; a changed agent or task makes its old ones stale, and
stale entries are dropped when they reach the front):
- `Pool.idle`: under longest idle (the default policy), the agents who match one requirement
  on one channel and have room there, in one FIFO (`IdleLevel`) per number of tasks in hand.
  An agent is appended whenever its state changes (it took or finished a task, came back, its
  capacity changed), and the clock only moves forward, so each FIFO is in idle-since order:
  the top is the first live entry of the lowest non-empty level, and filing is an append, not
  a heap push. An entry is one int, `version << 32 | agent index` (no tuple for the
  collector).
- `Pool.agents`: the same under the other policies, as a heap keyed by the policy:
  `(k0, k1, agent index, agent version)`.
- `Pool.tasks`: tasks waiting for that requirement and channel, keyed by
  `(rank, seq, task version, task)`; `rank` folds priority, SLA deadline and aging into one
  number that never changes while the task waits (see `task_rank`).
- `Lanes`: the common case kept out of the heaps. A task that follows its queue's own widening
  (no skills of its own, its SLA clock started when it arrived, nobody excluded) waits in a
  FIFO of its queue, channel and priority. A FIFO holds the tasks themselves, and only waiting
  ones: a task leaving it is taken out (at the head, the common case, by moving the start
  index), so a filing allocates nothing and no stale entry is ever read. In such a FIFO rank
  order is arrival order, so it is also the order in which tasks widen: an agent who qualifies
  from stage k looks only at the head, widening moves nothing (no re-filing, no stale heap
  entries), and only the head needs a timer. Whoever may take a later task may take the head
  (it has widened at least as far), so while the head waits nobody free can take the others.
  `AgentRt.views` lists each `Lanes` the agent can serve, as the `LaneStage` of the
  first stage at which it qualifies (shared by all agents who qualify from then: no object per
  agent to read in `find_task`). Each `Lanes` knows its FIFO with the best head: an agent whom
  that head has widened to looks at no other.
"""

from __future__ import annotations

from typing import Any, Final, cast

from mypy_extensions import mypyc_attr

from omnicenter.domain import Channel, Presence
from omnicenter.routing.config import OverflowRule, QueueConfig, Stage
from omnicenter.routing.skills import Requirement, SkillReq
from omnicenter.routing.specs import AgentSpec, TaskSpec

__all__ = [
    "AVAILABLE",
    "CHANNELS",
    "CH_INDEX",
    "LEAST_OCCUPIED",
    "LONGEST_IDLE",
    "MAX_CAPACITY",
    "MOST_SKILLED",
    "ROUND_ROBIN",
    "AgentRt",
    "ChannelStats",
    "Fifo",
    "Finished",
    "IdleLevel",
    "LaneStage",
    "Lanes",
    "Pool",
    "QueueRt",
    "TaskExtra",
    "TaskRt",
    "TaskState",
]

INF: Final = float("inf")
MAX_CAPACITY: Final = 255  # tasks per channel at once (load and capacity are kept in 8 bits)
_USUAL: Final = 16  # priorities looked up in a list rather than a dict (an int-keyed dict
# lookup is a hash and a probe; a list index is a bounds check)
CHANNELS: Final[tuple[Channel, ...]] = tuple(Channel)
CH_INDEX: Final[dict[Channel, int]] = {ch: i for i, ch in enumerate(CHANNELS)}

# `Final`: compiled code reads these as constants, not from the module's dict at every use
LONGEST_IDLE: Final = 0
MOST_SKILLED: Final = 1
LEAST_OCCUPIED: Final = 2
ROUND_ROBIN: Final = 3
POLICY_CODES: Final = {"longest_idle": 0, "most_skilled": 1, "least_occupied": 2, "round_robin": 3}
POLICY_NAMES: Final = {v: k for k, v in POLICY_CODES.items()}
# an enum member named in compiled code is a module-dict lookup and a class getattr each time
AVAILABLE: Final = Presence.AVAILABLE


class TaskState:
    WAITING: Final = 0  # in a queue (or waiting for its sticky / personal agent)
    OFFERED: Final = 1  # offered to an agent, capacity held until accept, reject or timeout
    ASSIGNED: Final = 2  # accepted; the agent is working on it
    SCHEDULED: Final = 3  # a callback promised for later, not yet in a queue
    DONE: Final = 4  # completed or cancelled

    NAMES: Final = ("waiting", "offered", "assigned", "scheduled", "done")


class Pool:
    """One index: a requirement on one channel under one selection policy."""

    __slots__ = (
        "agents",
        "ci",
        "idle",
        "policy",
        "req",
        "slots",
        "stage_of",
        "tasks",
    )

    def __init__(self, req: Requirement, ci: int, policy: int) -> None:
        self.req = req
        self.ci = ci
        self.policy = policy
        self.agents: list[tuple[float, float, int, int]] = []
        self.idle: list[IdleLevel] = []  # longest idle: one FIFO per tasks-in-hand level
        self.tasks: list[tuple[float, int, int, TaskRt]] = []
        self.slots = 0  # capacity of staffed agents on this channel (estimated wait)
        self.stage_of: list[tuple[Lanes, int]] = []  # lanes whose stage k files here

    def __repr__(self) -> str:
        return f"Pool({self.req}, {CHANNELS[self.ci].value}, {POLICY_NAMES[self.policy]})"


@mypyc_attr(acyclic=True)  # no references back: not tracked by the cyclic collector
class IdleLevel:
    """The FIFO of a longest-idle pool's agents with a given number of tasks in hand: its
    entries, where it starts and when to compact it, in one record (filing an agent reads
    one object per pool, not three lists and a boxed limit)."""

    __slots__ = ("head", "items", "limit")

    def __init__(self, limit: int) -> None:
        self.head = 0  # entries before this index are gone
        self.limit = limit  # compact when the entries reach this many
        self.items: list[object] = []  # ints, typed object: appended without boxing


class Fifo:
    """One lane: waiting tasks of one queue, channel and priority, in rank order.

    `items[start:]` are the tasks, sorted by `(rank, seq)` (fixed while a task waits); the
    slots before `start` are None (a task that left lets go of it at once: a finished task
    is freed when it finishes, while it is still in the cache, not later when the slots
    are dropped). The live head's rank, sequence and start are copied here: an agent
    compares lanes by reading this object only (the hot loop of `find_task`)."""

    __slots__ = ("base", "gen", "head", "items", "lanes", "rank", "seq", "start")

    def __init__(self, lanes: Lanes) -> None:
        self.lanes = lanes
        self.items: list[TaskRt | None] = []
        self.start = 0  # items before this index have left (dropped in bulk, amortised)
        self.gen = 0  # the head's widening timer is valid while this stays
        self.head: TaskRt | None = None
        self.rank = INF
        self.seq = 0
        self.base = INF

    def refresh(self) -> TaskRt | None:
        """Copy the head's keys (None: the lane is empty)."""
        items, start = self.items, self.start
        if start < len(items):
            t = cast(TaskRt, items[start])
            self.head, self.rank, self.seq, self.base = t, t.rank, t.seq, t.stage_base
            self.lanes.pick()
            return t
        self.head, self.rank, self.seq, self.base = None, INF, 0, INF
        self.lanes.pick()
        return None

    def add(self, t: TaskRt) -> bool:
        """File a task in rank order; True when it is the new head."""
        items, start = self.items, self.start
        n = len(items)
        rank, seq = t.rank, t.seq
        if n > start:
            last = cast(TaskRt, items[n - 1])
            if last.rank < rank or (last.rank == rank and last.seq < seq):
                items.append(t)  # the common case: it ranks after everyone waiting
                return False
            at = self._position(rank, seq)
            if at > start:
                items.insert(at, t)
                return False
        if start > 0:  # the new head, with room before the start
            start -= 1
            self.start = start
            items[start] = t
        else:
            items.insert(start, t)
        return True

    def remove(self, t: TaskRt) -> bool:
        """Take a task out; True when it was the head."""
        items, start = self.items, self.start
        if items[start] is t:
            items[start] = None
            start += 1
            if start == len(items):
                items.clear()
                start = 0
            elif start >= 32 and 2 * start >= len(items):
                del items[:start]
                start = 0
            self.start = start
            return True
        at = self._position(t.rank, t.seq) - 1
        if not (start < at < len(items) and items[at] is t):
            at = items.index(t, start)
        del items[at]
        return False

    def _position(self, rank: float, seq: int) -> int:
        """Index after the last task that ranks before or equal to (rank, seq)."""
        items = self.items
        lo, hi = self.start, len(items)
        while lo < hi:
            mid = (lo + hi) >> 1
            x = cast(TaskRt, items[mid])
            if rank < x.rank or (rank == x.rank and seq < x.seq):
                hi = mid
            else:
                lo = mid + 1
        return lo


class Lanes:
    """The waiting tasks of one queue on one channel that follow the queue's widening."""

    __slots__ = (
        "best",
        "by_prio",
        "ci",
        "fifos",
        "offsets",
        "q",
        "stages",
        "texts",
        "usual",
        "views",
    )

    def __init__(
        self, q: QueueRt, ci: int, stages: tuple[tuple[Pool, ...], ...], offsets: list[float]
    ) -> None:
        self.q = q
        self.ci = ci
        self.stages = stages  # the task's pools at each stage (who may take it then)
        self.offsets = offsets  # stage k is reached offsets[k] s after arrival
        self.views = tuple(LaneStage(self, k, offsets[k]) for k in range(len(offsets)))
        # what each widening step says (`Widened`), as the queue had it when these were built
        # (a reconfiguration builds new lanes): a task's pending steps are read from here
        self.texts = q.stage_texts
        self.fifos: list[Fifo] = []  # one per priority, in order of creation
        self.by_prio: dict[int, Fifo] = {}  # priorities outside `usual`
        self.usual: list[Fifo | None] = [None] * _USUAL  # priorities 0.._USUAL-1, by index
        # the FIFO with the best head (None: all empty): an agent whom that head has widened
        # to need not look at the others
        self.best: Fifo | None = None

    def pick(self) -> None:
        """Find the best head again (one of the FIFOs' heads changed)."""
        best: Fifo | None = None
        for fifo in self.fifos:
            if fifo.head is not None and (
                best is None
                or fifo.rank < best.rank
                or (fifo.rank == best.rank and fifo.seq < best.seq)
            ):
                best = fifo
        self.best = best

    def fifo(self, prio: int) -> Fifo:
        usual = 0 <= prio < _USUAL
        found = self.usual[prio] if usual else self.by_prio.get(prio)
        if found is not None:
            return found
        fifo = Fifo(self)
        if usual:
            self.usual[prio] = fifo
        else:
            self.by_prio[prio] = fifo
        self.fifos.append(fifo)
        return fifo


class LaneStage:
    """Lanes as served from one stage on: the agents who qualify from stage k list this."""

    __slots__ = ("ci", "lanes", "offset", "stage")

    def __init__(self, lanes: Lanes, stage: int, offset: float) -> None:
        self.lanes = lanes
        self.ci = lanes.ci
        self.stage = stage
        self.offset = offset  # the stage is reached this long after arrival


class AgentRt:
    __slots__ = (
        "accepted",
        "cap",
        "caps",
        "chans",
        "chmask",
        "excl",
        "fseq",
        "full",
        "id",
        "idx",
        "last_offer",
        "loads",
        "max_total",
        "missed",
        "offered",
        "partner",
        "personal",
        "pools",
        "presence",
        "pushed",
        "reason",
        "rejected",
        "role",
        "room",
        "routable",
        "since",
        "skills",
        "spec",
        "tasks",
        "team",
        "total",
        "ver",
        "views",
        "wrap_gen",
        "wrap_until",
    )

    def __init__(self, spec: AgentSpec, idx: int, now: float) -> None:
        # Compiled, fields are laid out in the order first assigned here: what a decision
        # reads comes first, so that a busy agent costs few cache lines to look at.
        self.idx = idx
        self.ver = 0
        self.room = 0
        self.routable = False
        self.excl = 0
        self.total = 0
        self.max_total = spec.max_total
        self.chans: tuple[int, ...] = ()
        self.chmask = 0  # the same channels as a bit mask
        self.full = 0  # bit mask of channels where load >= capacity (kept with `loads`)
        # load and capacity per channel, 8 bits each, in the record itself: a decision reads
        # and updates them with no list (two lists were four more allocations to read)
        self.loads = 0
        self.caps = 0
        self.since = now
        self.last_offer = 0
        self.views: tuple[LaneStage, ...] = ()
        # in hand, offered, or held through a warm transfer, in the order taken; a task that
        # leaves clears its slot (None) and trailing slots are dropped (see `engine._drop`)
        self.tasks: list[TaskRt | None] = []
        self.offered = 0
        self.pushed = -1  # the version whose entries are in the pools (-1: none)
        self.fseq = 0  # order of filing: ties in idle time go to who was filed first
        self.personal: list[tuple[TaskRt, int]] = []
        self.id = spec.id
        self.partner = spec.partner
        self.accepted = 0
        self.presence = Presence.OFFLINE
        self.reason: str | None = None
        self.wrap_until = 0.0
        self.wrap_gen = 0
        self.rejected = self.missed = 0
        self.apply_spec(spec)

    def apply_spec(self, spec: AgentSpec) -> None:
        self.spec = spec
        self.skills = dict(spec.skills)
        self.team = spec.team
        self.role = str(spec.role)
        self.partner = spec.partner
        self.cap = [min(MAX_CAPACITY, max(0, spec.capacity_for(ch))) for ch in CHANNELS]
        self.caps = sum(c << (i << 3) for i, c in enumerate(self.cap))
        self.chans = tuple(i for i, c in enumerate(self.cap) if c > 0)
        self.chmask = sum(1 << i for i in self.chans)
        self.full = sum(1 << i for i, c in enumerate(self.cap) if self.load(i) >= c)
        self.max_total = spec.max_total
        # per channel: tuples (items inline: one object to read per look, not two), rebuilt
        # when the agent joins a pool
        self.pools: list[tuple[Pool, ...]] = [() for _ in CHANNELS]
        # the lanes the agent may serve, all channels in one tuple (one object to read)
        self.views = ()

    def load(self, ci: int) -> int:
        """Tasks in hand on a channel."""
        return self.loads >> (ci << 3) & 255

    @property
    def staffed(self) -> bool:
        """Logged in and working (available, busy or in wrap-up): counts for estimated wait."""
        return self.presence is AVAILABLE


@mypyc_attr(acyclic=True)  # no references back: not tracked by the cyclic collector
class ChannelStats:
    """A queue's counters on one channel. Native int and float fields: a count past 256 in
    a list was a new int object at every change (a decision moves two or three of them)."""

    __slots__ = ("abandoned", "aht", "answered", "in_sla", "timed", "waiting")

    def __init__(self) -> None:
        self.waiting = 0
        self.answered = 0
        self.in_sla = 0
        self.abandoned = 0
        self.aht = 0.0  # average handle time (a moving average), once `timed`
        self.timed = False


class QueueRt:
    """A queue's runtime: its config, the stage timeline, waiting tasks and statistics."""

    __slots__ = (
        "afters",
        "cfg",
        "events",
        "laned",
        "lanes",
        "limited",
        "name",
        "open_state",
        "open_until",
        "pcache",
        "policy",
        "stage_texts",
        "stats",
        "within",
        "wrap",
    )

    def __init__(self, cfg: QueueConfig) -> None:
        self.name = cfg.name
        self.stats = [ChannelStats() for _ in CHANNELS]  # by channel index
        self.apply(cfg)

    def apply(self, cfg: QueueConfig) -> None:
        self.cfg = cfg
        self.policy = POLICY_CODES[cfg.policy.value]
        events: list[tuple[float, int, Stage | OverflowRule]] = [
            (s.after, 0, s) for s in cfg.widening
        ]
        events += [(r.after, 1, r) for r in cfg.overflow if r.when == "max_wait"]
        self.events = [e[2] for e in sorted(events, key=lambda e: (e[0], e[1]))]
        self.limited = cfg.data_scope == "limited"
        self.afters = [e.after for e in self.events]
        self.stage_texts = [_event_text(e) for e in self.events]  # for `Widened`
        self.laned = all(isinstance(e, Stage) for e in self.events)  # no max-wait overflow
        # pools of a plain task by stage * len(CHANNELS) + channel (a list: see `_USUAL`)
        self.pcache: list[tuple[Pool, ...] | None] = []
        self.within = [cfg.sla_for(ch).within for ch in CHANNELS]
        self.wrap = [float(cfg.wrap_up.get(ch, 0.0)) for ch in CHANNELS]
        self.open_state = True
        self.open_until = -1.0  # cache of business hours: valid while now < open_until
        self.lanes: list[Lanes | None] = [None] * len(CHANNELS)  # by channel, built on first use


class TaskExtra:
    """What few tasks need, kept out of the task's record (allocated on first use): a
    transfer, a sticky or personal agent, exclusions after a reject, an escalation, a
    promise, skills of the task's own, an off-lane widening timer, a written-out history.

    Every field more in `TaskRt` was a few percent on the benchmark: a decision reads tasks
    nobody has touched for minutes, and a smaller record is fewer cache lines to read and
    more tasks in the cache (13 fields more, unused, cost 10% when measured)."""

    __slots__ = (
        "excluded",
        "history",
        "offered_at",
        "override",
        "promise_due",
        "promise_gen",
        "stage_gen",
        "target",
        "target_rule",
        "target_until",
        "warm_from",
        "xpref",
        "xreq",
    )

    def __init__(self) -> None:
        self.warm_from: AgentRt | None = None
        self.target: AgentRt | None = None
        self.target_rule = ""
        self.target_until = 0.0
        self.excluded: dict[int, float] | None = None  # agent index -> until (declined it)
        self.override: Requirement | None = None  # e.g. "any supervisor" after an escalation
        self.promise_due: float | None = None
        self.promise_gen = 0
        self.offered_at = 0.0
        self.xreq: tuple[SkillReq, ...] = ()
        self.xpref: tuple[SkillReq, ...] = ()
        self.stage_gen = 0
        self.history: list[Any] | None = None  # written out (None: nothing yet)


# Not tracked by the cyclic collector (compiled): a task is linked into the collector's list
# as it arrives and unlinked as it finishes, minutes later, writing to two neighbours nobody
# has touched since. Tasks do close cycles (with their agent, lane, pools and queue): the
# engine lets go of them when it is dropped (`RoutingEngine.__del__`), and a reconfiguration
# empties the pools it replaces.
@mypyc_attr(acyclic=True)
class TaskRt:
    """A task in the engine. The rarer fields (see `TaskExtra`) are properties over `x`:
    reading one on a task without extras gives its default, and setting one to its default
    allocates nothing."""

    __slots__ = (
        "a_agent",
        "a_ci",
        "a_excl",
        "a_idle",
        "a_req",
        "a_rule",
        "a_scope",
        "agent",
        "arrival",
        "assigned_at",
        "attempt",
        "case_id",
        "ci",
        "deadline",
        "fifo",
        "filed",
        "hand",
        "id",
        "pooled",
        "pools",
        "prio",
        "q",
        "rank",
        "seq",
        "stage",
        "stage_base",
        "state",
        "ver",
        "w_base",
        "w_from",
        "w_lanes",
        "w_to",
        "x",
    )

    def __init__(self, spec: TaskSpec, q: QueueRt, seq: int, arrival: float) -> None:
        # Compiled, fields are laid out in the order first assigned here. A decision reads a
        # task it has not seen for minutes (the head of a lane, the task an agent completes):
        # what it reads comes first.
        self.id = spec.id
        self.q = q
        self.ci = CH_INDEX[spec.channel]
        self.state = TaskState.WAITING
        self.ver = 0
        self.agent: AgentRt | None = None
        self.rank = 0.0
        self.seq = seq
        self.stage = 0
        self.stage_base = arrival
        self.fifo: Fifo | None = None  # filed in a lane while waiting
        self.filed = False
        self.pooled = False  # filed in pool heaps while waiting
        self.pools: tuple[Pool, ...] = ()
        self.x: TaskExtra | None = None
        # The history (see `trail`): the entries written out (`history`), then the ones
        # still pending, kept as fields rather than objects: widening steps taken in a lane
        # (written as the lane's head widens) and the assignment (at `assigned_at`).
        self.w_lanes: Lanes | None = None  # pending: stages w_from..w_to of these lanes
        self.w_from = 0
        self.w_to = 0
        self.w_base = 0.0
        self.attempt = 0
        self.deadline = 0.0
        self.assigned_at = 0.0
        self.hand = 0  # its index in its agent's `tasks`
        self.a_rule: str | None = None  # pending: the assignment (None: none)
        self.a_agent = ""
        self.a_ci = 0
        self.a_req: Requirement | None = None
        self.a_idle = 0.0
        self.a_scope = ""
        self.a_excl: tuple[tuple[str, str], ...] = ()
        self.case_id = spec.case_id
        self.arrival = arrival
        self.prio = int(spec.priority)
        self.xreq = spec.skills  # (the setters make extras only for skills of its own)
        self.xpref = spec.preferred

    @property
    def channel(self) -> Channel:
        return CHANNELS[self.ci]

    def extra(self) -> TaskExtra:
        x = self.x
        if x is None:
            x = self.x = TaskExtra()
        return x

    @property
    def warm_from(self) -> AgentRt | None:
        x = self.x
        return None if x is None else x.warm_from

    @warm_from.setter
    def warm_from(self, value: AgentRt | None) -> None:
        if value is not None or self.x is not None:
            self.extra().warm_from = value

    @property
    def target(self) -> AgentRt | None:
        x = self.x
        return None if x is None else x.target

    @target.setter
    def target(self, value: AgentRt | None) -> None:
        if value is not None or self.x is not None:
            self.extra().target = value

    @property
    def target_rule(self) -> str:
        x = self.x
        return "" if x is None else x.target_rule

    @target_rule.setter
    def target_rule(self, value: str) -> None:
        self.extra().target_rule = value

    @property
    def target_until(self) -> float:
        x = self.x
        return 0.0 if x is None else x.target_until

    @target_until.setter
    def target_until(self, value: float) -> None:
        self.extra().target_until = value

    @property
    def excluded(self) -> dict[int, float] | None:
        x = self.x
        return None if x is None else x.excluded

    @excluded.setter
    def excluded(self, value: dict[int, float] | None) -> None:
        if value is not None or self.x is not None:
            self.extra().excluded = value

    @property
    def override(self) -> Requirement | None:
        x = self.x
        return None if x is None else x.override

    @override.setter
    def override(self, value: Requirement | None) -> None:
        if value is not None or self.x is not None:
            self.extra().override = value

    @property
    def promise_due(self) -> float | None:
        x = self.x
        return None if x is None else x.promise_due

    @promise_due.setter
    def promise_due(self, value: float | None) -> None:
        if value is not None or self.x is not None:
            self.extra().promise_due = value

    @property
    def promise_gen(self) -> int:
        x = self.x
        return 0 if x is None else x.promise_gen

    @promise_gen.setter
    def promise_gen(self, value: int) -> None:
        self.extra().promise_gen = value

    @property
    def offered_at(self) -> float:
        x = self.x
        return 0.0 if x is None else x.offered_at

    @offered_at.setter
    def offered_at(self, value: float) -> None:
        self.extra().offered_at = value

    @property
    def xreq(self) -> tuple[SkillReq, ...]:
        x = self.x
        return () if x is None else x.xreq

    @xreq.setter
    def xreq(self, value: tuple[SkillReq, ...]) -> None:
        if value or self.x is not None:
            self.extra().xreq = value

    @property
    def xpref(self) -> tuple[SkillReq, ...]:
        x = self.x
        return () if x is None else x.xpref

    @xpref.setter
    def xpref(self, value: tuple[SkillReq, ...]) -> None:
        if value or self.x is not None:
            self.extra().xpref = value

    @property
    def stage_gen(self) -> int:
        x = self.x
        return 0 if x is None else x.stage_gen

    @stage_gen.setter
    def stage_gen(self, value: int) -> None:
        self.extra().stage_gen = value

    @property
    def history(self) -> list[Any] | None:
        x = self.x
        return None if x is None else x.history

    @history.setter
    def history(self, value: list[Any] | None) -> None:
        if value is not None or self.x is not None:
            self.extra().history = value


@mypyc_attr(acyclic=True)  # no references back: not tracked by the cyclic collector
class Finished:
    """What is kept of a finished task (the last `history_limit` of them) for `task()` and
    `explain()`: its identity, final figures and history (see `trail`).

    The task itself is freed as it finishes, while it is still in the cache. The ring that
    keeps these records fills the oldest one's object again with the newest: no object to
    allocate, to link into the collector's list, and to unlink from it, cold, later. What
    the record holds is fields and shared values (a task's usual history, its widening steps
    in a lane and its assignment, is pending fields, not objects): dropping the oldest frees
    little more than its id. (Freeing whole tasks there, then histories of decision objects,
    long after anyone touched them, were a third, then a quarter, of a decision's last-level
    cache misses when agents free up.)"""

    __slots__ = (
        "a_agent",
        "a_ci",
        "a_excl",
        "a_idle",
        "a_req",
        "a_rule",
        "a_scope",
        "agent_id",
        "arrival",
        "assigned_at",
        "attempt",
        "ci",
        "deadline",
        "history",
        "id",
        "prio",
        "queue",
        "w_base",
        "w_from",
        "w_lanes",
        "w_to",
    )

    def __init__(self, t: TaskRt) -> None:
        self.fill(t)

    def fill(self, t: TaskRt) -> None:
        self.id = t.id
        self.queue = t.q.name
        self.ci = t.ci
        self.agent_id = t.agent.id if t.agent is not None else None
        self.history = t.history
        self.prio = t.prio
        self.arrival = t.arrival
        self.deadline = t.deadline
        self.attempt = t.attempt
        self.w_lanes = t.w_lanes
        self.w_from = t.w_from
        self.w_to = t.w_to
        self.w_base = t.w_base
        self.a_rule = t.a_rule
        self.assigned_at = t.assigned_at  # (a pending assignment's time)
        self.a_agent = t.a_agent
        self.a_ci = t.a_ci
        self.a_req = t.a_req
        self.a_idle = t.a_idle
        self.a_scope = t.a_scope
        self.a_excl = t.a_excl


def _event_text(event: Stage | OverflowRule) -> str:
    if not isinstance(event, Stage):
        return f"after {event.after:.0f} s: overflow to {event.to}"
    parts = []
    if event.drop_preferred:
        parts.append("preferred skills dropped")
    if event.lower_levels:
        parts.append(f"levels lowered by {event.lower_levels}")
    if event.queues:
        parts.append("agents of " + ", ".join(event.queues) + " may take it")
    return f"after {event.after:.0f} s: " + ", ".join(parts)
