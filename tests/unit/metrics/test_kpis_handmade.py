from __future__ import annotations

import pytest

from omnicenter.metrics import (
    Grain,
    LiveAggregator,
    MetricEvent,
    MetricKind,
    batch_buckets,
    interval_start,
    kpis,
    rollup,
)
from tests.unit.metrics.handmade import LOG, T0, at


def live_buckets(log: list[MetricEvent]) -> LiveAggregator:
    agg = LiveAggregator()
    for ev in log:
        agg.add(ev)
    return agg


def test_queue_kpis_on_the_handmade_log() -> None:
    total = rollup(batch_buckets(LOG), by=("queue",))
    k = kpis(total[(0, "sales")])
    assert (k.offered, k.handled, k.abandoned, k.short_abandoned) == (5, 3, 2, 1)
    assert k.service_level == pytest.approx(2 / 4)  # c1 and c5 within 20 s; c3 left out
    assert k.abandon_rate == pytest.approx(1 / 4)
    assert k.asa == pytest.approx((10 + 40 + 15) / 3)
    assert k.avg_abandon_time == pytest.approx((3 + 60) / 2)
    assert k.aht == pytest.approx((250 + 120 + 300) / 3)
    assert k.fcr == pytest.approx(2 / 3)  # c1 was followed by c5 on the same case
    assert (k.transfers, k.transfer_rate) == (1, pytest.approx(1 / 3))
    assert k.csat == pytest.approx(1 / 2)
    assert k.csat_avg == pytest.approx(3.5)
    assert k.csat_response_rate == pytest.approx(2 / 3)
    assert k.resolved == 1
    assert (k.promises_made, k.promises_kept, k.promises_broken) == (4, 1, 2)
    assert k.promise_kept_rate == pytest.approx(1 / 3)


def test_agent_kpis_follow_who_answered_and_who_finished() -> None:
    by_agent = rollup(batch_buckets(LOG), by=("agent",))
    a1, a2 = kpis(by_agent[(0, "a1")]), kpis(by_agent[(0, "a2")])
    assert (a1.handled, a2.handled) == (2, 1)  # c2 stays with a2, who answered it first
    assert (a1.transfers, a2.transfers) == (0, 1)
    assert a1.aht == pytest.approx((250 + 120 + 300) / 3)  # a1 finished c2 after the transfer
    # Handle time c1 250 + c2 120 + c5 300 = 670 s against 300 s available, 100 s away.
    assert a1.occupancy == pytest.approx(670 / (670 + 300))
    assert a1.utilisation == pytest.approx(670 / (670 + 300 + 100))
    assert a2.occupancy is None  # no agent time recorded for a2


def test_intervals_split_contacts_by_offer_time_and_states_by_clock() -> None:
    quarters = rollup(batch_buckets(LOG), by=("agent",), grain=Grain.QUARTER)
    q9, q915 = interval_start(T0), interval_start(at(900))
    assert quarters[(q9, "a1")].busy_s == pytest.approx(890)
    assert quarters[(q915, "a1")].busy_s == pytest.approx(310)
    by_q = rollup(batch_buckets(LOG), by=("queue",), grain=Grain.QUARTER)
    assert by_q[(q9, "sales")].offered == 4
    assert by_q[(q915, "sales")].offered == 1
    hours = rollup(batch_buckets(LOG), by=("channel",), grain=Grain.HOUR)
    assert hours[(q9, "voice")].offered == 4
    assert hours[(q9, "webchat")].handled == 1


def test_where_filters_and_unknown_dimensions_are_refused() -> None:
    only = rollup(batch_buckets(LOG), where={"channel": "webchat"})
    assert kpis(only[(0,)]).offered == 1
    with pytest.raises(ValueError, match="unknown dimensions"):
        rollup({}, by=("colour",))


def test_live_equals_batch_on_the_handmade_log() -> None:
    assert live_buckets(LOG).buckets == batch_buckets(LOG)


def test_repeat_outside_the_fcr_window_keeps_fcr() -> None:
    log = [e for e in LOG if e.contact_id != "c5"]
    late = MetricEvent(MetricKind.OFFERED, at(8 * 86400), "c9", case_id="k1", queue="sales")
    k = kpis(rollup(batch_buckets([*log, late]), by=("queue",))[(0, "sales")])
    assert k.fcr == 1.0
    assert kpis(rollup(live_buckets([*log, late]).buckets, by=("queue",))[(0, "sales")]).fcr == 1.0


def test_facts_about_unknown_contacts_are_counted_as_ignored() -> None:
    agg = live_buckets([MetricEvent(MetricKind.ANSWERED, T0, "nobody", agent="a1")])
    assert agg.buckets == {}
    assert agg.fold.ignored == 1
