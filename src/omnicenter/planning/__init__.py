"""Planning: forecasts, Erlang C/A staffing, simulation through the routing engine, outsourcing.

Pure computation over numpy arrays and frozen values; no I/O. Read `docs/planning.md`.
"""

from omnicenter.planning.accuracy import Accuracy, Backtest, backtest, mape, wape
from omnicenter.planning.engine_port import EnginePort, routing_config
from omnicenter.planning.erlang import (
    agents_for_asa,
    agents_for_service_level,
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from omnicenter.planning.erlang_a import ErlangAResult, agents_for_erlang_a, erlang_a
from omnicenter.planning.forecast import Event, ForecastModel, History, fit, seasonal_naive
from omnicenter.planning.outsourcing import (
    GapBlock,
    OutsourcingPlan,
    Reason,
    outsourcing_plan,
    partner_agents,
)
from omnicenter.planning.router_port import Assignment, ReferenceRouter, RoutingPort
from omnicenter.planning.sim_kpis import Kpis, kpis, kpis_by_queue, service_level_by_interval
from omnicenter.planning.sim_model import AgentSpec, ArrivalSpec, CenterModel, QueueSpec
from omnicenter.planning.simulation import (
    SimResult,
    engine_router,
    reference_router,
    simulate,
)
from omnicenter.planning.staffing import ChannelSpec, Method, StaffingPlan, deferred_agents, staff

__all__ = [
    "Accuracy",
    "AgentSpec",
    "ArrivalSpec",
    "Assignment",
    "Backtest",
    "CenterModel",
    "ChannelSpec",
    "EnginePort",
    "ErlangAResult",
    "Event",
    "ForecastModel",
    "GapBlock",
    "History",
    "Kpis",
    "Method",
    "OutsourcingPlan",
    "QueueSpec",
    "Reason",
    "ReferenceRouter",
    "RoutingPort",
    "SimResult",
    "StaffingPlan",
    "agents_for_asa",
    "agents_for_erlang_a",
    "agents_for_service_level",
    "asa",
    "backtest",
    "deferred_agents",
    "engine_router",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "fit",
    "kpis",
    "kpis_by_queue",
    "mape",
    "occupancy",
    "outsourcing_plan",
    "partner_agents",
    "reference_router",
    "routing_config",
    "seasonal_naive",
    "service_level",
    "service_level_by_interval",
    "simulate",
    "staff",
    "wape",
]
