"""Days and hours of the center's time zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from omnicenter.metrics import Grain, LiveAggregator, MetricEvent, MetricKind, rollup
from omnicenter.metrics.config import day_bounds, zone

WARSAW = zone("Europe/Warsaw")


def every_quarter(start: datetime, end: datetime) -> list[MetricEvent]:
    """One contact offered at the start of every 15 minutes in [start, end)."""
    n = int((end - start).total_seconds()) // 900
    return [
        MetricEvent(MetricKind.OFFERED, start + timedelta(minutes=15 * i), f"c{i}",
                    queue="q", channel="voice")
        for i in range(n)
    ]  # fmt: skip


def test_a_local_day_lasts_23_or_25_hours_on_a_dst_change() -> None:
    spring, autumn = day_bounds(date(2026, 3, 29), WARSAW), day_bounds(date(2026, 10, 25), WARSAW)
    assert spring[0] == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    assert day_bounds(date(2026, 10, 25)) == (
        datetime(2026, 10, 25, tzinfo=UTC),
        datetime(2026, 10, 26, tzinfo=UTC),
    )


def test_rollup_sums_local_days_and_hours_across_the_autumn_change() -> None:
    agg = LiveAggregator()
    for ev in every_quarter(datetime(2026, 10, 24, 12, tzinfo=UTC), datetime(2026, 10, 26, 12, tzinfo=UTC)):  # fmt: skip
        agg.add(ev)
    days = rollup(agg.buckets, grain=Grain.DAY, tz=WARSAW)
    by_day = {datetime.fromtimestamp(int(k[0]), WARSAW).date(): c.offered for k, c in days.items()}
    assert by_day[date(2026, 10, 25)] == 100  # 25 hours of quarters
    assert sum(by_day.values()) == 48 * 4
    hours = rollup(agg.buckets, grain=Grain.HOUR, tz=WARSAW)
    start, end = day_bounds(date(2026, 10, 25), WARSAW)
    in_day = sorted(int(k[0]) for k in hours if start.timestamp() <= int(k[0]) < end.timestamp())
    assert len(in_day) == 25 and all(hours[(t,)].offered == 4 for t in in_day)
    twice = [datetime.fromtimestamp(t, WARSAW) for t in in_day][2:4]
    assert [t.isoformat() for t in twice] == ["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"]  # fmt: skip
    # UTC days are the plain 96-quarter ones
    utc = rollup(agg.buckets, grain=Grain.DAY)
    assert {c.offered for c in utc.values()} == {96, 48}


def test_half_hour_zones_get_their_own_hours() -> None:
    agg = LiveAggregator()
    for ev in every_quarter(datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 5, 2, tzinfo=UTC)):
        agg.add(ev)
    kolkata = zone("Asia/Kolkata")  # UTC+5:30
    hours = rollup(agg.buckets, grain=Grain.HOUR, tz=kolkata)
    assert {datetime.fromtimestamp(int(k[0]), kolkata).minute for k in hours} == {0}
    assert sorted(c.offered for c in hours.values()) == [2, 2, 4]


def test_an_unknown_zone_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Atlantis'"):
        zone("Europe/Atlantis")
    assert zone("utc") is UTC
