"""Tools of the hostile-client tests: a loopback listener that counts connections, a redirecting server,
an ASGI driver that sees how much of a body the app read, and a look for server paths in a response."""

from __future__ import annotations

import re
import socket
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from starlette.types import ASGIApp, Message


class Listener:
    """A loopback TCP port that accepts and counts connections (and answers nothing)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


class Redirector:
    """A loopback HTTP server answering every POST with 307 to `target`; counts the requests it got."""

    def __init__(self, target: str) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                owner.requests += 1
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self.send_response(307)
                self.send_header("Location", f"{target}{self.path}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def __enter__(self) -> Redirector:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()


async def drive(
    app: ASGIApp,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: list[bytes],
    peer: str = "203.0.113.9",
) -> tuple[int, int]:
    """Send one request to `app` in `chunks`; (status, how many chunks the app asked for)."""
    consumed = 0
    status = 0

    async def receive() -> Message:
        nonlocal consumed
        if consumed < len(chunks):
            consumed += 1
            return {"type": "http.request", "body": chunks[consumed - 1], "more_body": consumed < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 40000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return status, consumed


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


# An absolute path of two or more segments anywhere in a string (API routes aside).
_ABSOLUTE = re.compile(r"""(?:^|[\s:='"(])/(?!v1/)[^\s/'"]+/""")


def server_paths(value: Any, *roots: Path) -> list[str]:
    """Strings of a JSON value that hold an absolute path or a URL, or name one of `roots`."""
    named = [str(root) for root in roots]
    return [
        s for s in strings(value) if _ABSOLUTE.search(s) or "://" in s or any(root in s for root in named)
    ]


def cache_rows(path: Path) -> int:
    """Rows of the translation memory at `path` (0 when it does not exist yet)."""
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0])


def tree(root: Path) -> set[str]:
    """Every path under `root`, relative."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}
