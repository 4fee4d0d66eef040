"""Agent time on contact dimensions, so that a queue or a channel has an occupancy.

Agent-state time (available, busy, wrap-up, away) is recorded per agent, with no queue,
channel or segment: an agent waits for whatever comes. To give a queue its occupancy, each
agent's state time in an interval is spread over the rows that agent handled contacts in,
in proportion to the handle time (talk + hold + wrap) there. An agent who handled nothing
in an interval adds to no queue's occupancy in it (only to the agent's and team's rows).
"""

from __future__ import annotations

from collections.abc import Mapping

from omnicenter.metrics.counters import Counters
from omnicenter.metrics.kpis import RollupKey, handle_s

__all__ = ["AGENT_TIME", "spread_agent_time"]

AGENT_TIME = ("available_s", "busy_s", "wrap_up_s", "away_s")


def spread_agent_time(
    rows: Mapping[RollupKey, Counters], agent_at: int, *, drop_agent: bool
) -> dict[RollupKey, Counters]:
    """Rows keyed (interval, *dimensions) where position `agent_at` is the agent; each agent's
    state time moves onto its rows in proportion to their handle time. `drop_agent` removes
    the agent from the keys (summing the rows it separated). Rows left empty are dropped."""
    handle: dict[tuple[int | str, int | str], float] = {}
    state: dict[tuple[int | str, int | str], Counters] = {}
    for key, c in rows.items():
        who = (key[0], key[agent_at])
        handle[who] = handle.get(who, 0.0) + handle_s(c)
        acc = state.setdefault(who, Counters())
        for name in AGENT_TIME:
            acc.bump(name, getattr(c, name))
    out: dict[RollupKey, Counters] = {}
    for key, c in rows.items():
        who = (key[0], key[agent_at])
        own = Counters(**{**c.as_dict(), **dict.fromkeys(AGENT_TIME, 0.0)})
        total = handle[who]
        if total:
            share = handle_s(c) / total
            for name in AGENT_TIME:
                own.bump(name, getattr(state[who], name) * share)
        if not any(own.as_dict().values()):
            continue
        out_key = key[:agent_at] + key[agent_at + 1 :] if drop_agent else key
        row = out.get(out_key)
        if row is None:
            row = out[out_key] = Counters()
        row.add(own)
    return out
