"""Which case a new contact joins (the rule alone, over plain values)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from omnicenter.domain import Case, CaseStatus, Channel, InboundEvent, Priority
from omnicenter.services.case_join import DEFAULT_JOIN_WINDOW, choose_case

NOW = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the night clocks go back in Europe


def _case(case_id: str, active_ago: timedelta, **fields: str) -> Case:
    at = NOW - active_ago
    return Case(
        id=case_id, customer_id="cus_1", subject=case_id, status=CaseStatus.OPEN,
        priority=Priority.NORMAL, origin=Channel.WEBCHAT, created_at=at, updated_at=at,
        fields=dict(fields),
    )  # fmt: skip


def _text(body: str, **meta: str) -> InboundEvent:
    return InboundEvent(Channel.SMS, "+48601000111", body, NOW, "SM1", meta=dict(meta))


def test_the_case_about_the_same_order_wins_over_the_latest() -> None:
    latest = _case("cas_latest", timedelta(minutes=5))
    order = _case("cas_order", timedelta(days=2), order_number="10001")
    joined = choose_case(_text("about 10001 again"), [latest, order], NOW, DEFAULT_JOIN_WINDOW)
    assert joined is not None and (joined.case_id, joined.reason) == (
        "cas_order",
        "same order 10001",
    )


def test_an_order_number_inside_a_longer_number_is_not_that_order() -> None:
    order = _case("cas_order", timedelta(days=5), order_number="10001")
    assert choose_case(_text("call 481000112"), [order], NOW, DEFAULT_JOIN_WINDOW) is None


def test_the_most_recent_open_case_within_the_window() -> None:
    latest = _case("cas_latest", timedelta(hours=3))
    joined = choose_case(_text("hello"), [latest], NOW, DEFAULT_JOIN_WINDOW)
    assert joined is not None and joined.case_id == "cas_latest"
    assert joined.reason == "open case, active 3 h ago"


def test_beyond_the_window_or_with_joining_off_a_new_case() -> None:
    old = _case("cas_old", DEFAULT_JOIN_WINDOW + timedelta(minutes=1))
    assert choose_case(_text("hello"), [old], NOW, DEFAULT_JOIN_WINDOW) is None
    recent = _case("cas_recent", timedelta(minutes=1), order_number="10001")
    assert choose_case(_text("10001"), [recent], NOW, timedelta(0)) is None


def test_a_callback_joins_the_case_it_was_placed_for_whatever_else_is_open() -> None:
    latest = _case("cas_latest", timedelta(minutes=1))
    joined = choose_case(_text("", case_id="cas_promised"), [latest], NOW, timedelta(0))
    assert joined is not None and joined.case_id == "cas_promised"


ages = st.lists(st.integers(min_value=0, max_value=10 * 24 * 60), max_size=6)


@given(ages, st.integers(min_value=0, max_value=5 * 24 * 60), st.text(max_size=40))
def test_a_contact_joins_one_of_the_open_cases_or_none(
    minutes: list[int], window_min: int, body: str
) -> None:
    cases = [_case(f"cas_{i}", timedelta(minutes=m)) for i, m in enumerate(sorted(minutes))]
    window = timedelta(minutes=window_min)
    joined = choose_case(_text(body), cases, NOW, window)
    if joined is None:
        assert not cases or window == timedelta(0) or NOW - cases[0].updated_at > window
    else:
        assert joined.case_id == cases[0].id
        assert NOW - cases[0].updated_at <= window
