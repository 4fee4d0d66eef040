"""The rows every KPI table is made of (report, export, API, wallboard): one path, so that
they cannot disagree.

A row is kept only when each of its dimensions has a value: contacts not yet answered
have no agent, agent time has no queue, and an unlabelled row is no one's figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from omnicenter.metrics.counters import Counters
from omnicenter.metrics.kpis import Grain, Kpis, RollupKey, kpis
from omnicenter.metrics.occupancy import spread_agent_time

__all__ = ["CONTACT_DIMENSIONS", "Fetch", "kpi_rows", "table_counters"]

CONTACT_DIMENSIONS = ("queue", "channel", "segment")
# Counters per (interval, *dimensions), e.g. `rollup` over buckets or `query_counters`.
Fetch = Callable[[Sequence[str], Grain], Mapping[RollupKey, Counters]]


def table_counters(fetch: Fetch, by: Sequence[str], grain: Grain) -> dict[RollupKey, Counters]:
    """Counters per (interval, *by), agent time spread onto contact dimensions, labelled
    rows only."""
    by = tuple(by)
    if any(d in CONTACT_DIMENSIONS for d in by):
        added = "agent" not in by
        dims = (*by, "agent") if added else by
        rows = spread_agent_time(fetch(dims, grain), 1 + dims.index("agent"), drop_agent=added)
    else:
        rows = dict(fetch(by, grain))
    return {k: c for k, c in rows.items() if all(v != "" for v in k[1:])}


def kpi_rows(fetch: Fetch, by: Sequence[str], grain: Grain) -> dict[RollupKey, Kpis]:
    """KPIs per (interval, *by): the one definition the report, the export, `GET /kpis` and
    the wallboard read."""
    return {k: kpis(c) for k, c in sorted(table_counters(fetch, by, grain).items(), key=_order)}


def _order(item: tuple[RollupKey, Counters]) -> tuple[str, ...]:
    key = item[0]
    return (f"{int(key[0]):012d}", *(str(v) for v in key[1:]))
