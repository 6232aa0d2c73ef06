"""Request ids: accepted when valid, replaced otherwise, returned on every response and in the access log."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import ClientFactory, add_key
from tests.service.logcapture import json_lines


def test_a_valid_request_id_comes_back_and_is_in_the_json_access_line(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    headers = add_key(tmp_path / "data", name="logged", scope="read")
    key_id = headers["Authorization"].split("_")[1]
    with make_client() as client, json_lines("service.access") as lines:
        response = client.get("/v1/languages", headers={**headers, "X-Request-ID": "req-1.a_B"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-1.a_B"
    [line] = [line for line in lines if line.get("request_id") == "req-1.a_B"]
    assert line["method"] == "GET" and line["path"] == "/v1/languages" and line["status"] == 200
    assert line["key_id"] == key_id and "xst_" not in json.dumps(line)
    assert isinstance(line["duration_ms"], float) and line["level"] == "INFO"
    assert line["logger"] == "service.access" and str(line["timestamp"]).endswith("+00:00")


@pytest.mark.parametrize("sent", ["", "a b", "x" * 129, "id\u00e9", "<script>", "a/b"])
def test_an_invalid_request_id_is_replaced_never_reflected(client: TestClient, sent: str) -> None:
    with json_lines("service.access") as lines:
        response = client.get("/healthz", headers={"X-Request-ID": sent.encode("utf-8")})
    returned = response.headers["X-Request-ID"]
    assert returned != sent and re.fullmatch(r"[0-9a-f]{32}", returned)
    assert lines[-1]["request_id"] == returned


def test_error_responses_carry_the_request_id(make_client: ClientFactory) -> None:
    with make_client(max_body_bytes=10) as client:
        too_large = client.post("/v1/translate", content=b"x" * 100, headers={"X-Request-ID": "big"})
        missing = client.get("/v1/nothing", headers={"X-Request-ID": "gone"})
        invalid = client.post("/v1/translate", json={}, headers={"X-Request-ID": "bad"})
    assert (too_large.status_code, too_large.headers["X-Request-ID"]) == (413, "big")
    assert (missing.status_code, missing.headers["X-Request-ID"]) == (404, "gone")
    assert invalid.headers["X-Request-ID"] == "bad"


def test_an_unexpected_500_carries_the_request_id_and_is_logged(make_client: ClientFactory) -> None:
    with make_client() as client:

        @client.app.get("/boom")  # type: ignore[attr-defined,untyped-decorator]
        def boom() -> None:
            raise RuntimeError("boom")

        with json_lines("service.access") as lines:
            response = TestClient(client.app, raise_server_exceptions=False).get(
                "/boom", headers={"X-Request-ID": "crash"}
            )
    assert (response.status_code, response.headers["X-Request-ID"]) == (500, "crash")
    assert lines[-1]["status"] == 500
