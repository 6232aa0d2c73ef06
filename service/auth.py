"""Authentication, scopes and rate limits of the /v1 routes, decided from the headers before any body is read.

Auth is enforced when `require_keys` is set or as soon as any API key exists (revoking every key
keeps it on). /healthz, /readyz, /metrics, /docs and /openapi.json never need a key. Failed
authentications are limited per client address; without auth, rate limits apply per client
address. The client address is the peer's, or from `X-Forwarded-For` when the peer is one of
`trusted_proxies`.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence

from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from service.errors import ServiceError, error_response
from service.keys import KeyInfo, verify_key
from service.logs import key_id_var
from service.ratelimit import retry_after_header
from service.state import Services
from service.tenancy import Caller
from service.tenancy import Scope as KeyScope

CHALLENGE = 'Bearer realm="xstilts"'
PROTECTED_PREFIX = "/v1"
# Methods that create, change or run something; any other method only reads (or gets 405).
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _unauthorized(code: str, message: str, challenge: str) -> ServiceError:
    return ServiceError(401, code, message, "Authorization", {"WWW-Authenticate": challenge})


def _too_many(code: str, message: str, wait: float) -> ServiceError:
    retry = retry_after_header(wait)
    return ServiceError(429, code, message.format(retry=retry), None, {"Retry-After": retry})


def _verify(services: Services, secret: str) -> KeyInfo | None:
    with services.db.session() as session:
        return verify_key(session, secret)


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(scope: Scope, trusted: Sequence[Network]) -> str:
    """The client's address: the peer, or the nearest untrusted hop of X-Forwarded-For behind trusted proxies."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if not _is_trusted(peer, trusted):
        return peer
    forwarded = [
        value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"x-forwarded-for"
    ]
    hops = [hop.strip() for header in forwarded for hop in header.split(",")]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a hop that is no address: the chain cannot be trusted past here
        if not _is_trusted(hop, trusted):
            return hop
    return peer


def needed_scope(scope: Scope) -> KeyScope:
    """Writing for a POST/PUT/PATCH/DELETE that reaches a route, reading for anything else (a 405 included)."""
    if str(scope.get("method", "GET")).upper() not in WRITE_METHODS:
        return "read"
    routes = scope["app"].router.routes
    reaches = any(route.matches(scope)[0] == Match.FULL for route in routes)
    return "write" if reaches else "read"


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, secret = value.decode("latin-1").partition(" ")
            return secret.strip() if kind.lower() == "bearer" else ""
    return ""


class AuthMiddleware:
    """Answer 401 / 403 / 429 for /v1 requests from their headers alone; put the `Caller` in the request state."""

    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[str] = ()) -> None:
        self.app = app
        self.trusted = [ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        protected = path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")
        if scope["type"] != "http" or not protected:
            await self.app(scope, receive, send)
            return
        services: Services = scope["app"].state.services
        try:
            caller = await self._authenticate(services, scope)
        except ServiceError as exc:
            response = error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        key_id_var.set(caller.key_id)
        await self.app(scope, receive, send)

    async def _authenticate(self, services: Services, scope: Scope) -> Caller:
        address = client_address(scope, self.trusted)
        info: KeyInfo | None = None
        if services.auth_enabled():
            info = await self._key(services, scope, address)
        bucket = f"key:{info.id}" if info else f"addr:{address}"
        wait = services.limiter.acquire(bucket, info.rate_limit if info else None)
        if wait > 0:
            raise _too_many(
                "rate_limited",
                "rate limit exceeded; retry after {retry} s or ask for a higher per-key limit",
                wait,
            )
        caller = info.caller() if info else Caller.anonymous()
        needed = needed_scope(scope)
        if not caller.allows(needed):
            raise ServiceError(
                403,
                "insufficient_scope",
                f"this key has scope '{caller.scope}'; {scope.get('method')} requests need scope "
                f"'{needed}' (create a key with `xstilts keys create --scope {needed}`)",
                "Authorization",
            )
        return caller

    @staticmethod
    async def _key(services: Services, scope: Scope, address: str) -> KeyInfo:
        failures = f"addr:{address}"
        blocked = services.auth_failures.wait(failures)
        if blocked > 0:
            raise _too_many(
                "too_many_failures",
                "too many failed authentications from this address; retry after {retry} s",
                blocked,
            )
        secret = _bearer(scope)
        if not secret:
            services.auth_failures.acquire(failures)
            raise _unauthorized(
                "missing_key",
                "this service needs an API key: send 'Authorization: Bearer <key>' "
                "(create one with `xstilts keys create --name <who>`)",
                CHALLENGE,
            )
        info = await asyncio.to_thread(_verify, services, secret)
        if info is None:
            services.auth_failures.acquire(failures)
            raise _unauthorized(
                "invalid_key",
                "the API key is unknown or revoked; ask for a new one (`xstilts keys create`)",
                f'{CHALLENGE}, error="invalid_token"',
            )
        return info
