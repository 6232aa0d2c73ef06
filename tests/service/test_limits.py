"""Body read time against a real `xstilts serve`: a trickled body gets 408 and its connection is closed."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.processes import base_env, free_port, start, stop, wait_until_up

TIMEOUT_S = 2.0
SLACK_S = 3.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port = free_port()
    env = base_env(
        XSTILTS_DATA_DIR=str(tmp_path / "data"),
        XSTILTS_BODY_TIMEOUT_SECONDS=str(TIMEOUT_S),
        XSTILTS_RUN_WORKER="false",
    )
    log = tmp_path / "service.log"
    process = start([sys.executable, "-m", "xstilts", "serve", "--port", str(port)], env, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process, log)
        yield port, log
    finally:
        stop(process)


def read_until_closed(sock: socket.socket, limit_s: float) -> bytes:
    """Everything the server sends until it closes the connection (or `limit_s` passes)."""
    sock.settimeout(limit_s)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def trickle(port: int, path: str, declared: int) -> tuple[float, bytes]:
    """Send headers declaring `declared` bytes, then a byte a second; when the answer came, and what."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {declared}\r\nX-Request-ID: slow-1\r\n\r\n"
        )
        sock.sendall(head.encode())
        began = time.monotonic()
        sock.setblocking(False)
        while time.monotonic() - began < TIMEOUT_S + SLACK_S:
            try:
                sock.sendall(b" ")
            except OSError:
                break  # the server closed the connection
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except BlockingIOError:
                pass
            time.sleep(1.0)
        answered = time.monotonic() - began
        sock.setblocking(True)
        return answered, read_until_closed(sock, SLACK_S)


@pytest.mark.slow
def test_a_trickled_body_gets_408_closes_the_connection_and_frees_the_server(
    server: tuple[int, Path],
) -> None:
    port, log = server
    answered, raw = trickle(port, "/v1/translate", 10_000)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), raw[:500]
    assert TIMEOUT_S - 0.5 <= answered <= TIMEOUT_S + SLACK_S
    assert b"connection: close" in head.lower() and b"x-request-id: slow-1" in head.lower()
    error = json.loads(body)["error"]
    assert error["code"] == "body_timeout" and f"{TIMEOUT_S:g} s" in error["message"]
    # The connection was closed (read_until_closed returned), and the server still answers.
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    access = [json.loads(line) for line in log.read_text().splitlines() if '"service.access"' in line]
    assert any(line["status"] == 408 and line["request_id"] == "slow-1" for line in access), access


@pytest.mark.slow
def test_a_body_sent_in_time_is_answered_normally(server: tuple[int, Path]) -> None:
    port, _ = server
    response = httpx.post(f"http://127.0.0.1:{port}/v1/translate", json={"texts": []}, timeout=10)
    assert response.status_code == 422 and response.json()["error"]["field"] == "texts"
