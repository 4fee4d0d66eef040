"""Small builders shared by the routing unit tests."""

from __future__ import annotations

from typing import Any

from omnicenter.domain import Channel, Priority
from omnicenter.routing import AgentSpec, Decision, RoutingEngine, TaskSpec, parse_skills

V, C, E = Channel.VOICE, Channel.WEBCHAT, Channel.EMAIL
T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC, a Tuesday


def engine(queues: dict[str, Any] | None = None, now: float = T0, **settings: Any) -> RoutingEngine:
    settings.setdefault("offer_timeout", 0)
    config: dict[str, Any] = {"engine": settings, "queues": queues or {"q": {}}}
    sticky = settings.pop("sticky", None)
    if sticky:
        config["sticky"] = sticky
    rules = settings.pop("value_rules", None)
    if rules:
        config["value_rules"] = rules
    return RoutingEngine(config, now=now)


def agent(
    agent_id: str,
    skills: dict[str, int] | None = None,
    *,
    voice: int = 1,
    chat: int = 0,
    email: int = 0,
    total: int | None = None,
    **kw: Any,
) -> AgentSpec:
    capacity = {ch: n for ch, n in ((V, voice), (C, chat), (E, email)) if n}
    return AgentSpec(
        agent_id, skills or {}, capacity, max_total=total or max(1, voice, chat + email), **kw
    )


def task(
    task_id: str,
    queue: str = "q",
    channel: Channel = V,
    priority: int = Priority.NORMAL,
    skills: str = "",
    **kw: Any,
) -> TaskSpec:
    return TaskSpec(
        task_id,
        queue,
        channel,
        priority,
        skills=parse_skills(skills.split(), "t") if skills else (),
        **kw,
    )


def of(decisions: list[Decision], kind: type) -> list[Any]:
    return [d for d in decisions if isinstance(d, kind)]


def pairs(decisions: list[Decision]) -> list[tuple[str, str]]:
    """(task, agent) of every offer or assignment, in order."""
    return [(d.task_id, d.agent_id) for d in decisions if hasattr(d, "why")]
