"""Record the calls made to an engine as plain data, and replay them.

A recorded stream (JSON-able dicts) replayed on a fresh engine with the same configuration
gives the same decisions: the engine is deterministic. Use it to reproduce a production
routing question offline, or to feed the simulator a real day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from omnicenter.domain import AgentRole, Channel, Presence
from omnicenter.routing.config import RoutingConfig
from omnicenter.routing.decisions import Decision
from omnicenter.routing.engine import RoutingEngine
from omnicenter.routing.skills import SkillReq
from omnicenter.routing.specs import AgentSpec, TaskSpec

__all__ = ["Recorder", "replay"]

_CALLS = {
    "add_agent", "update_agent", "remove_agent", "set_presence", "set_capacity", "submit",
    "cancel", "accept", "reject", "complete", "transfer", "request_callback", "advance",
}  # fmt: skip


class Recorder:
    """Call the engine through `call(name, **kwargs)`; every call is kept in `events`."""

    def __init__(self, engine: RoutingEngine) -> None:
        self.engine = engine
        self.events: list[dict[str, Any]] = []

    def call(self, name: str, **kwargs: Any) -> list[Decision]:
        if name not in _CALLS:
            raise ValueError(f"not an engine event: {name}")
        self.events.append({"call": name, **{k: _encode(v) for k, v in kwargs.items()}})
        result: list[Decision] = getattr(self.engine, name)(**kwargs)
        return result


def replay(
    config: RoutingConfig | Mapping[str, Any], events: Iterable[Mapping[str, Any]], now: float = 0.0
) -> list[Decision]:
    """Run recorded events on a fresh engine and return every decision, in order."""
    engine = RoutingEngine(config, now=now)
    out: list[Decision] = []
    for event in events:
        name = event["call"]
        if name not in _CALLS:
            raise ValueError(f"not an engine event: {name}")
        kwargs = {k: _decode(k, v) for k, v in event.items() if k != "call"}
        out += getattr(engine, name)(**kwargs)
    return out


def _encode(value: Any) -> Any:
    if isinstance(value, AgentSpec):
        return {
            "agent": {
                **dataclasses.asdict(value),
                "capacity": {str(k): v for k, v in value.capacity.items()},
            }
        }
    if isinstance(value, TaskSpec):
        data = dataclasses.asdict(value)
        data["skills"] = [str(s) for s in value.skills]
        data["preferred"] = [str(s) for s in value.preferred]
        return {"task": data}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return value


def _skills(items: list[str]) -> tuple[SkillReq, ...]:
    out = []
    for item in items:
        name, _, level = item.partition(">=")
        out.append(SkillReq(name, int(level or 1)))
    return tuple(out)


def _decode(key: str, value: Any) -> Any:
    if isinstance(value, Mapping) and "agent" in value:
        data = dict(value["agent"])
        data["capacity"] = {Channel(k): v for k, v in data["capacity"].items()}
        data["role"] = AgentRole(data["role"])
        return AgentSpec(**data)
    if isinstance(value, Mapping) and "task" in value:
        data = dict(value["task"])
        data["channel"] = Channel(data["channel"])
        data["skills"] = _skills(data["skills"])
        data["preferred"] = _skills(data["preferred"])
        return TaskSpec(**data)
    if key == "capacity":
        return {Channel(k): v for k, v in value.items()}
    if key == "presence":
        return Presence(value)
    return value
