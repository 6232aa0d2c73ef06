"""Every error the service returns is JSON: `{"error": {"code", "message", "field"}}` with the right 4xx."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from generator.errors import (
    BackendError,
    ConfigError,
    InputError,
    MissingDependencyError,
    ShardError,
    TransientError,
    XstiltsError,
)
from service.redaction import redact_text

log = logging.getLogger(__name__)


class ServiceError(XstiltsError):
    """An error raised by the service itself with an explicit status, code and optional headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


class NotFoundError(XstiltsError):
    """A named resource (job, dataset, shard) that does not exist; maps to 404."""


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


# Documented on every /v1 route so the OpenAPI schema describes the JSON error envelope.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in (
        (400, "Request body that cannot be read (not UTF-8 JSON)"),
        (401, "Missing, unknown or revoked API key"),
        (403, "The API key's scope does not allow this request"),
        (408, "Request body not received in time"),
        (413, "Request body too large"),
        (422, "Invalid request; the message names the field to fix"),
        (429, "Rate limit exceeded; see Retry-After"),
        (502, "The backend failed (its program exited with an error, or answered nonsense)"),
        (503, "A dependency (backend, lexicon) is not installed, or the backend is busy; see Retry-After"),
    )
}


def _encodable(text: str) -> str:
    """`text` with what UTF-8 cannot carry (lone surrogates a request sent) written as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The JSON error envelope; the message never holds a server path or URL."""
    return {
        "error": {
            "code": code,
            "message": _encodable(redact_text(message)),
            "field": _encodable(field) if field is not None else None,
        }
    }


def error_response(
    status: int, code: str, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


# Most specific class first; the first match wins.
DOMAIN_ERRORS: list[tuple[type[XstiltsError], int, str]] = [
    (InputError, 422, "invalid_input"),
    (ConfigError, 422, "invalid_request"),
    (NotFoundError, 404, "not_found"),
    (ShardError, 409, "shard_error"),
    (MissingDependencyError, 503, "missing_dependency"),
    (TransientError, 503, "backend_unavailable"),
    (BackendError, 502, "backend_failed"),
]
# Seconds a client waits before retrying a request that met a transient backend failure.
RETRY_AFTER_S = 5


def _field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts)


def _validation_message(err: dict[str, Any]) -> str:
    field = _field_path(err.get("loc", ()))
    msg = str(err.get("msg", "is invalid"))
    if err.get("type") == "json_invalid":
        return f"request body is not valid JSON ({err.get('ctx', {}).get('error', msg)}); send a JSON object"
    if err.get("type") == "missing":
        return f"field '{field}' is required"
    if not field:
        return f"request body: {msg}"
    return f"field '{field}': {msg}"


async def validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    message = "; ".join(_validation_message(e) for e in errors[:10])
    if first.get("type") == "json_invalid":
        return error_response(422, "invalid_json", message)
    return error_response(422, "validation_error", message, _field_path(first.get("loc", ())) or None)


async def domain_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, XstiltsError)
    if isinstance(exc, ServiceError):
        return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)
    field = exc.field if isinstance(exc, InputError) else None
    for cls, status, code in DOMAIN_ERRORS:
        if isinstance(exc, cls):
            headers = {"Retry-After": str(RETRY_AFTER_S)} if isinstance(exc, TransientError) else None
            return error_response(status, code, str(exc), field, headers)
    # The message may carry what a backend or its server answered: it goes to the log, not the client.
    log.error("unclassified error: %s", exc, exc_info=exc)
    return error_response(
        500, "internal_error", f"internal error ({type(exc).__name__}); the service log has the details"
    )


def _allowed_methods(request: Request) -> str:
    """Every method the API documents at the request's path (Starlette's 405 names only one route's)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].fullmatch(path):
            methods.update(method.upper() for method in operations)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {
        400: "invalid_body",
        404: "not_found",
        405: "method_not_allowed",
        408: "body_timeout",
        413: "body_too_large",
    }.get(exc.status_code, f"http_{exc.status_code}")
    message = str(exc.detail)
    if exc.status_code == 400 and "parsing the body" in message:
        message = (
            "request body could not be parsed; send UTF-8 encoded JSON with Content-Type: application/json"
        )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return error_response(exc.status_code, code, message, None, headers)


async def unexpected_handler(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error; the service log has the traceback")


def install_error_handlers(app: FastAPI) -> None:
    """Route validation, HTTP, domain and unexpected errors through the JSON envelope."""
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_handler)
    app.add_exception_handler(XstiltsError, domain_handler)
    app.add_exception_handler(Exception, unexpected_handler)
