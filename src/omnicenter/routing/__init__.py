"""The routing engine (ACD): every task, every channel, to the right agent.

Pure and deterministic: no I/O, no clock (time is passed in as epoch seconds), no random
numbers. The live service and the planning simulator drive the same `RoutingEngine`.
Start with docs/routing.md.
"""

from omnicenter.routing.config import (
    CallbackPolicy,
    EngineSettings,
    OverflowRule,
    Policy,
    QueueConfig,
    RoutingConfig,
    SlaTarget,
    Stage,
    StickyConfig,
    ValueRule,
)
from omnicenter.routing.decisions import (
    AgentStateChanged,
    Assigned,
    CallbackDue,
    CallbackOffered,
    CallbackScheduled,
    ChannelOffered,
    Decision,
    Offered,
    OfferWithdrawn,
    Overflowed,
    PromiseBroken,
    PromiseKept,
    Requeued,
    Transferred,
    Why,
    Widened,
)
from omnicenter.routing.engine import RoutingEngine
from omnicenter.routing.errors import (
    ClockError,
    ConfigError,
    InvalidTransition,
    RoutingError,
    UnknownAgent,
    UnknownTask,
)
from omnicenter.routing.hours import BusinessHours, parse_hours
from omnicenter.routing.skills import Requirement, SkillReq, parse_skill, parse_skills
from omnicenter.routing.specs import AgentSpec, TaskSpec
from omnicenter.routing.views import AgentView, QueueView, Snapshot, TaskView

__all__ = [
    "AgentSpec",
    "AgentStateChanged",
    "AgentView",
    "Assigned",
    "BusinessHours",
    "CallbackDue",
    "CallbackOffered",
    "CallbackPolicy",
    "CallbackScheduled",
    "ChannelOffered",
    "ClockError",
    "ConfigError",
    "Decision",
    "EngineSettings",
    "InvalidTransition",
    "OfferWithdrawn",
    "Offered",
    "OverflowRule",
    "Overflowed",
    "Policy",
    "PromiseBroken",
    "PromiseKept",
    "QueueConfig",
    "QueueView",
    "Requeued",
    "Requirement",
    "RoutingConfig",
    "RoutingEngine",
    "RoutingError",
    "SkillReq",
    "SlaTarget",
    "Snapshot",
    "Stage",
    "StickyConfig",
    "TaskSpec",
    "TaskView",
    "Transferred",
    "UnknownAgent",
    "UnknownTask",
    "ValueRule",
    "Why",
    "Widened",
    "parse_hours",
    "parse_skill",
    "parse_skills",
]
