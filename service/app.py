"""The FastAPI app factory: routers, error handlers, middleware and the shared services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from service.access import RequestContextMiddleware
from service.api import datasets, examples, health, jobs, meta, translate
from service.auth import AuthMiddleware
from service.errors import ERROR_RESPONSES, install_error_handlers
from service.jobs.runtime import JobRuntime
from service.limits import BodyLimitMiddleware, BodyTimeoutMiddleware
from service.metrics import Metrics, MetricsMiddleware
from service.settings import Settings
from service.state import Services
from service.ui.headers import ConsoleHeadersMiddleware
from service.ui.router import install_console

# Routers under /v1: they need an API key (when keys are on) and count against the rate limit.
API_ROUTERS: list[APIRouter] = [meta.router, translate.router, datasets.router, jobs.router, examples.router]
# Routers open to everyone: probes, metrics (the /ui console's pages are open too; their data is not).
OPEN_ROUTERS: list[APIRouter] = [health.router]


class XstiltsApp(FastAPI):
    """FastAPI with the request-id layer outside Starlette's error middleware, so a 500 carries it too."""

    def build_middleware_stack(self) -> ASGIApp:
        return RequestContextMiddleware(super().build_middleware_stack())


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app with its own metrics registry, database and translator pool."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = Services.build(settings, metrics)
        runtime = JobRuntime.start(app.state.services)
        try:
            yield
        finally:
            await runtime.stop()
            await app.state.services.close()

    app = XstiltsApp(title="xstilts", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    for router in OPEN_ROUTERS:
        app.include_router(router)
    for router in API_ROUTERS:
        app.include_router(router, responses=ERROR_RESPONSES)
    install_console(app)
    install_error_handlers(app)
    # The last added runs first: metrics, CORS, then authentication from the headers, and only
    # then the body limits (size, read time) and the route, so a request without a valid key never
    # has its body read.
    app.add_middleware(BodyTimeoutMiddleware, seconds=settings.body_timeout_seconds)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_body_bytes,
        path_limits={"/v1/datasets": settings.max_upload_bytes},
    )
    app.add_middleware(AuthMiddleware, trusted_proxies=settings.trusted_proxies)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"]
        )
    app.add_middleware(ConsoleHeadersMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
