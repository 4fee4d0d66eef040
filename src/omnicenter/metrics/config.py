"""Thresholds that decide how facts are counted (changing them means re-aggregating)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["INTERVAL_S", "MetricsConfig", "interval_start"]

INTERVAL_S = 900  # the base bucket: 15 minutes; hours and days are sums of these


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    short_abandon_s: float = 5.0  # abandons quicker than this are neither offered nor lost
    fcr_window_s: float = 7 * 86400.0  # a repeat contact on the case within it breaks FCR
    satisfied_score: int = 4  # CSAT: share of answers at or above this score (1..5 scale)


def interval_start(at: datetime | float) -> int:
    """Epoch seconds of the 15-minute interval holding `at` (UTC)."""
    ts = at.astimezone(UTC).timestamp() if isinstance(at, datetime) else at
    return int(ts // INTERVAL_S) * INTERVAL_S
