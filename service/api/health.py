"""Operations: liveness, readiness and Prometheus metrics (no API key needed)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from generator.errors import XstiltsError
from service.deps import ServicesDep
from service.state import Services

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _check_database(services: Services) -> str:
    try:
        with services.db.session() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        return f"database unreachable ({type(exc).__name__}: {exc}); check XSTILTS_DATABASE_URL"
    return "ok"


def _check_backend(services: Services) -> str:
    backend = services.settings.default_backend
    try:
        services.translators.get(backend)
    except XstiltsError as exc:
        return f"default backend '{backend}' cannot be created: {exc}"
    return "ok"


@router.get(
    "/readyz",
    summary="Readiness: the database answers and the default backend can be created",
    responses={503: {"description": "A check failed; `checks` says which and why"}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    database, backend = await asyncio.gather(
        asyncio.to_thread(_check_database, services), asyncio.to_thread(_check_backend, services)
    )
    checks = {"database": database, "backend": backend}
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
