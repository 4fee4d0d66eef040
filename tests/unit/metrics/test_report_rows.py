"""The rows every KPI table is made of: occupancy per queue from handle and available
time (a day worked out by hand), no rows for an empty dimension, service level of the
settled contacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from omnicenter.metrics import AgentState, Counters, Grain, MetricEvent, MetricKind, batch_buckets
from omnicenter.metrics.kpis import RollupKey, kpis, rollup
from omnicenter.metrics.tables import Fetch, kpi_rows

K = MetricKind
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def contact(
    cid: str, t: float, queue: str, agent: str, talk: float, wrap: float
) -> list[MetricEvent]:
    return [
        MetricEvent(K.OFFERED, at(t), cid, case_id=cid, queue=queue, channel="voice",
                    segment="gold", sl_target_s=20),
        MetricEvent(K.ANSWERED, at(t + 5), cid, agent=agent, team="t1"),
        MetricEvent(K.ENDED, at(t + 5 + talk + wrap), cid, talk_s=talk, wrap_s=wrap),
    ]  # fmt: skip


def available(agent: str, t: float, seconds: float) -> MetricEvent:
    return MetricEvent(K.AGENT_STATE, at(t), agent=agent, team="t1",
                       state=AgentState.AVAILABLE, seconds=seconds)  # fmt: skip


# a1 handles sales 300 s and returns 100 s, and waits 600 s; a2 handles returns 200 s and
# waits 400 s. a1's waiting splits 3:1 over sales and returns (450 s, 150 s).
DAY = [
    available("a1", 0, 600),
    available("a2", 0, 400),
    *contact("c1", 0, "sales", "a1", 270, 30),
    *contact("c2", 400, "returns", "a1", 80, 20),
    *contact("c3", 100, "returns", "a2", 200, 0),
]


def fetch_of(events: list[MetricEvent]) -> Fetch:
    buckets = batch_buckets(sorted(events, key=lambda e: e.at))

    def fetch(by: Sequence[str], grain: Grain) -> dict[RollupKey, Counters]:
        return rollup(buckets, by=by, grain=grain)

    return fetch


def test_queue_occupancy_from_handle_and_available_time_by_hand() -> None:
    rows = kpi_rows(fetch_of(DAY), ("queue",), Grain.TOTAL)
    assert rows[(0, "sales")].occupancy == pytest.approx(300 / (300 + 450))
    assert rows[(0, "returns")].occupancy == pytest.approx(300 / (300 + 150 + 400))
    total = kpi_rows(fetch_of(DAY), (), Grain.TOTAL)[(0,)]
    assert total.occupancy == pytest.approx(600 / (600 + 1000))
    by_agent = kpi_rows(fetch_of(DAY), ("agent",), Grain.TOTAL)
    assert by_agent[(0, "a1")].occupancy == pytest.approx(400 / 1000)
    assert by_agent[(0, "a2")].occupancy == pytest.approx(200 / 600)


def test_the_other_counters_are_not_changed_by_spreading_agent_time() -> None:
    rows = kpi_rows(fetch_of(DAY), ("queue",), Grain.TOTAL)
    plain = rollup(batch_buckets(sorted(DAY, key=lambda e: e.at)), by=("queue",))
    for key in (("sales",), ("returns",)):
        k, p = rows[(0, *key)], kpis(plain[(0, *key)])
        assert (k.offered, k.handled, k.aht, k.service_level) == (
            p.offered, p.handled, p.aht, p.service_level)  # fmt: skip


def test_no_row_has_an_empty_dimension() -> None:
    abandoned = [
        MetricEvent(K.OFFERED, at(50), "c9", queue="sales", channel="webchat"),
        MetricEvent(K.ABANDONED, at(90), "c9"),
    ]
    fetch = fetch_of([*DAY, *abandoned])
    for by in (("queue",), ("channel",), ("agent",), ("queue", "channel"), ("team", "queue")):
        for grain in (Grain.TOTAL, Grain.HOUR, Grain.QUARTER):
            keys = kpi_rows(fetch, by, grain)
            assert keys and all(v != "" for key in keys for v in key[1:]), (by, grain)
    assert set(kpi_rows(fetch, ("channel",), Grain.TOTAL)) == {(0, "voice"), (0, "webchat")}


def test_service_level_judges_settled_contacts_only() -> None:
    # One answered within target, three still waiting: nothing has missed the target yet.
    log = [
        *contact("c1", 0, "sales", "a1", 60, 0),
        *(MetricEvent(K.OFFERED, at(10 + i), f"w{i}", queue="sales", channel="voice")
          for i in range(3)),
    ]  # fmt: skip
    k = kpi_rows(fetch_of(log), ("channel",), Grain.TOTAL)[(0, "voice")]
    assert (k.offered, k.handled, k.service_level, k.abandon_rate) == (4, 1, 1.0, 0.0)
    late = [*log, MetricEvent(K.ANSWERED, at(200), "w0", agent="a1")]
    k = kpi_rows(fetch_of(late), ("channel",), Grain.TOTAL)[(0, "voice")]
    assert k.service_level == pytest.approx(1 / 2)


def test_occupancy_is_empty_without_agent_time() -> None:
    no_presence = [e for e in DAY if e.kind is not K.AGENT_STATE]
    assert kpi_rows(fetch_of(no_presence), ("queue",), Grain.TOTAL)[(0, "sales")].occupancy is None
