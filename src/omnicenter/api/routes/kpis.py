"""Historical KPIs from the pre-aggregated 15-minute buckets (supervisor)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from omnicenter.api.deps import ServicesDep, require
from omnicenter.domain import Agent, AgentRole
from omnicenter.metrics.config import day_bounds, zone
from omnicenter.metrics.kpis import Grain
from omnicenter.store.metrics import query_kpis

router = APIRouter(tags=["metrics"])


@router.get("/kpis", summary="KPIs for a day, grouped by dimensions (supervisor)")
async def get_kpis(
    services: ServicesDep,
    _: Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))],
    day: date | None = None,
    by: Annotated[str, Query(pattern=r"^[a-z,]*$", max_length=60)] = "queue,channel",
    grain: Annotated[str, Query(pattern=r"^(quarter|hour|day|total)$")] = "total",
) -> list[dict[str, Any]]:
    tz = zone(services.settings.timezone)  # "a day" is a day of the center's time zone
    start, end = day_bounds(day or datetime.now(tz).date(), tz)
    dims = [d for d in by.split(",") if d]
    try:
        rows = await services.runtime.read(
            query_kpis, start, end, dims, Grain[grain.upper()], None, tz
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    out = []
    for key, k in sorted(rows.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        item: dict[str, Any] = {"interval_start": datetime.fromtimestamp(int(key[0]), tz)}
        item.update(dict(zip(dims, key[1:], strict=True)))
        item.update(asdict(k))
        out.append(item)
    return out
