"""Routing configuration as data: parsed from a plain dict (TOML, YAML, JSON or the REST API).

Every error names the exact key (`queues.returns.sla.voice.target: must be in (0, 1]`), so a
file or an API call can be fixed without reading code. Times are seconds.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from omnicenter.domain import Channel
from omnicenter.routing.errors import ConfigError
from omnicenter.routing.hours import BusinessHours, parse_hours
from omnicenter.routing.skills import SkillReq, parse_skills

__all__ = [
    "DEFAULT_HANDLE_TIME",
    "DEFAULT_SLA",
    "CallbackPolicy",
    "EngineSettings",
    "OverflowRule",
    "Policy",
    "QueueConfig",
    "RoutingConfig",
    "SlaTarget",
    "Stage",
    "StickyConfig",
    "ValueRule",
]


class Policy(enum.StrEnum):
    """How to pick among agents who can all take the task."""

    LONGEST_IDLE = "longest_idle"  # fewest tasks in hand, then longest since last change of work
    MOST_SKILLED = "most_skilled"  # highest sum of levels on the required skills
    LEAST_OCCUPIED = "least_occupied"  # lowest share of total capacity in use
    ROUND_ROBIN = "round_robin"  # the agent offered work least recently


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """`target` share of tasks answered `within` seconds (80 % in 20 s)."""

    target: float
    within: float


DEFAULT_SLA: Mapping[Channel, SlaTarget] = {
    Channel.VOICE: SlaTarget(0.8, 20.0),
    Channel.CALLBACK: SlaTarget(0.8, 60.0),
    Channel.WEBCHAT: SlaTarget(0.8, 30.0),
    Channel.MESSENGER: SlaTarget(0.8, 60.0),
    Channel.WHATSAPP: SlaTarget(0.8, 60.0),
    Channel.INSTAGRAM: SlaTarget(0.8, 60.0),
    Channel.TELEGRAM: SlaTarget(0.8, 60.0),
    Channel.SMS: SlaTarget(0.8, 900.0),
    Channel.EMAIL: SlaTarget(0.9, 4 * 3600.0),
    Channel.FORM: SlaTarget(0.9, 4 * 3600.0),
}
DEFAULT_HANDLE_TIME: Mapping[Channel, float] = {
    Channel.VOICE: 300.0,
    Channel.CALLBACK: 300.0,
    Channel.WEBCHAT: 480.0,
    Channel.MESSENGER: 480.0,
    Channel.WHATSAPP: 480.0,
    Channel.INSTAGRAM: 480.0,
    Channel.TELEGRAM: 480.0,
    Channel.SMS: 600.0,
    Channel.EMAIL: 600.0,
    Channel.FORM: 600.0,
}


@dataclass(frozen=True, slots=True)
class Stage:
    """A widening step `after` seconds in the queue: drop preferred skills, lower levels, or
    let agents of other queues take the task too."""

    after: float
    drop_preferred: bool = False
    lower_levels: int = 0
    queues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OverflowRule:
    """Move tasks to queue `to` when the queue is closed, after `after` seconds of waiting, or
    on arrival when more than `waiting_over` wait or the estimated wait exceeds `ewt_over`."""

    when: str  # "closed" | "max_wait" | "load"
    to: str
    after: float = 0.0
    waiting_over: int | None = None
    ewt_over: float | None = None


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """Offer a callback on arrival when the estimated wait exceeds `offer_when_ewt_over`.

    A kept-place callback promises a call within the estimated wait plus `grace`; a scheduled
    one enters the queue `lead` seconds before its time and must be answered within `grace`.
    """

    offer_when_ewt_over: float
    channels: frozenset[Channel] = frozenset({Channel.VOICE})
    grace: float = 300.0
    lead: float = 0.0
    priority_boost: int = 1


@dataclass(frozen=True, slots=True)
class QueueConfig:
    name: str
    channels: frozenset[Channel] | None = None  # None: every channel
    skills: tuple[SkillReq, ...] = ()
    preferred: tuple[SkillReq, ...] = ()
    teams: frozenset[str] | None = None
    roles: frozenset[str] | None = None
    policy: Policy = Policy.LONGEST_IDLE
    sla: Mapping[Channel, SlaTarget] = field(default_factory=dict)
    widening: tuple[Stage, ...] = ()
    overflow: tuple[OverflowRule, ...] = ()
    hours: BusinessHours | None = None
    callback: CallbackPolicy | None = None
    wrap_up: Mapping[Channel, float] = field(default_factory=dict)
    handle_time: Mapping[Channel, float] = field(default_factory=dict)
    data_scope: str = "full"  # "limited": partner teams see less customer data

    def sla_for(self, channel: Channel) -> SlaTarget:
        return self.sla.get(channel) or DEFAULT_SLA[channel]

    @property
    def callback_rules(self) -> CallbackPolicy:
        """The callback policy that applies: the queue's, or the default (callbacks are
        promised within `grace` even where the queue offers none)."""
        return self.callback or DEFAULT_CALLBACK


DEFAULT_CALLBACK: Final = CallbackPolicy(0.0)


@dataclass(frozen=True, slots=True)
class ValueRule:
    """A customer-value rule: when the task matches, adjust it or offer another channel."""

    name: str
    min_value: float | None = None
    max_value: float | None = None
    segments: frozenset[str] | None = None
    queues: frozenset[str] | None = None
    channels: frozenset[Channel] | None = None
    priority_boost: int = 0
    require: tuple[SkillReq, ...] = ()
    prefer: tuple[SkillReq, ...] = ()
    personal_agent: bool = False  # wait (sticky window) for the customer's own agent
    offer_channels: tuple[str, ...] = ()  # e.g. ("callback", "webchat", "self_service")
    when_ewt_over: float = 0.0

    def applies(self, value: float, segment: str | None, queue: str, channel: Channel) -> bool:
        return (
            (self.min_value is None or value >= self.min_value)
            and (self.max_value is None or value <= self.max_value)
            and (self.segments is None or (segment is not None and segment in self.segments))
            and (self.queues is None or queue in self.queues)
            and (self.channels is None or channel in self.channels)
        )


@dataclass(frozen=True, slots=True)
class StickyConfig:
    """A returning customer waits up to `window` s for the agent who last helped on the same
    case, if that was less than `memory` s ago."""

    window: float = 0.0
    memory: float = 7 * 86400.0


_DEFAULT_EXCLUSIVE = frozenset({Channel.VOICE, Channel.CALLBACK})


@dataclass(frozen=True, slots=True)
class EngineSettings:
    offer_timeout: float = 20.0  # 0: assign without an offer (the simulator, auto-answer)
    aging: float = 60.0  # seconds of waiting worth one priority class
    exclusive_channels: frozenset[Channel] = _DEFAULT_EXCLUSIVE
    on_offer_timeout: str = "away"  # "away": a missed offer sets the agent away; "stay"
    explain_candidates: int = 0  # >0: record up to N excluded agents per decision (costly)
    default_queue: str | None = None
    reject_cooldown: float = (
        30.0  # a rejected or missed task is not re-offered to that agent meanwhile
    )
    transfer_wait: float = (
        60.0  # a transfer to a busy agent waits this long, then goes to the queue
    )
    history_limit: int = 10_000  # finished tasks kept for explain()


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    engine: EngineSettings = EngineSettings()
    sticky: StickyConfig = StickyConfig()
    queues: Mapping[str, QueueConfig] = field(default_factory=dict)
    value_rules: tuple[ValueRule, ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RoutingConfig:
        return _parse(raw)


# --- parsing -------------------------------------------------------------------------------

_POLICIES = {p.value: p for p in Policy}


def _table(raw: object, path: str, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigError(path, f"expected a table, got {type(raw).__name__}")
    for key in raw:
        if key not in keys:
            raise ConfigError(
                f"{path}.{key}" if path else str(key),
                f"unknown key; expected one of {sorted(keys)}",
            )
    return raw


def _num(raw: Mapping[str, Any], key: str, path: str, default: float, *, lo: float = 0.0) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < lo:
        raise ConfigError(f"{path}.{key}", f"expected a number >= {lo:g}, got {value!r}")
    return float(value)


def _int(raw: Mapping[str, Any], key: str, path: str, default: int, *, lo: int = 0) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ConfigError(f"{path}.{key}", f"expected an integer >= {lo}, got {value!r}")
    return value


def _channel(value: object, path: str) -> Channel:
    try:
        return Channel(str(value))
    except ValueError:
        raise ConfigError(
            path, f"unknown channel {value!r}; expected one of {[c.value for c in Channel]}"
        ) from None


def _channels(value: object, path: str) -> frozenset[Channel]:
    if not isinstance(value, list) or not value:
        raise ConfigError(path, "expected a non-empty list of channels")
    return frozenset(_channel(v, f"{path}[{i}]") for i, v in enumerate(value))


def _names(value: object, path: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, "expected a list of names")
    return frozenset(value)


def _per_channel_seconds(value: object, path: str) -> dict[Channel, float]:
    if not isinstance(value, Mapping):
        raise ConfigError(path, "expected a table of channel = seconds")
    out: dict[Channel, float] = {}
    for key in value:
        out[_channel(key, f"{path}.{key}")] = _num(value, key, path, 0.0)
    return out


def _sla(value: object, path: str) -> dict[Channel, SlaTarget]:
    if not isinstance(value, Mapping):
        raise ConfigError(path, "expected a table of channel = {target, within}")
    out: dict[Channel, SlaTarget] = {}
    for key, item in value.items():
        sub = f"{path}.{key}"
        channel = _channel(key, sub)
        item = _table(item, sub, {"target", "within"})
        target = _num(item, "target", sub, 0.8)
        if not 0.0 < target <= 1.0:
            raise ConfigError(f"{sub}.target", f"must be in (0, 1], got {target:g}")
        within = _num(item, "within", sub, DEFAULT_SLA[channel].within)
        if within <= 0:
            raise ConfigError(f"{sub}.within", "must be > 0 seconds")
        out[channel] = SlaTarget(target, within)
    return out


def _stages(value: object, path: str) -> tuple[Stage, ...]:
    if not isinstance(value, list):
        raise ConfigError(path, "expected a list of steps")
    stages: list[Stage] = []
    for i, item in enumerate(value):
        sub = f"{path}[{i}]"
        item = _table(item, sub, {"after", "drop_preferred", "lower_levels", "queues"})
        if "after" not in item:
            raise ConfigError(f"{sub}.after", "required")
        drop = item.get("drop_preferred", False)
        if not isinstance(drop, bool):
            raise ConfigError(f"{sub}.drop_preferred", "expected true or false")
        queues = tuple(sorted(_names(item["queues"], f"{sub}.queues"))) if "queues" in item else ()
        stage = Stage(
            _num(item, "after", sub, 0.0), drop, _int(item, "lower_levels", sub, 0), queues
        )
        if not (stage.drop_preferred or stage.lower_levels or stage.queues):
            raise ConfigError(sub, "a step must drop_preferred, lower_levels or add queues")
        if stages and stage.after < stages[-1].after:
            raise ConfigError(f"{sub}.after", "steps must be in increasing order of 'after'")
        stages.append(stage)
    return tuple(stages)


def _overflow(value: object, path: str) -> tuple[OverflowRule, ...]:
    if not isinstance(value, list):
        raise ConfigError(path, "expected a list of rules")
    rules = []
    for i, item in enumerate(value):
        sub = f"{path}[{i}]"
        item = _table(item, sub, {"when", "to", "after", "waiting_over", "ewt_over"})
        when = item.get("when")
        if when not in ("closed", "max_wait", "load"):
            raise ConfigError(
                f"{sub}.when", f"expected 'closed', 'max_wait' or 'load', got {when!r}"
            )
        to = item.get("to")
        if not isinstance(to, str) or not to:
            raise ConfigError(f"{sub}.to", "required: the queue to overflow to")
        rule = OverflowRule(
            when,
            to,
            after=_num(item, "after", sub, 0.0),
            waiting_over=_int(item, "waiting_over", sub, 0) if "waiting_over" in item else None,
            ewt_over=_num(item, "ewt_over", sub, 0.0) if "ewt_over" in item else None,
        )
        if when == "max_wait" and "after" not in item:
            raise ConfigError(f"{sub}.after", "required for when = 'max_wait'")
        if when == "load" and rule.waiting_over is None and rule.ewt_over is None:
            raise ConfigError(sub, "when = 'load' needs waiting_over or ewt_over")
        rules.append(rule)
    return tuple(rules)


def _callback(value: object, path: str) -> CallbackPolicy:
    item = _table(
        value, path, {"offer_when_ewt_over", "channels", "grace", "lead", "priority_boost"}
    )
    if "offer_when_ewt_over" not in item:
        raise ConfigError(f"{path}.offer_when_ewt_over", "required")
    channels = (
        _channels(item["channels"], f"{path}.channels")
        if "channels" in item
        else frozenset({Channel.VOICE})
    )
    return CallbackPolicy(
        _num(item, "offer_when_ewt_over", path, 0.0),
        channels,
        grace=_num(item, "grace", path, 300.0),
        lead=_num(item, "lead", path, 0.0),
        priority_boost=_int(item, "priority_boost", path, 1),
    )


_QUEUE_KEYS = {
    "channels", "skills", "preferred", "teams", "roles", "policy", "sla", "widening",
    "overflow", "hours", "callback", "wrap_up", "handle_time", "data_scope",
}  # fmt: skip


def _queue(name: str, raw: object, path: str) -> QueueConfig:
    item = _table(raw, path, _QUEUE_KEYS)
    policy = item.get("policy", "longest_idle")
    if policy not in _POLICIES:
        raise ConfigError(f"{path}.policy", f"expected one of {sorted(_POLICIES)}, got {policy!r}")
    scope = item.get("data_scope", "full")
    if scope not in ("full", "limited"):
        raise ConfigError(f"{path}.data_scope", "expected 'full' or 'limited'")
    return QueueConfig(
        name=name,
        channels=_channels(item["channels"], f"{path}.channels") if "channels" in item else None,
        skills=parse_skills(item.get("skills", []), f"{path}.skills"),
        preferred=parse_skills(item.get("preferred", []), f"{path}.preferred"),
        teams=_names(item["teams"], f"{path}.teams") if "teams" in item else None,
        roles=_names(item["roles"], f"{path}.roles") if "roles" in item else None,
        policy=_POLICIES[policy],
        sla=_sla(item.get("sla", {}), f"{path}.sla"),
        widening=_stages(item.get("widening", []), f"{path}.widening"),
        overflow=_overflow(item.get("overflow", []), f"{path}.overflow"),
        hours=parse_hours(item["hours"], f"{path}.hours") if "hours" in item else None,
        callback=_callback(item["callback"], f"{path}.callback") if "callback" in item else None,
        wrap_up=_per_channel_seconds(item.get("wrap_up", {}), f"{path}.wrap_up"),
        handle_time=_per_channel_seconds(item.get("handle_time", {}), f"{path}.handle_time"),
        data_scope=scope,
    )


def _value_rule(raw: object, path: str) -> ValueRule:
    keys = {
        "name", "min_value", "max_value", "segments", "queues", "channels", "priority_boost",
        "require", "prefer", "personal_agent", "offer_channels", "when_ewt_over",
    }  # fmt: skip
    item = _table(raw, path, keys)
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{path}.name", "required")
    personal = item.get("personal_agent", False)
    if not isinstance(personal, bool):
        raise ConfigError(f"{path}.personal_agent", "expected true or false")
    offers = item.get("offer_channels", [])
    if not isinstance(offers, list) or not all(isinstance(o, str) for o in offers):
        raise ConfigError(f"{path}.offer_channels", "expected a list of channel names")
    boost = item.get("priority_boost", 0)
    if isinstance(boost, bool) or not isinstance(boost, int):
        raise ConfigError(f"{path}.priority_boost", "expected an integer")
    rule = ValueRule(
        name=name,
        min_value=_num(item, "min_value", path, 0.0, lo=float("-inf"))
        if "min_value" in item
        else None,
        max_value=_num(item, "max_value", path, 0.0, lo=float("-inf"))
        if "max_value" in item
        else None,
        segments=_names(item["segments"], f"{path}.segments") if "segments" in item else None,
        queues=_names(item["queues"], f"{path}.queues") if "queues" in item else None,
        channels=_channels(item["channels"], f"{path}.channels") if "channels" in item else None,
        priority_boost=boost,
        require=parse_skills(item.get("require", []), f"{path}.require"),
        prefer=parse_skills(item.get("prefer", []), f"{path}.prefer"),
        personal_agent=personal,
        offer_channels=tuple(offers),
        when_ewt_over=_num(item, "when_ewt_over", path, 0.0),
    )
    if not (
        rule.priority_boost
        or rule.require
        or rule.prefer
        or rule.personal_agent
        or rule.offer_channels
    ):
        raise ConfigError(
            path,
            "a value rule must do something: priority_boost, require, prefer, personal_agent or offer_channels",
        )
    return rule


def _engine(raw: object) -> EngineSettings:
    keys = {
        "offer_timeout", "aging", "exclusive_channels", "on_offer_timeout", "explain_candidates",
        "default_queue", "reject_cooldown", "transfer_wait", "history_limit",
    }  # fmt: skip
    item = _table(raw, "engine", keys)
    on_timeout = item.get("on_offer_timeout", "away")
    if on_timeout not in ("away", "stay"):
        raise ConfigError("engine.on_offer_timeout", "expected 'away' or 'stay'")
    exclusive = item.get("exclusive_channels")
    default_queue = item.get("default_queue")
    if default_queue is not None and not isinstance(default_queue, str):
        raise ConfigError("engine.default_queue", "expected a queue name")
    return EngineSettings(
        offer_timeout=_num(item, "offer_timeout", "engine", 20.0),
        aging=_num(item, "aging", "engine", 60.0),
        exclusive_channels=(
            frozenset(
                _channel(v, f"engine.exclusive_channels[{i}]") for i, v in enumerate(exclusive)
            )
            if isinstance(exclusive, list)
            else _DEFAULT_EXCLUSIVE
            if exclusive is None
            else _channels(exclusive, "engine.exclusive_channels")
        ),
        on_offer_timeout=on_timeout,
        explain_candidates=_int(item, "explain_candidates", "engine", 0),
        default_queue=default_queue,
        reject_cooldown=_num(item, "reject_cooldown", "engine", 30.0),
        transfer_wait=_num(item, "transfer_wait", "engine", 60.0),
        history_limit=_int(item, "history_limit", "engine", 10_000),
    )


def _parse(raw: Mapping[str, Any]) -> RoutingConfig:
    root = _table(raw, "", {"engine", "sticky", "queues", "value_rules"})
    engine = _engine(root.get("engine", {}))
    sticky_raw = _table(root.get("sticky", {}), "sticky", {"window", "memory"})
    sticky = StickyConfig(
        _num(sticky_raw, "window", "sticky", 0.0), _num(sticky_raw, "memory", "sticky", 7 * 86400.0)
    )
    queues_raw = root.get("queues", {})
    if not isinstance(queues_raw, Mapping) or not queues_raw:
        raise ConfigError("queues", "at least one queue is required")
    queues = {str(name): _queue(str(name), q, f"queues.{name}") for name, q in queues_raw.items()}
    rules_raw = root.get("value_rules", [])
    if not isinstance(rules_raw, list):
        raise ConfigError("value_rules", "expected a list of rules")
    rules = tuple(_value_rule(r, f"value_rules[{i}]") for i, r in enumerate(rules_raw))
    _check_references(engine, queues, rules)
    return RoutingConfig(engine, sticky, queues, rules)


def _check_references(
    engine: EngineSettings, queues: Mapping[str, QueueConfig], rules: tuple[ValueRule, ...]
) -> None:
    if engine.default_queue is not None and engine.default_queue not in queues:
        raise ConfigError("engine.default_queue", f"no queue named {engine.default_queue!r}")
    for name, queue in queues.items():
        for i, rule in enumerate(queue.overflow):
            if rule.to not in queues:
                raise ConfigError(f"queues.{name}.overflow[{i}].to", f"no queue named {rule.to!r}")
            if rule.to == name:
                raise ConfigError(
                    f"queues.{name}.overflow[{i}].to", "a queue cannot overflow to itself"
                )
        for i, stage in enumerate(queue.widening):
            for other in stage.queues:
                if other not in queues:
                    raise ConfigError(
                        f"queues.{name}.widening[{i}].queues", f"no queue named {other!r}"
                    )
    for i, value_rule in enumerate(rules):
        for q in value_rule.queues or ():
            if q not in queues:
                raise ConfigError(f"value_rules[{i}].queues", f"no queue named {q!r}")
