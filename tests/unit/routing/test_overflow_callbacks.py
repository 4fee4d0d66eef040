"""Overflow (business hours, long waits, load) to a partner team; callbacks and promises."""

from datetime import UTC, datetime

from omnicenter.domain import Presence
from omnicenter.routing import (
    CallbackDue,
    CallbackOffered,
    CallbackScheduled,
    Offered,
    Overflowed,
    PromiseBroken,
    PromiseKept,
)

from .support import T0, agent, engine, of, pairs, task


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


MONDAY_NOON = ts("2025-12-01T11:00:00")  # 12:00 in Warsaw
QUEUES = {
    "returns": {
        "skills": ["returns"],
        "hours": {
            "timezone": "Europe/Warsaw",
            "weekdays": "08:00-18:00",
            "holidays": ["2025-12-25"],
        },
        "overflow": [
            {"when": "closed", "to": "partner"},
            {"when": "max_wait", "after": 300, "to": "partner"},
            {"when": "load", "waiting_over": 2, "to": "partner"},
        ],
    },
    "partner": {"skills": ["returns"], "teams": ["acme"], "data_scope": "limited"},
}


def _center(now: float):  # type: ignore[no-untyped-def]
    e = engine(QUEUES, now=now, offer_timeout=20)
    e.add_agent(agent("inhouse", {"returns": 3}), now, presence=Presence.AWAY)
    e.add_agent(
        agent("acme1", {"returns": 2}, team="acme", partner=True), now, presence=Presence.AWAY
    )
    return e


def test_after_hours_go_to_the_partner_team_with_limited_data() -> None:
    evening = ts("2025-12-01T19:00:00")  # 20:00 in Warsaw
    e = _center(evening)
    e.set_presence("acme1", Presence.AVAILABLE, evening)
    out = e.submit(task("t1", "returns"), evening + 1)
    (overflow,) = of(out, Overflowed)
    assert (overflow.from_queue, overflow.to_queue) == ("returns", "partner")
    assert "closed" in overflow.reason
    (offer,) = of(out, Offered)
    assert offer.agent_id == "acme1"
    assert offer.why.data_scope == "limited"
    assert "limited customer data" in offer.explain()


def test_holiday_overflows_and_in_hours_stays() -> None:
    e = _center(ts("2025-12-25T10:00:00"))
    assert of(e.submit(task("t1", "returns"), ts("2025-12-25T10:00:01")), Overflowed)
    e2 = _center(MONDAY_NOON)
    assert of(e2.submit(task("t1", "returns"), MONDAY_NOON + 1), Overflowed) == []


def test_waiting_tasks_overflow_when_the_queue_closes() -> None:
    before_close = ts("2025-12-01T16:59:00")  # 17:59 local
    e = _center(before_close)
    e.submit(task("t1", "returns"), before_close)
    out = e.advance(ts("2025-12-01T17:00:01"))
    assert [d.to_queue for d in of(out, Overflowed)] == ["partner"]


def test_max_wait_overflow_keeps_the_place() -> None:
    e = _center(MONDAY_NOON)
    e.submit(task("t1", "returns"), MONDAY_NOON)
    out = e.advance(MONDAY_NOON + 301)
    assert [d.reason for d in of(out, Overflowed)] == ["waited 300 s"]
    assert e.task("t1").deadline == MONDAY_NOON + 20  # same SLA clock in the partner queue


def test_load_overflow() -> None:
    e = _center(MONDAY_NOON)
    for i in range(3):
        assert of(e.submit(task(f"t{i}", "returns"), MONDAY_NOON + i), Overflowed) == []
    (overflow,) = of(e.submit(task("t3", "returns"), MONDAY_NOON + 3), Overflowed)
    assert overflow.reason == "3 waiting > 2"


CALLBACK_QUEUES = {
    "q": {
        "callback": {"offer_when_ewt_over": 100, "grace": 60, "lead": 30},
        "handle_time": {"voice": 200},
    }
}


def test_callback_offered_when_the_wait_is_long_and_kept_in_place() -> None:
    e = engine(CALLBACK_QUEUES)
    e.add_agent(agent("a"), T0)
    e.submit(task("t0"), T0)
    (offer,) = of(e.submit(task("t1"), T0 + 1), CallbackOffered)
    assert offer.estimated_wait == 200.0
    out = e.request_callback("t1", T0 + 2)
    (scheduled,) = of(out, CallbackScheduled)
    assert scheduled.keep_place and scheduled.due_at == T0 + 2 + 200 + 60
    assert e.task("t1").channel.value == "callback"
    out = e.complete("t0", T0 + 100)
    assert pairs(out) == [("t1", "a")]
    assert of(out, PromiseKept)


def test_scheduled_callback_enters_the_queue_early_and_broken_promise_is_flagged() -> None:
    e = engine(CALLBACK_QUEUES)
    e.add_agent(agent("a"), T0, presence=Presence.AWAY)
    e.submit(task("t1"), T0)
    e.request_callback("t1", T0 + 1, at=T0 + 3600)
    assert e.task("t1").state == "scheduled"
    out = e.advance(T0 + 3600 - 30)
    assert [type(d) for d in out] == [CallbackDue]
    out = e.advance(T0 + 3600 + 61)
    assert [d.due_at for d in of(out, PromiseBroken)] == [T0 + 3660]
    assert pairs(e.set_presence("a", Presence.AVAILABLE, T0 + 3700)) == [("t1", "a")]


def test_a_callback_moved_to_a_later_time_replaces_the_earlier_promise() -> None:
    e = engine(CALLBACK_QUEUES)
    e.add_agent(agent("a"), T0, presence=Presence.AWAY)
    e.submit(task("t1"), T0)
    (first,) = of(e.request_callback("t1", T0 + 1), CallbackScheduled)  # keeps its place
    assert first.keep_place
    # still waiting, the customer asks to be called later instead
    out = e.request_callback("t1", T0 + 2, at=T0 + 3600)
    assert [d.due_at for d in of(out, CallbackScheduled)] == [T0 + 3660]
    # the first promise is superseded, not broken: nothing happens when it falls due
    assert e.advance(first.due_at + 1) == []
    out = e.advance(T0 + 3600 - 30)
    assert [type(d) for d in out] == [CallbackDue]
    out = e.advance(T0 + 3600 + 61)
    assert [d.due_at for d in of(out, PromiseBroken)] == [T0 + 3660]


def test_callback_at_a_time_from_a_web_form() -> None:
    e = engine(CALLBACK_QUEUES)
    e.add_agent(agent("a"), T0)
    out = e.submit(task("form", callback_at=T0 + 600), T0)
    assert of(out, CallbackScheduled)[0].due_at == T0 + 660
    out = e.advance(T0 + 570)
    assert pairs(out) == [("form", "a")]
    assert of(out, PromiseKept)
