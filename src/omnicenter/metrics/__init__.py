"""Measure: KPIs, journeys, promises and cost from the event log (pure: no I/O).

Read `events.py` (the input), `fold.py` (live, incremental), `batch.py` (the same from a
whole log), `kpis.py` (formulas and roll-ups); `timeline.py` maps stored timeline rows.
"""

from omnicenter.metrics.batch import batch_buckets
from omnicenter.metrics.config import INTERVAL_S, MetricsConfig, interval_start
from omnicenter.metrics.counters import COUNTER_FIELDS, DIMENSIONS, BucketKey, Counters, Delta
from omnicenter.metrics.events import AgentState, MetricEvent, MetricKind
from omnicenter.metrics.fold import Fold, FoldState, LiveAggregator
from omnicenter.metrics.kpis import Grain, Kpis, kpis, rollup

__all__ = [
    "COUNTER_FIELDS",
    "DIMENSIONS",
    "INTERVAL_S",
    "AgentState",
    "BucketKey",
    "Counters",
    "Delta",
    "Fold",
    "FoldState",
    "Grain",
    "Kpis",
    "LiveAggregator",
    "MetricEvent",
    "MetricKind",
    "MetricsConfig",
    "batch_buckets",
    "interval_start",
    "kpis",
    "rollup",
]
