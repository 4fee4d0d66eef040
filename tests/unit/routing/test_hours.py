from datetime import UTC, datetime

from omnicenter.routing import parse_hours


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


HOURS = parse_hours(
    {
        "timezone": "Europe/Warsaw",
        "weekdays": "08:00-18:00",
        "sat": ["09:00-12:00"],
        "holidays": ["2025-12-25"],
    },
    "h",
)


def test_open_in_local_time() -> None:
    assert HOURS.is_open(ts("2025-12-01T07:30:00"))  # Monday 08:30 in Warsaw (UTC+1)
    assert not HOURS.is_open(ts("2025-12-01T06:59:00"))  # 07:59 local
    assert not HOURS.is_open(ts("2025-12-01T17:00:00"))  # 18:00 local: closed
    assert HOURS.is_open(ts("2025-12-06T08:30:00"))  # Saturday 09:30
    assert not HOURS.is_open(ts("2025-12-07T10:00:00"))  # Sunday


def test_holiday_is_closed() -> None:
    assert not HOURS.is_open(ts("2025-12-25T10:00:00"))


def test_next_change() -> None:
    assert HOURS.next_change(ts("2025-12-01T06:00:00")) == ts("2025-12-01T07:00:00")
    assert HOURS.next_change(ts("2025-12-01T08:00:00")) == ts("2025-12-01T17:00:00")
    # Wednesday evening -> Thursday is the holiday -> Friday 08:00
    assert HOURS.next_change(ts("2025-12-24T18:00:00")) == ts("2025-12-26T07:00:00")
    assert "closed" in HOURS.describe(ts("2025-12-25T10:00:00"))
