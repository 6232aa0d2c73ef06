"""Operations: liveness, readiness and Prometheus metrics (no API key needed; /metrics may need its own token)."""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from generator.errors import XstiltsError
from service.deps import ServicesDep
from service.errors import ErrorResponse, ServiceError
from service.redaction import redact_text
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
    profile = services.settings.default_profile
    try:
        services.translators.get(services.translators.choose(profile))
    except XstiltsError as exc:
        message = exc.message if isinstance(exc, ServiceError) else str(exc)
        return redact_text(f"default profile '{profile}' cannot be created: {message}")
    return "ok"


@router.get(
    "/readyz",
    summary="Readiness: the database answers, the default backend profile can be created, preloaded lexicons are in",
    responses={503: {"description": "A check failed; `checks` says which and why"}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    database, backend = await asyncio.gather(
        asyncio.to_thread(_check_database, services), asyncio.to_thread(_check_backend, services)
    )
    checks = {"database": database, "backend": backend, "lexicons": services.switcher.lexicons.preload_state}
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )


def _check_metrics_token(services: Services, authorization: str | None) -> None:
    token = services.settings.metrics_token
    if token is None:
        return
    kind, _, secret = (authorization or "").partition(" ")
    expected = token.get_secret_value().encode()
    if kind.lower() != "bearer" or not hmac.compare_digest(secret.strip().encode(), expected):
        raise ServiceError(
            401,
            "invalid_metrics_token",
            "GET /metrics needs 'Authorization: Bearer <token>' with the token set in XSTILTS_METRICS_TOKEN",
            "Authorization",
            {"WWW-Authenticate": 'Bearer realm="xstilts-metrics"'},
        )


@router.get(
    "/metrics",
    summary="Prometheus metrics (with a bearer token when XSTILTS_METRICS_TOKEN is set)",
    response_class=Response,
    responses={401: {"model": ErrorResponse, "description": "Missing or wrong metrics token"}},
)
async def metrics(
    services: ServicesDep, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Response:
    _check_metrics_token(services, authorization)
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
