"""Authentication from the headers before any body is read; failed authentications limited per client address."""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.auth import client_address
from service.settings import Settings
from tests.service.conftest import ClientFactory, add_key
from tests.service.hostile import drive
from tests.service.processes import base_env, free_port, start, stop, wait_until_up

MB = 1 << 20


def send(
    client: TestClient, method: str, path: str, headers: dict[str, str], chunks: list[bytes], peer: str
) -> tuple[int, int]:
    assert client.portal is not None
    return client.portal.call(drive, client.app, method, path, headers, chunks, peer)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_401_comes_before_the_body_is_read_413_and_422(make_client: ClientFactory, data_dir: Path) -> None:
    writer = add_key(data_dir, "writer")
    reader = add_key(data_dir, "reader", scope="read")
    upload = {"content-type": "multipart/form-data; boundary=x", "content-length": str(60 * MB)}
    as_json = {"content-type": "application/json"}
    with make_client(max_body_bytes=1000, max_upload_bytes=10 * MB) as client:
        peer = "198.51.100.1"
        assert send(client, "POST", "/v1/datasets", upload, [b"x" * MB] * 60, peer) == (401, 0)
        assert send(client, "POST", "/v1/translate", as_json, [b"{not json"], peer) == (401, 0)
        too_big = {**as_json, "content-length": "5000"}
        assert send(client, "POST", "/v1/translate", too_big, [b"x" * 5000], peer) == (401, 0)
        assert send(client, "POST", "/v1/translate", {**as_json, **reader}, [b"{not json"], peer) == (403, 0)
        assert send(client, "POST", "/v1/translate", {**too_big, **writer}, [b"x" * 5000], peer)[0] == 413
        assert send(client, "POST", "/v1/translate", {**as_json, **writer}, [b"{not json"], peer) == (422, 1)
        assert send(client, "POST", "/v1/datasets", {**upload, **writer}, [b"x" * MB] * 60, peer) == (413, 0)


def test_failed_authentications_are_limited_per_client_address(
    make_client: ClientFactory, data_dir: Path
) -> None:
    valid = add_key(data_dir, "ok")
    wrong = {"Authorization": "Bearer xst_000000000000_guess"}
    with make_client(auth_failures_per_minute=10) as client:
        statuses = [send(client, "GET", "/v1/jobs", wrong, [], "198.51.100.2")[0] for _ in range(30)]
        assert statuses == [401] * 10 + [429] * 20
        assert send(client, "GET", "/v1/jobs", valid, [], "198.51.100.2")[0] == 429, "guessing stays blocked"
        assert send(client, "GET", "/v1/jobs", {}, [], "198.51.100.3")[0] == 401
        assert send(client, "GET", "/v1/jobs", valid, [], "198.51.100.3")[0] == 200
    with make_client(auth_failures_per_minute=1, peer=("198.51.100.4", 1)) as client:
        client.get("/v1/jobs", headers=wrong)
        blocked = client.get("/v1/jobs", headers=valid)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    assert blocked.json()["error"]["code"] == "too_many_failures"


def test_forwarded_for_counts_only_from_trusted_proxies(make_client: ClientFactory, data_dir: Path) -> None:
    add_key(data_dir, "someone")

    def guess(client: TestClient, peer: str, forwarded: str) -> int:
        headers = {"Authorization": "Bearer nope", "X-Forwarded-For": forwarded}
        return send(client, "GET", "/v1/jobs", headers, [], peer)[0]

    with make_client(auth_failures_per_minute=2, trusted_proxies=["10.0.0.0/8"]) as client:
        assert [guess(client, "10.0.0.1", "192.0.2.7") for _ in range(3)] == [401, 401, 429]
        assert guess(client, "10.0.0.1", "192.0.2.8") == 401, "another client behind the proxy"
        assert guess(client, "10.0.0.2", "192.0.2.8, 10.0.0.1") == 401
        assert guess(client, "10.0.0.2", "192.0.2.8, 10.0.0.1") == 429, "the same client through two proxies"
        spoofed = [guess(client, "203.0.113.5", f"192.0.2.{i}") for i in range(10, 13)]
        assert spoofed == [401, 401, 429], "an untrusted peer cannot pick its address"


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", "192.0.2.1", "203.0.113.5"),
        ("10.0.0.1", "192.0.2.1", "192.0.2.1"),
        ("10.0.0.1", "192.0.2.1, 10.0.0.9", "192.0.2.1"),
        ("10.0.0.1", "198.51.100.1, 192.0.2.1", "192.0.2.1"),
        ("10.0.0.1", "not-an-ip", "10.0.0.1"),
        ("10.0.0.1", "", "10.0.0.1"),
        ("testclient", "192.0.2.1", "testclient"),
    ],
)
def test_client_address(peer: str, forwarded: str, expected: str) -> None:
    scope = {"client": (peer, 1), "headers": [(b"x-forwarded-for", forwarded.encode())] if forwarded else []}
    assert client_address(scope, [ipaddress.ip_network("10.0.0.0/8")]) == expected


def test_trusted_proxies_must_be_addresses(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no IP address or network"):
        Settings(data_dir=tmp_path, trusted_proxies=["proxy.internal"])


def test_metrics_can_require_a_token(make_client: ClientFactory) -> None:
    with make_client(metrics_token="s3cret") as client:
        missing = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
        right = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["error"]["code"] == "invalid_metrics_token"
    assert right.status_code == 200 and "xstilts_http_requests" in right.text


def test_unauthenticated_requests_get_401_not_a_redirect(make_client: ClientFactory, data_dir: Path) -> None:
    add_key(data_dir)
    with make_client() as client:
        for path in ("/v1/jobs/", "/v1", "/v1/nothing", "/v1/jobs/%2e%2e/x"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 401, path


@pytest.mark.slow
def test_a_real_server_answers_401_to_a_big_upload_before_it_arrives(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    add_key(data_dir, "someone")
    port = free_port()
    env = base_env(XSTILTS_DATA_DIR=str(data_dir), XSTILTS_RUN_WORKER="false")
    log = tmp_path / "serve.log"
    xstilts = shutil.which("xstilts", path=str(Path(sys.executable).parent)) or "xstilts"
    server = start([xstilts, "serve", "--host", "127.0.0.1", "--port", str(port)], env, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server, log)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            head = (
                "POST /v1/datasets HTTP/1.1\r\nHost: x\r\n"
                f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {60 * MB}\r\n\r\n"
            )
            sock.sendall(head.encode() + b"x" * MB)
            started = time.monotonic()
            answer = sock.recv(4096)
            waited = time.monotonic() - started
            head_end = answer.find(b"\r\n\r\n")
            length = re.search(rb"content-length: (\d+)", answer[:head_end].lower())
            while length and len(answer) < head_end + 4 + int(length.group(1)):
                more = sock.recv(4096)  # the body may come in a later segment than the head
                if not more:
                    break
                answer += more
    finally:
        stop(server)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"missing_key" in answer
    assert waited < 10, "the answer came while 59 MB were still unsent"
