"""A seeded synthetic event log (demo report, benchmark): days of contacts, in time order."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from omnicenter.metrics.events import AgentState, MetricEvent, MetricKind

__all__ = ["synthetic_log"]

K = MetricKind
_CHANNELS = (
    ("voice", 0.45, 20.0),
    ("webchat", 0.3, 30.0),
    ("email", 0.15, 3600.0),
    ("sms", 0.1, 300.0),
)
_QUEUES = ("sales", "support", "returns")
_SEGMENTS = (("standard", 0.6), ("basic", 0.25), ("gold", 0.15))


def _profile(hour: float) -> float:
    """Arrival intensity through the day: a morning and an afternoon peak."""
    return 0.05 + math.exp(-((hour - 10.5) ** 2) / 4) + 0.8 * math.exp(-((hour - 15) ** 2) / 5)


def synthetic_log(
    contacts_per_day: int, days: int = 1, *, agents: int = 50, seed: int = 7,
    start: datetime = datetime(2026, 3, 2, tzinfo=UTC),
) -> Iterator[MetricEvent]:  # fmt: skip
    """About 5.3 events per contact (offer, answer or abandon, end, busy/wrap spans, CSAT)."""
    rng = random.Random(seed)
    names = [f"agt_{i:04d}" for i in range(agents)]
    teams = {a: f"team_{i % max(1, agents // 10)}" for i, a in enumerate(names)}
    chans, cw = [c[0] for c in _CHANNELS], [c[1] for c in _CHANNELS]
    targets = {c[0]: c[2] for c in _CHANNELS}
    segs, sw = [s[0] for s in _SEGMENTS], [s[1] for s in _SEGMENTS]
    hours = [h / 4 for h in range(96)]
    weights = [_profile(h) for h in hours]
    open_cases: list[tuple[str, str]] = []
    carry: list[tuple[float, int, MetricEvent]] = []
    seq = 0
    case_no = 0
    for d in range(days):
        day0 = start + timedelta(days=d)
        evs: list[tuple[float, int, MetricEvent]] = carry
        for a in names:  # an eight-hour shift, half an hour of it away
            shift = day0 + timedelta(hours=8 + rng.random() * 4)
            evs.append((shift.timestamp(), 0, MetricEvent(
                K.AGENT_STATE, shift, agent=a, team=teams[a], state=AgentState.AVAILABLE,
                seconds=7.5 * 3600)))  # fmt: skip
            evs.append((shift.timestamp() + 4 * 3600, 0, MetricEvent(
                K.AGENT_STATE, shift + timedelta(hours=4), agent=a, team=teams[a],
                state=AgentState.AWAY, seconds=1800)))  # fmt: skip
        quarters = rng.choices(range(96), weights, k=contacts_per_day)
        for q in quarters:
            seq += 1
            t = day0 + timedelta(seconds=q * 900 + rng.random() * 900)
            ch = rng.choices(chans, cw)[0]
            if open_cases and rng.random() < 0.15:
                case, seg = open_cases[rng.randrange(len(open_cases))]
            else:
                case_no += 1
                case, seg = f"cas_{case_no}", rng.choices(segs, sw)[0]
                open_cases.append((case, seg))
                if len(open_cases) > 5000:
                    open_cases.pop(0)
            cid = f"tsk_{seq}"
            queue = _QUEUES[seq % 3]
            out = [MetricEvent(K.OFFERED, t, cid, case_id=case, queue=queue, channel=ch,
                               segment=seg, sl_target_s=targets[ch])]  # fmt: skip
            wait = rng.expovariate(1 / (targets[ch] * 0.8))
            if ch in ("voice", "webchat") and rng.random() < 0.07:
                out.append(MetricEvent(K.ABANDONED, t + timedelta(seconds=wait * 0.7), cid))
            else:
                a = names[rng.randrange(agents)]
                t1 = t + timedelta(seconds=wait)
                talk, hold, wrap = rng.expovariate(1 / 240), rng.expovariate(1 / 20), 30.0
                t2 = t1 + timedelta(seconds=talk + hold)
                out += [
                    MetricEvent(K.ANSWERED, t1, cid, agent=a, team=teams[a]),
                    MetricEvent(K.AGENT_STATE, t1, agent=a, team=teams[a],
                                state=AgentState.BUSY, seconds=talk + hold),
                    MetricEvent(K.AGENT_STATE, t2, agent=a, team=teams[a],
                                state=AgentState.WRAP_UP, seconds=wrap),
                    MetricEvent(K.ENDED, t2 + timedelta(seconds=wrap), cid, talk_s=talk,
                                hold_s=hold, wrap_s=wrap),
                ]  # fmt: skip
                if rng.random() < 0.3:
                    out.append(MetricEvent(K.CSAT, t2 + timedelta(seconds=60), cid,
                                           score=rng.choices(range(1, 6), (1, 1, 2, 4, 5))[0]))  # fmt: skip
                if rng.random() < 0.5:
                    out.append(MetricEvent(K.RESOLVED, t2 + timedelta(seconds=wrap + 1),
                                           case_id=case, queue=queue, channel=ch, segment=seg))  # fmt: skip
            if rng.random() < 0.03:
                pid = f"prm_{seq}"
                due = t + timedelta(hours=2)
                out.append(MetricEvent(K.PROMISE_MADE, t, pid, queue=queue, channel=ch,
                                       segment=seg, due_at=due))  # fmt: skip
                kept = rng.random() < 0.8
                out.append(MetricEvent(K.PROMISE_KEPT if kept else K.PROMISE_BROKEN,
                                       due - timedelta(minutes=10 if kept else -1), pid))  # fmt: skip
            for i, ev in enumerate(out):
                evs.append((ev.at.timestamp(), seq * 10 + i, ev))
        evs.sort(key=lambda x: (x[0], x[1]))
        end = (day0 + timedelta(days=1)).timestamp()
        split = next((i for i, x in enumerate(evs) if x[0] >= end), len(evs))
        yield from (ev for _, _, ev in evs[:split])
        carry = evs[split:] if d < days - 1 else []
        if d == days - 1:
            yield from (ev for _, _, ev in evs[split:])
