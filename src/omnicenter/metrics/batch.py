"""Batch aggregation: the whole log at once, contact by contact.

Written independently of the incremental fold (grouping first, then classifying each
contact from all its facts), so that the live == batch test compares two computations.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC

from omnicenter.metrics.config import MetricsConfig, interval_start
from omnicenter.metrics.counters import BucketKey, Counters
from omnicenter.metrics.events import AgentState, MetricEvent, MetricKind
from omnicenter.metrics.fold import split_span

__all__ = ["batch_buckets"]

_PROMISE = (MetricKind.PROMISE_MADE, MetricKind.PROMISE_KEPT, MetricKind.PROMISE_BROKEN)
_STATE_NAME = {
    AgentState.AVAILABLE: "available_s",
    AgentState.BUSY: "busy_s",
    AgentState.WRAP_UP: "wrap_up_s",
    AgentState.AWAY: "away_s",
}


def _ts(ev: MetricEvent) -> float:
    return ev.at.astimezone(UTC).timestamp()


def batch_buckets(
    events: Iterable[MetricEvent], config: MetricsConfig | None = None
) -> dict[BucketKey, Counters]:
    cfg = config or MetricsConfig()
    log = sorted(events, key=_ts)  # stable: equal times keep log order
    out: dict[BucketKey, Counters] = defaultdict(Counters)
    contacts: dict[str, list[MetricEvent]] = defaultdict(list)
    promises: dict[str, list[MetricEvent]] = defaultdict(list)
    for ev in log:
        if ev.kind is MetricKind.AGENT_STATE:
            if ev.state is not None:
                for start, secs in split_span(_ts(ev), ev.seconds):
                    out[BucketKey(start, team=ev.team, agent=ev.agent)].bump(
                        _STATE_NAME[ev.state], secs
                    )
        elif ev.kind is MetricKind.RESOLVED:
            out[BucketKey(interval_start(ev.at), ev.queue, ev.channel, ev.segment)].resolved += 1
        elif ev.kind in _PROMISE:
            promises[ev.contact_id].append(ev)
        else:
            contacts[ev.contact_id].append(ev)

    # A contact's history starts at its (last) offer; facts before it are not about it.
    histories: dict[str, list[MetricEvent]] = {}
    for cid, evs in contacts.items():
        offers = [i for i, e in enumerate(evs) if e.kind is MetricKind.OFFERED]
        if offers:
            histories[cid] = evs[offers[-1] :]

    repeated = _repeated(histories, cfg.fcr_window_s)
    for cid, evs in histories.items():
        _contact(out, evs, cid in repeated, cfg)
    for evs in promises.values():
        _promise(out, evs)
    return dict(out)


def _repeated(histories: dict[str, list[MetricEvent]], window: float) -> set[str]:
    """Contacts followed, within the window, by another contact about the same case."""
    by_case: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for cid, evs in histories.items():
        if evs[0].case_id:
            by_case[evs[0].case_id].append((_ts(evs[0]), cid))
    out: set[str] = set()
    for offers in by_case.values():
        offers.sort(key=lambda o: o[0])
        for (t0, cid), (t1, _) in itertools.pairwise(offers):
            if t1 - t0 <= window:
                out.add(cid)
    return out


def _contact(
    out: dict[BucketKey, Counters], evs: list[MetricEvent], repeated: bool, cfg: MetricsConfig
) -> None:
    offer = evs[0]
    t0 = _ts(offer)
    base = BucketKey(interval_start(t0), offer.queue, offer.channel, offer.segment)
    current = base
    first_answer: MetricEvent | None = None
    abandoned = False
    for ev in evs[1:]:
        if ev.kind is MetricKind.ANSWERED:
            current = base._replace(team=ev.team, agent=ev.agent)
            if first_answer is None:
                first_answer = ev
        elif ev.kind is MetricKind.ABANDONED and first_answer is None and not abandoned:
            abandoned = True
            wait = _ts(ev) - t0
            b = out[base]
            b.abandoned += 1
            b.wait_abandoned_s += wait
            b.short_abandoned += wait < cfg.short_abandon_s
        elif ev.kind is MetricKind.TRANSFERRED:
            out[current].transfers += 1
        elif ev.kind is MetricKind.ENDED:
            b = out[current]
            b.ended += 1
            b.talk_s += ev.talk_s
            b.hold_s += ev.hold_s
            b.wrap_s += ev.wrap_s
        elif ev.kind is MetricKind.CSAT:
            b = out[current]
            b.csat_responses += 1
            b.csat_score_sum += ev.score
            b.csat_satisfied += ev.score >= cfg.satisfied_score
    out[base].offered += 1
    if first_answer is not None:
        wait = _ts(first_answer) - t0
        b = out[base._replace(team=first_answer.team, agent=first_answer.agent)]
        b.handled += 1
        b.wait_answered_s += wait
        b.answered_in_sl += wait <= offer.sl_target_s
        b.repeats += repeated


def _promise(out: dict[BucketKey, Counters], evs: list[MetricEvent]) -> None:
    made = [i for i, e in enumerate(evs) if e.kind is MetricKind.PROMISE_MADE]
    if not made:
        return
    p = evs[made[-1]]
    due = _ts(p) if p.due_at is None else p.due_at.astimezone(UTC).timestamp()
    b = out[BucketKey(interval_start(due), p.queue, p.channel, p.segment)]
    b.promises_made += 1
    outcome = next((e for e in evs[made[-1] + 1 :]), None)
    if outcome is None:
        return
    if outcome.kind is MetricKind.PROMISE_KEPT and _ts(outcome) <= due:
        b.promises_kept += 1
    else:
        b.promises_broken += 1
