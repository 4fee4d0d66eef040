"""Incremental aggregation: each event becomes counter deltas on 15-minute buckets.

The fold keeps a little state per open contact, per case (its latest contact, for FCR)
and per promise, so that a late fact (the wrap-up of a call, a CSAT answer hours later)
lands in the bucket of the contact it belongs to. The live wallboard keeps this state in
memory (`LiveAggregator`); the SQL store loads and saves it around each batch.
Events of one contact must arrive in time order; contacts may interleave freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from omnicenter.metrics.config import INTERVAL_S, MetricsConfig, interval_start
from omnicenter.metrics.counters import BucketKey, Counters, Delta
from omnicenter.metrics.events import AgentState, MetricEvent, MetricKind

__all__ = [
    "CaseState",
    "ContactState",
    "Fold",
    "FoldState",
    "LiveAggregator",
    "PromiseState",
    "split_span",
]

_STATE_COUNTER = {
    AgentState.AVAILABLE: "available_s",
    AgentState.BUSY: "busy_s",
    AgentState.WRAP_UP: "wrap_up_s",
    AgentState.AWAY: "away_s",
}


@dataclass(slots=True)
class ContactState:
    start: int
    offered_at: float
    queue: str
    channel: str
    segment: str
    case_id: str
    sl_target_s: float
    team: str = ""
    agent: str = ""
    answered: bool = False
    abandoned: bool = False
    repeated: bool = False
    handled_team: str = ""  # who answered first: handled, ASA and FCR stay with them
    handled_agent: str = ""

    def key(self) -> BucketKey:
        return BucketKey(self.start, self.queue, self.channel, self.segment, self.team, self.agent)

    def handled_key(self) -> BucketKey:
        return BucketKey(
            self.start,
            self.queue,
            self.channel,
            self.segment,
            self.handled_team,
            self.handled_agent,
        )


@dataclass(slots=True)
class CaseState:
    last_contact: str
    last_offered_at: float


@dataclass(slots=True)
class PromiseState:
    start: int
    due_at: float
    queue: str
    channel: str
    segment: str
    settled: bool = False


@dataclass(slots=True)
class FoldState:
    contacts: dict[str, ContactState] = field(default_factory=dict)
    cases: dict[str, CaseState] = field(default_factory=dict)
    promises: dict[str, PromiseState] = field(default_factory=dict)


def split_span(start: float, seconds: float) -> list[tuple[int, float]]:
    """Cut [start, start + seconds) at 15-minute boundaries: (interval start, seconds in it)."""
    out: list[tuple[int, float]] = []
    end = start + seconds
    t = start
    while t < end:
        bucket = int(t // INTERVAL_S) * INTERVAL_S
        stop = min(end, bucket + INTERVAL_S)
        out.append((bucket, stop - t))
        t = stop
    return out


class Fold:
    """Turns events into deltas; `ignored` counts facts about contacts it never saw offered."""

    def __init__(self, config: MetricsConfig | None = None, state: FoldState | None = None):
        self.config = config or MetricsConfig()
        self.state = state if state is not None else FoldState()
        self.ignored = 0

    def apply(self, ev: MetricEvent) -> list[Delta]:
        kind = ev.kind
        at = ev.at.astimezone(UTC).timestamp()
        if kind is MetricKind.OFFERED:
            return self._offered(ev, at)
        if kind is MetricKind.AGENT_STATE:
            if ev.state is None:
                self.ignored += 1
                return []
            name = _STATE_COUNTER[ev.state]
            key = BucketKey(0, team=ev.team, agent=ev.agent)
            return [Delta(key._replace(start=b), name, s) for b, s in split_span(at, ev.seconds)]
        if kind is MetricKind.RESOLVED:
            key = BucketKey(interval_start(at), ev.queue, ev.channel, ev.segment)
            return [Delta(key, "resolved", 1.0)]
        if kind in (MetricKind.PROMISE_MADE, MetricKind.PROMISE_KEPT, MetricKind.PROMISE_BROKEN):
            return self._promise(ev, at)
        c = self.state.contacts.get(ev.contact_id)
        if c is None:
            self.ignored += 1
            return []
        if kind is MetricKind.ANSWERED:
            first = not c.answered
            c.answered, c.agent, c.team = True, ev.agent, ev.team
            if not first:  # re-answered after a transfer: the same contact, a new owner
                return []
            c.handled_team, c.handled_agent = ev.team, ev.agent
            wait = at - c.offered_at
            k = c.key()
            out = [Delta(k, "handled", 1.0), Delta(k, "wait_answered_s", wait)]
            if wait <= c.sl_target_s:
                out.append(Delta(k, "answered_in_sl", 1.0))
            if c.repeated:
                out.append(Delta(k, "repeats", 1.0))
            return out
        if kind is MetricKind.ABANDONED:
            if c.answered or c.abandoned:
                return []
            c.abandoned = True
            wait = at - c.offered_at
            k = c.key()
            out = [Delta(k, "abandoned", 1.0), Delta(k, "wait_abandoned_s", wait)]
            if wait < self.config.short_abandon_s:
                out.append(Delta(k, "short_abandoned", 1.0))
            return out
        k = c.key()
        if kind is MetricKind.TRANSFERRED:
            return [Delta(k, "transfers", 1.0)]
        if kind is MetricKind.ENDED:
            return [
                Delta(k, "ended", 1.0),
                Delta(k, "talk_s", ev.talk_s),
                Delta(k, "hold_s", ev.hold_s),
                Delta(k, "wrap_s", ev.wrap_s),
            ]
        # CSAT
        out = [Delta(k, "csat_responses", 1.0), Delta(k, "csat_score_sum", float(ev.score))]
        if ev.score >= self.config.satisfied_score:
            out.append(Delta(k, "csat_satisfied", 1.0))
        return out

    def _offered(self, ev: MetricEvent, at: float) -> list[Delta]:
        c = ContactState(
            interval_start(at), at, ev.queue, ev.channel, ev.segment, ev.case_id, ev.sl_target_s
        )
        self.state.contacts[ev.contact_id] = c
        out = [Delta(c.key(), "offered", 1.0)]
        if ev.case_id:
            prev = self.state.cases.get(ev.case_id)
            if prev is not None and at - prev.last_offered_at <= self.config.fcr_window_s:
                p = self.state.contacts.get(prev.last_contact)
                if p is not None and not p.repeated:
                    p.repeated = True
                    if p.answered:
                        out.append(Delta(p.handled_key(), "repeats", 1.0))
            self.state.cases[ev.case_id] = CaseState(ev.contact_id, at)
        return out

    def _promise(self, ev: MetricEvent, at: float) -> list[Delta]:
        promises = self.state.promises
        if ev.kind is MetricKind.PROMISE_MADE:
            due = ev.due_at.astimezone(UTC).timestamp() if ev.due_at else at
            p = PromiseState(interval_start(due), due, ev.queue, ev.channel, ev.segment)
            promises[ev.contact_id] = p
            return [Delta(self._promise_key(p), "promises_made", 1.0)]
        p0 = promises.get(ev.contact_id)
        if p0 is None or p0.settled:
            self.ignored += p0 is None
            return []
        p0.settled = True
        kept = ev.kind is MetricKind.PROMISE_KEPT and at <= p0.due_at
        return [Delta(self._promise_key(p0), "promises_kept" if kept else "promises_broken", 1.0)]

    @staticmethod
    def _promise_key(p: PromiseState) -> BucketKey:
        return BucketKey(p.start, p.queue, p.channel, p.segment)

    def prune(self, now: float) -> None:
        """Forget contacts and cases older than the FCR window, and settled promises."""
        horizon = now - self.config.fcr_window_s - 86400.0  # a day's grace for late CSAT
        st = self.state
        st.contacts = {k: c for k, c in st.contacts.items() if c.offered_at >= horizon}
        st.cases = {k: c for k, c in st.cases.items() if c.last_offered_at >= horizon}
        st.promises = {k: p for k, p in st.promises.items() if not p.settled}


class LiveAggregator:
    """The wallboard's view: buckets updated as each event arrives."""

    def __init__(self, config: MetricsConfig | None = None) -> None:
        self.fold = Fold(config)
        self.buckets: dict[BucketKey, Counters] = {}

    def add(self, ev: MetricEvent) -> None:
        buckets = self.buckets
        for d in self.fold.apply(ev):
            c = buckets.get(d.key)
            if c is None:
                c = buckets[d.key] = Counters()
            c.bump(d.name, d.value)
