"""Random logs replayed live and in batch give the same buckets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicenter.metrics import AgentState, LiveAggregator, MetricEvent, MetricKind, batch_buckets
from tests.unit.metrics.handmade import T0

K = MetricKind
_STEP = st.sampled_from([K.ANSWERED, K.ABANDONED, K.TRANSFERRED, K.ENDED, K.CSAT])


@st.composite
def contact_log(draw: st.DrawFn, idx: int) -> list[tuple[float, int, MetricEvent]]:
    t = draw(st.floats(0, 3 * 86400, allow_nan=False))
    cid = f"c{idx}"
    case = f"k{draw(st.integers(0, 4))}"
    out = [
        (
            t,
            0,
            MetricEvent(
                K.OFFERED,
                T0 + timedelta(seconds=t),
                cid,
                case_id=case,
                queue=draw(st.sampled_from(["q1", "q2"])),
                channel=draw(st.sampled_from(["voice", "email"])),
                sl_target_s=20.0,
            ),
        )
    ]
    for step, kind in enumerate(draw(st.lists(_STEP, max_size=5)), start=1):
        t += draw(st.floats(0.5, 4000, allow_nan=False))
        ev = MetricEvent(
            kind,
            T0 + timedelta(seconds=t),
            cid,
            agent=draw(st.sampled_from(["a1", "a2", "a3"])),
            team=draw(st.sampled_from(["t1", "t2"])),
            talk_s=draw(st.floats(0, 900, allow_nan=False)),
            wrap_s=30.0,
            score=draw(st.integers(1, 5)),
        )
        out.append((t, step, ev))
    return out


@st.composite
def logs(draw: st.DrawFn) -> list[MetricEvent]:
    n = draw(st.integers(0, 12))
    timed = [x for i in range(n) for x in draw(contact_log(i))]
    for j in range(draw(st.integers(0, 3))):
        t = draw(st.floats(0, 86400, allow_nan=False))
        timed.append(
            (
                t,
                j,
                MetricEvent(
                    K.AGENT_STATE,
                    T0 + timedelta(seconds=t),
                    agent="a1",
                    state=draw(st.sampled_from(list(AgentState))),
                    seconds=draw(st.floats(0, 5000, allow_nan=False)),
                ),
            )
        )
    timed.sort(key=lambda x: (x[0], x[1]))
    return [ev for _, _, ev in timed]


@settings(max_examples=60, deadline=None)
@given(logs())
def test_live_replay_equals_batch(log: list[MetricEvent]) -> None:
    live = LiveAggregator()
    for ev in log:
        live.add(ev)
    batch = batch_buckets(log)
    assert set(live.buckets) == set(batch)
    for key, c in batch.items():
        # sums may be added in another order: equal up to float rounding
        assert live.buckets[key].as_dict() == pytest.approx(c.as_dict(), rel=1e-12), key
