"""The FastAPI application: routers, error handlers, the body limit, the web pages."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from omnicenter import __version__
from omnicenter.api.limits import BodyLimitMiddleware
from omnicenter.api.routes import (
    agents,
    auth,
    cases,
    channels,
    consents,
    customers,
    desktop,
    engagement,
    knowledge,
    kpis,
    live,
    messaging,
    routing,
    supervisor,
    voice,
)
from omnicenter.bootstrap import Services
from omnicenter.settings import Settings, load_settings
from omnicenter.web import pages

__all__ = ["create_app"]

log = logging.getLogger(__name__)

API = "/api/v1"


def create_app(
    settings: Settings | None = None, *, smtp: bool = True, services: Services | None = None
) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = services or Services(settings)
        await svc.start(smtp=smtp)
        app.state.services = svc
        # Everything built so far lives as long as the process: keep it out of the cyclic
        # collector's scans, and collect less often, so no request waits for a long gen-2 pass.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)
        try:
            yield
        finally:
            await svc.stop()

    app = FastAPI(
        title="omnicenter",
        version=__version__,
        description="Omnichannel contact center API: customers, cases, interactions, "
        "messages on every channel, agents. Authenticate with a bearer token "
        "from POST /api/v1/auth/token.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
    )
    for router in (
        auth.router,
        agents.router,
        customers.router,
        consents.router,
        cases.router,
        channels.router,
        messaging.router,
        desktop.router,
        supervisor.router,
        routing.router,
        kpis.router,
        knowledge.router,
        engagement.router,
        voice.router,
    ):
        app.include_router(router, prefix=API)
    app.include_router(live.router, prefix=API)
    app.include_router(pages.router)
    pages.mount_static(app)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()))
            errors.append({"field": loc, "message": err.get("msg", "invalid")})
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse({"detail": summary, "errors": errors}, status_code=422)

    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
    )
    return app
