"""Request bodies hold well-formed text: a lone surrogate or a NUL anywhere in a JSON body is a 422 naming it.

Python's JSON reader accepts `"\\ud800"` and `"\\u0000"`, but neither can be stored, passed to a
backend program or written back as UTF-8, so the routes of `CheckedRoute` refuse them before the
body reaches its model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from service.errors import ServiceError

_BAD = re.compile("[\x00\ud800-\udfff]")


def _problem(text: str) -> str | None:
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    what = "NUL" if char == "\x00" else "a lone surrogate, which is not Unicode text"
    return f"holds U+{ord(char):04X} ({what}) at character {found.start()}; send UTF-8 text without it"


def find_bad_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first (field path, problem) of a string or key of `value` that is not well-formed text."""
    if isinstance(value, str):
        problem = _problem(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = []
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if problem := _problem(str(key)):
                return (path or "(body)", f"key {key!a} {problem}")
            items.append((name, item))
        for name, item in items:
            if found := find_bad_text(item, name):
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            if found := find_bad_text(item, f"{path}.{i}" if path else str(i)):
                return found
    return None


class CheckedRoute(APIRoute):
    """A route whose JSON body is checked for NULs and lone surrogates before validation."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            if request.headers.get("content-type", "").startswith("application/json"):
                try:
                    data = json.loads(await request.body())
                except (ValueError, RecursionError):
                    data = None  # the route's own validation names the syntax error
                if found := find_bad_text(data):
                    field, problem = found
                    raise ServiceError(422, "invalid_text", f"field '{field}': {problem}", field)
            return await handler(request)

        return checked
