"""Synthetic contact-center workload for the routing benchmark (seeded, reproducible).

10,000 agents with 5 of 200 skills at levels 1..5 and blended capacity (1 call, or up to 3
chats and 5 emails, 5 tasks in all; a call is exclusive); 100 queues each requiring one skill
at level 1..3 and preferring experts (two levels more), with widening; priorities 1..4 with aging; SLA
deadlines per channel.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from omnicenter.domain import Channel
from omnicenter.routing import AgentSpec, TaskSpec

__all__ = ["Workload", "make_config", "make_workload"]

SKILLS = 200
SKILLS_PER_AGENT = 5
CHANNEL_MIX = ((Channel.VOICE, 0.4), (Channel.WEBCHAT, 0.4), (Channel.EMAIL, 0.2))
CAPACITY = {Channel.VOICE: 1, Channel.WEBCHAT: 3, Channel.EMAIL: 5}
MAX_TOTAL = 5


def make_config(
    queues: int = 100, *, widening: bool = True, offer_timeout: float = 0.0
) -> dict[str, Any]:
    """Queue i requires skill s<i> at level 1 + i % 3 and prefers two levels more (experts)."""
    out: dict[str, Any] = {}
    for i in range(queues):
        queue: dict[str, Any] = {
            "skills": [f"s{i}>={1 + i % 3}"],
            "policy": "longest_idle",
            "sla": {
                "voice": {"target": 0.8, "within": 20},
                "webchat": {"target": 0.8, "within": 30},
                "email": {"target": 0.9, "within": 14400},
            },
        }
        if widening:
            queue["preferred"] = [f"s{i}>={min(5, 3 + i % 3)}"]
            queue["widening"] = [
                {"after": 10, "drop_preferred": True},
                {"after": 60, "lower_levels": 1},
            ]
        out[f"q{i}"] = queue
    return {"engine": {"offer_timeout": offer_timeout, "aging": 60}, "queues": out}


@dataclass
class Workload:
    agents: list[AgentSpec]
    queues: list[int]  # queues with at least one agent who has the required skill level
    rng: random.Random
    seq: int = 0

    def task(self) -> TaskSpec:
        rng = self.rng
        self.seq += 1
        r = rng.random()
        channel = Channel.EMAIL
        for ch, share in CHANNEL_MIX:
            if r < share:
                channel = ch
                break
            r -= share
        return TaskSpec(
            f"t{self.seq}", f"q{rng.choice(self.queues)}", channel, priority=rng.randint(1, 4)
        )

    def tasks(self, n: int) -> list[TaskSpec]:
        return [self.task() for _ in range(n)]


def make_workload(agents: int = 10_000, queues: int = 100, seed: int = 7) -> Workload:
    rng = random.Random(seed)
    specs = []
    for i in range(agents):
        skills = rng.sample(range(SKILLS), SKILLS_PER_AGENT)
        specs.append(
            AgentSpec(
                f"a{i}",
                {f"s{s}": rng.randint(1, 5) for s in skills},
                dict(CAPACITY),
                max_total=MAX_TOTAL,
            )
        )
    covered = [
        i for i in range(queues) if any(a.skills.get(f"s{i}", 0) >= 1 + i % 3 for a in specs)
    ]
    return Workload(specs, covered, rng)
