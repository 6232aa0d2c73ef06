"""Request body limits: size (Content-Length up front, streamed length as it arrives) and read time."""

from __future__ import annotations

import asyncio
import time

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_response


def too_large_message(limit: int) -> str:
    return f"request body is larger than {limit} bytes; send fewer or shorter texts, or split the request"


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the streamed body passes the limit; handlers turn it into a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


class BodyLimitMiddleware:
    """Answer 413 with a JSON error when a body exceeds `limit` bytes (or the limit for its path prefix)."""

    def __init__(self, app: ASGIApp, limit: int, path_limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.path_limits = dict(path_limits or {})

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.path_limits.items():
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._reject(scope, receive, send, limit)

    @staticmethod
    async def _reject(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = error_response(413, "body_too_large", too_large_message(limit))
        await response(scope, receive, send)


def body_timeout_message(seconds: float) -> str:
    return f"request body not received within {seconds:g} s; send the whole body at once, or a smaller one"


class BodyTimeout(HTTPException):
    """Raised from `receive` when the body takes too long; handlers turn it into a 408 that closes the connection."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, body_timeout_message(seconds), headers={"Connection": "close"})


class BodyTimeoutMiddleware:
    """Answer 408 when the whole body is not received within `seconds` of the app's first read.

    The limit is on the total read time, not the idle time between chunks, so a client trickling
    a byte a second is cut off too. Reads after the last chunk (waiting for a disconnect) are not timed.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        complete = False
        started = False

        async def timed_receive() -> Message:
            nonlocal deadline, complete
            if complete:
                return await receive()
            deadline = deadline or time.monotonic() + self.seconds
            try:
                async with asyncio.timeout(deadline - time.monotonic()):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(self.seconds) from None
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except BodyTimeout as exc:
            if started:
                raise
            response = error_response(408, "body_timeout", str(exc.detail), None, dict(exc.headers or {}))
            await response(scope, receive, send)
