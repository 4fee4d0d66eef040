from __future__ import annotations

import numpy as np
import pytest

from omnicenter.planning.erlang import agents_for_service_level
from omnicenter.planning.erlang_a import agents_for_erlang_a
from omnicenter.planning.staffing import ChannelSpec, Method, deferred_agents, staff


def edf_late_items(vols: np.ndarray, aht: float, d: int, agents: np.ndarray, sec: float) -> int:
    """Serve work earliest-deadline-first with the given agents; count items finished late."""
    queue: list[list[float]] = []  # [due interval, remaining work seconds]
    late = 0
    for i, v in enumerate(vols):
        queue.append([i + d, v * aht])
        cap = agents[i] * sec
        while queue and cap > 0:
            take = min(cap, queue[0][1])
            queue[0][1] -= take
            cap -= take
            if queue[0][1] <= 1e-9:
                queue.pop(0)
        late += sum(1 for due, rest in queue if due <= i and rest > 1e-9)
    return late


def test_calls_use_erlang_c_and_shrinkage() -> None:
    vol = np.array([100.0, 0.0, 200.0])
    plan = staff(
        {"voice": vol}, [ChannelSpec("voice", 180.0)], interval_seconds=1800, shrinkage=0.3
    )
    assert plan.productive.tolist() == [[14, 0, 24]]
    assert plan.scheduled.tolist() == [[20, 0, 35]]
    assert plan.service_level[0, 0] >= 0.8 and plan.service_level[0, 1] == 1.0


def test_chat_concurrency_divides_slots() -> None:
    vol = np.array([300.0])
    spec = ChannelSpec("chat", 600.0, Method.ERLANG_A, patience=120.0, concurrency=3)
    plan = staff({"chat": vol}, [spec], interval_seconds=900)
    slots = int(agents_for_erlang_a(300 / 900, 600.0, 120.0, 20.0, 0.8))
    assert plan.productive[0, 0] == -(-slots // 3)


def test_asa_target_is_honoured() -> None:
    plan = staff({"v": [450.0]}, [ChannelSpec("v", 240.0, target_asa=15.0)], 900.0)
    assert plan.asa[0, 0] <= 15.0
    assert plan.productive[0, 0] > 450 * 240 / 900


def test_many_channels_in_one_call() -> None:
    rng = np.random.default_rng(1)
    vols = {f"c{i}": rng.uniform(0, 300, 96) for i in range(6)}
    specs = [ChannelSpec(f"c{i}", 200.0 + 30 * i) for i in range(6)]
    plan = staff(vols, specs, 900.0)
    assert plan.productive.shape == (6, 96)
    for i, s in enumerate(specs):
        want = agents_for_service_level(vols[s.name] / 900 * s.aht, s.aht, 20.0, 0.8)
        assert plan.productive[i].tolist() == want.tolist()


def test_deferred_work_meets_every_deadline_following_arrivals() -> None:
    rng = np.random.default_rng(7)
    vols = rng.poisson(np.r_[np.full(32, 80.0), np.full(64, 5.0)]).astype(float)
    d, sec, aht = 8, 900.0, 300.0
    agents = deferred_agents(vols, aht, d, sec)
    assert edf_late_items(vols, aht, d - 1, agents, sec) == 0  # done by the end of i + d - 1
    fewer = np.maximum(agents - 1, 0)
    assert edf_late_items(vols, aht, d - 1, fewer, sec) > 0
    # capacity is not banked before the work arrives: the quiet tail gets few agents
    assert agents[:32].mean() > 5 * agents[48:].mean()
    assert agents.sum() * sec <= vols.sum() * aht + agents.size * sec


def test_deferred_closed_intervals_get_nobody() -> None:
    is_open = np.r_[np.zeros(4, bool), np.ones(8, bool)]
    agents = deferred_agents(np.full(12, 10.0), 300.0, 6, 900.0, open_mask=is_open)
    assert agents[:4].tolist() == [0, 0, 0, 0] and agents[4] > 0


def test_invalid_specs_are_rejected() -> None:
    with pytest.raises(ValueError):
        ChannelSpec("chat", 300.0, Method.ERLANG_A)
    with pytest.raises(ValueError):
        ChannelSpec("email", 300.0, Method.DEFERRED)
    with pytest.raises(KeyError):
        staff({}, [ChannelSpec("v", 100.0)])
