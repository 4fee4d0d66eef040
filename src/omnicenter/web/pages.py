"""Serves the pages and their static files; everything works offline (no CDN)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["mount_static", "router"]

router = APIRouter(include_in_schema=False)

_STATIC = resources.files("omnicenter.web") / "static"


def _page(name: str) -> HTMLResponse:
    html = (resources.files("omnicenter.web") / "templates" / name).read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get("/")
async def desktop() -> HTMLResponse:
    return _page("desktop.html")


@router.get("/supervisor")
async def supervisor() -> HTMLResponse:
    return _page("supervisor.html")


@router.get("/widget")
async def widget() -> HTMLResponse:
    return _page("widget.html")


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(_STATIC)), name="static")
