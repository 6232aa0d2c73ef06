"""Bearer-key authentication and per-key rate limiting for the /v1 routes.

Auth is enforced when `require_keys` is set or as soon as any API key exists (revoking every key
keeps it on). /healthz, /readyz, /metrics, /docs and /openapi.json never need a key. Without auth,
rate limits apply per client address.
"""

from __future__ import annotations

import asyncio

from fastapi import Request

from service.errors import ServiceError
from service.keys import KeyInfo, verify_key
from service.ratelimit import retry_after_header
from service.state import Services

CHALLENGE = 'Bearer realm="xstilts"'


def _unauthorized(code: str, message: str, challenge: str) -> ServiceError:
    return ServiceError(401, code, message, "Authorization", {"WWW-Authenticate": challenge})


def _verify(services: Services, secret: str) -> KeyInfo | None:
    with services.db.session() as session:
        return verify_key(session, secret)


async def authenticate(request: Request) -> KeyInfo | None:
    """The caller's key (None when auth is off); 401 without a valid key, 429 past its rate limit."""
    services: Services = request.app.state.services
    info: KeyInfo | None = None
    if services.auth_enabled():
        header = request.headers.get("authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise _unauthorized(
                "missing_key",
                "this service needs an API key: send 'Authorization: Bearer <key>' "
                "(create one with `xstilts keys create --name <who>`)",
                CHALLENGE,
            )
        info = await asyncio.to_thread(_verify, services, secret.strip())
        if info is None:
            raise _unauthorized(
                "invalid_key",
                "the API key is unknown or revoked; ask for a new one (`xstilts keys create`)",
                f'{CHALLENGE}, error="invalid_token"',
            )
        request.state.api_key = info
    bucket = f"key:{info.id}" if info else f"addr:{request.client.host if request.client else 'unknown'}"
    wait = services.limiter.acquire(bucket, info.rate_limit if info else None)
    if wait > 0:
        retry = retry_after_header(wait)
        raise ServiceError(
            429,
            "rate_limited",
            f"rate limit exceeded; retry after {retry} s or ask for a higher per-key limit",
            None,
            {"Retry-After": retry},
        )
    return info
