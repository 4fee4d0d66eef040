"""The routing engine (ACD): every task, every channel, to the right agent.

Pure and deterministic: no I/O, no clock (time is passed in as epoch seconds), no random
numbers. The live service and the planning simulator drive the same `RoutingEngine`.
Start with docs/routing.md.

The modules are compiled with mypyc at install time when a C compiler is present (see
hatch_build.py). `COMPILED` says which engine runs; the sources are used instead when
OMNICENTER_PURE_ROUTING is set or when a source is newer than its build (an edit after
`pip install -e .`), so an edit is never silently ignored.
"""

import sys

from omnicenter.routing import _sources  # noqa: F401  (first: may redirect imports)
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
    Chosen,
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

COMPILED: bool = str(getattr(sys.modules[RoutingEngine.__module__], "__file__", "")).endswith(".so")

__all__ = [
    "COMPILED",
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
    "Chosen",
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
