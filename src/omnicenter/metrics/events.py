"""The typed input of every KPI: one `MetricEvent` per routing or case fact.

The event is flat on purpose: it maps one-to-one onto a timeline row (see `timeline.py`)
and onto the SQL state, and the fold reads only the fields its `kind` documents:

| kind            | fields read                                                        |
|-----------------|--------------------------------------------------------------------|
| offered         | contact_id, case_id, queue, channel, segment, sl_target_s          |
| answered        | contact_id, agent, team                                            |
| abandoned       | contact_id                                                         |
| transferred     | contact_id                                                         |
| ended           | contact_id, talk_s, hold_s, wrap_s                                 |
| csat            | contact_id, score (1..5)                                           |
| resolved        | case_id, queue, channel, segment                                   |
| promise_made    | contact_id (the promise id), queue, channel, segment, due_at       |
| promise_kept    | contact_id (the promise id); kept after due_at counts as broken    |
| promise_broken  | contact_id (the promise id)                                        |
| agent_state     | agent, team, state (available/busy/wrap_up/away), seconds from at  |
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

__all__ = ["AgentState", "MetricEvent", "MetricKind"]


class MetricKind(enum.StrEnum):
    OFFERED = "offered"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    TRANSFERRED = "transferred"
    ENDED = "ended"
    CSAT = "csat"
    RESOLVED = "resolved"
    PROMISE_MADE = "promise_made"
    PROMISE_KEPT = "promise_kept"
    PROMISE_BROKEN = "promise_broken"
    AGENT_STATE = "agent_state"


class AgentState(enum.StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    AWAY = "away"


@dataclass(frozen=True, slots=True)
class MetricEvent:
    """One fact. `at` is timezone-aware UTC; durations are seconds."""

    kind: MetricKind
    at: datetime
    contact_id: str = ""
    case_id: str = ""
    queue: str = ""
    channel: str = ""
    segment: str = ""
    agent: str = ""
    team: str = ""
    sl_target_s: float = 20.0
    talk_s: float = 0.0
    hold_s: float = 0.0
    wrap_s: float = 0.0
    score: int = 0
    due_at: datetime | None = None
    state: AgentState | None = None
    seconds: float = 0.0
