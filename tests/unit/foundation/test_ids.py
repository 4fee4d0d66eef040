"""Ids sort in the order they were made, also within one millisecond."""

from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from omnicenter.domain import ids
from omnicenter.domain.ids import new_id


def test_ids_made_in_one_millisecond_keep_their_order(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_765_000_000_000 * 1_000_000)
    made = [new_id("evt") for _ in range(1000)]
    assert made == sorted(made) and len(set(made)) == 1000


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=2, max_size=50))
def test_ids_increase_even_when_the_clock_steps_back(steps: list[int]) -> None:
    seen = [ids._next(1_765_000_000_000 - s) for s in steps]
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


def test_ids_from_many_threads_are_distinct_and_each_threads_increase() -> None:
    per_thread: list[list[str]] = [[] for _ in range(4)]

    def make(out: list[str]) -> None:
        for _ in range(500):
            out.append(new_id("evt"))

    threads = [threading.Thread(target=make, args=(out,)) for out in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for out in per_thread for i in out]
    assert len(set(everything)) == len(everything)
    assert all(out == sorted(out) for out in per_thread)
