"""Historical KPIs from the pre-aggregated 15-minute buckets (supervisor)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from omnicenter.api.deps import ServicesDep, require
from omnicenter.domain import Agent, AgentRole
from omnicenter.metrics.config import zone
from omnicenter.metrics.kpis import Grain
from omnicenter.services.kpis import day_report

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
    dims = [d for d in by.split(",") if d]
    try:
        return await services.runtime.read(
            day_report, day or datetime.now(tz).date(), dims, Grain[grain.upper()], tz
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
