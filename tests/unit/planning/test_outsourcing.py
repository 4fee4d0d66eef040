from __future__ import annotations

from datetime import date, datetime

import numpy as np

from omnicenter.planning.outsourcing import Reason, outsourcing_plan, partner_agents
from omnicenter.planning.sim_model import AgentSpec

MONDAY = datetime(2024, 12, 23)  # hourly intervals over one week
H = 3600.0


def day_shift(day: int, start_h: int = 8, end_h: int = 20) -> tuple[float, float]:
    return (day * 24 * H + start_h * H, day * 24 * H + end_h * H)


def roster() -> list[AgentSpec]:
    weekdays = tuple(day_shift(d) for d in range(5))
    return [AgentSpec(f"v{i}", ("voice", "chat"), shifts=weekdays) for i in range(3)] + [
        AgentSpec("c0", ("chat",), shifts=weekdays)
    ]


def test_gaps_are_nights_weekends_and_holidays() -> None:
    need = {"voice": np.full(7 * 24, 2), "chat": np.full(7 * 24, 2)}
    plan = outsourcing_plan(need, roster(), MONDAY, H, holidays=[date(2024, 12, 25)])
    # Weekday daytime: 3 voice+chat agents and 1 chat agent cover 2 + 2 (chat-only first).
    tue_noon = 24 + 12
    assert plan.gap[:, tue_noon].tolist() == [0, 0]
    wed_noon = 2 * 24 + 12  # rostered on the 25th, but the holiday block is reported as such
    assert plan.gap[:, wed_noon].tolist() == [0, 0]
    reasons = plan.hours_by_reason()
    assert reasons[Reason.WEEKEND] == 2 * 2 * 48  # Sat+Sun: two channels, two agents each
    assert reasons[Reason.HOLIDAY] == 2 * 2 * 12  # the night hours of the 25th
    assert reasons[Reason.NIGHT] > 0
    assert plan.hours_by_channel()["voice"] == (7 * 24 - 5 * 12) * 2


def test_short_in_daytime_is_flagged() -> None:
    need = {"voice": np.r_[np.zeros(12), np.full(2, 5), np.zeros(10)]}
    plan = outsourcing_plan(need, roster(), MONDAY, H)
    (block,) = plan.blocks
    assert block.reason is Reason.DAYTIME and block.max_agents == 2 and block.agent_hours == 4


def test_partner_roster_covers_exactly_the_gap() -> None:
    need = {"chat": np.r_[np.full(6, 3), np.full(4, 1), np.zeros(14)]}
    plan = outsourcing_plan(need, [], MONDAY, H, peaks=[MONDAY.date()])
    assert {b.reason for b in plan.blocks} == {Reason.PEAK}
    team = partner_agents(plan)
    assert len(team) == 3 and all(a.partner for a in team)
    cover = np.zeros(24)
    for a in team:
        for s, e in a.shifts:
            cover[int(s // H) : int(e // H)] += 1
    assert cover.tolist() == plan.gap[0].tolist()
