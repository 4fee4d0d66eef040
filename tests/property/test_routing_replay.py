"""Determinism: a recorded event stream replayed on a fresh engine gives the same decisions."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from omnicenter.domain import Channel, Presence
from omnicenter.routing import AgentSpec, Decision, Offered, RoutingEngine, TaskSpec, parse_skills
from omnicenter.routing.replay import Recorder, replay

CONFIG: dict[str, Any] = {
    "engine": {"offer_timeout": 15, "aging": 45, "explain_candidates": 2},
    "sticky": {"window": 20},
    "queues": {
        "sales": {
            "skills": ["sales>=2"],
            "preferred": ["lang:pl>=3"],
            "widening": [
                {"after": 10, "drop_preferred": True},
                {"after": 40, "lower_levels": 1},
                {"after": 80, "queues": ["general"]},
            ],
            "overflow": [{"when": "max_wait", "after": 120, "to": "general"}],
            "callback": {"offer_when_ewt_over": 60},
            "wrap_up": {"voice": 5},
        },
        "general": {"policy": "round_robin"},
    },
    "value_rules": [{"name": "vip", "min_value": 100, "priority_boost": 1}],
}


def _stream(seed: int, steps: int) -> tuple[list[Decision], list[dict[str, Any]]]:
    rng = random.Random(seed)
    rec = Recorder(RoutingEngine(CONFIG, now=0.0))
    out: list[Decision] = []
    now = 0.0
    offered: dict[str, str] = {}
    assigned: list[str] = []

    def track(ds: list[Decision]) -> None:
        out.extend(ds)
        for d in ds:
            if isinstance(d, Offered):
                offered[d.task_id] = d.agent_id
            elif d.task_id in offered and type(d).__name__ in (
                "Assigned",
                "Requeued",
                "OfferWithdrawn",
            ):
                del offered[d.task_id]
                if type(d).__name__ == "Assigned":
                    assigned.append(d.task_id)

    for i in range(steps):
        now += rng.choice([0.0, 0.5, 3.0, 12.0])
        track(rec.call("advance", now=now))  # offers may time out before the agent answers
        r = rng.random()
        if r < 0.15 or i < 4:
            skills = {"sales": rng.randint(1, 3), "lang:pl": rng.randint(1, 4)}
            spec = AgentSpec(
                f"a{i}", skills, {Channel.VOICE: 1, Channel.WEBCHAT: rng.randint(0, 3)}, max_total=3
            )
            ds = rec.call("add_agent", spec=spec, now=now)
        elif r < 0.55:
            spec_t = TaskSpec(
                f"t{i}", rng.choice(["sales", "general"]), rng.choice([Channel.VOICE, Channel.WEBCHAT]),
                rng.randint(1, 4), skills=parse_skills(["lang:pl"] if rng.random() < 0.2 else [], "s"),
                customer_value=rng.choice([0.0, 500.0]), case_id=f"c{rng.randint(0, 5)}",
            )  # fmt: skip
            ds = rec.call("submit", spec=spec_t, now=now)
        elif r < 0.7 and offered:
            tid = sorted(offered)[rng.randrange(len(offered))]
            ds = rec.call(
                "accept" if rng.random() < 0.8 else "reject",
                task_id=tid,
                agent_id=offered[tid],
                now=now,
            )
        elif r < 0.85 and assigned:
            ds = rec.call("complete", task_id=assigned.pop(rng.randrange(len(assigned))), now=now)
        elif r < 0.9:
            agent = f"a{rng.randrange(i + 1)}"
            if agent in {a.agent_id for a in rec.engine.snapshot().agents}:
                presence = rng.choice([Presence.AVAILABLE, Presence.AWAY])
                ds = rec.call("set_presence", agent_id=agent, presence=presence, now=now)
            else:
                ds = rec.call("advance", now=now)
        else:
            ds = rec.call("advance", now=now)
        track(ds)
    return out, rec.events


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_replay_of_a_recorded_stream_gives_identical_decisions(seed: int) -> None:
    decisions, events = _stream(seed, 150)
    events = json.loads(json.dumps(events))  # the recording survives a trip through JSON
    assert replay(CONFIG, events) == decisions
    assert [d.explain() for d in replay(CONFIG, events)] == [d.explain() for d in decisions]


def test_stream_exercises_the_rules() -> None:
    decisions, _ = _stream(1, 400)
    kinds = {type(d).__name__ for d in decisions}
    assert {"Offered", "Assigned", "Widened", "Requeued", "AgentStateChanged"} <= kinds
