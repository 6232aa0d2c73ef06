"""Bad client input never gets a 5xx: each known case is a 4xx naming the problem, and arbitrary
Unicode (surrogates, NUL, right-to-left, combining marks) and odd paths sent to every route stay < 500."""

from __future__ import annotations

import json
import stat
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.datasets import store_upload
from service.settings import Settings
from tests.service.conftest import ClientFactory, needs_apertium
from tests.service.test_jobs import submit, upload, wait_for

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    """One started app for the module, with an uploaded dataset and a finished job."""
    needs_apertium()
    from service.app import create_app

    data = tmp_path_factory.mktemp("bad-input") / "data"
    app = create_app(
        Settings(data_dir=data, rate_limit_per_minute=0, lease_seconds=2, worker_poll_seconds=0.05)
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        dataset = upload(client)
        job = submit(client, dataset_id=dataset, langs=["es"], rows_per_shard=50)["id"]
        wait_for(client, job)
        yield client, dataset, job


def _status(response: Any, expected: int, code: str | None = None, field: str | None = None) -> None:
    assert response.status_code == expected, response.text
    error = response.json()["error"]
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field, error


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("/v1/translate", '{"texts": ["a \\ud800 b"], "tgt": "es"}', "texts.0"),
        ("/v1/translate", '{"texts": ["ok", "a \\u0000 b"], "tgt": "es"}', "texts.1"),
        ("/v1/codeswitch", '{"texts": ["a \\udfff b"], "langs": ["es"]}', "texts.0"),
        ("/v1/codeswitch", '{"texts": ["a \\u0000 b"], "langs": ["es"]}', "texts.0"),
        ("/v1/jobs", '{"dataset_id": "x", "langs": ["es"], "options": {"k\\ud800": 1}}', "options"),
    ],
)
def test_surrogates_and_nul_are_named(
    shared: tuple[TestClient, str, str], route: str, body: str, field: str
) -> None:
    client, _, _ = shared
    response = client.post(route, content=body, headers=JSON)
    _status(response, 422, "invalid_text", field)
    assert "U+" in response.json()["error"]["message"]


@pytest.mark.parametrize("field", ["langs", "methods"])
def test_repeated_languages_or_methods_are_refused(shared: tuple[TestClient, str, str], field: str) -> None:
    client, dataset, _ = shared
    body: dict[str, Any] = {"dataset_id": dataset, "langs": ["es"], "methods": ["translate"]}
    body[field] = body[field] * 2
    response = client.post("/v1/jobs", json=body)
    _status(response, 422, "validation_error", field)
    assert "more than once" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", ["squad%00/x", "a" * 10_000, "squad/es/%2e%2e/%2e%2e/x", "%ff%fe"])
def test_odd_shard_paths_are_404(shared: tuple[TestClient, str, str], path: str) -> None:
    client, _, job = shared
    _status(client.get(f"/v1/jobs/{job}/shards/{path}"), 404, "not_found")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested_too_deeply"),
        ('{"data": ' * 100_000 + "1" + "}" * 100_000, "nested_too_deeply"),
        ("[" + "[]," * 50 + "[]]", "too_many_records"),
    ],
)
def test_pathological_json_uploads_are_413(make_client: ClientFactory, text: str, code: str) -> None:
    with make_client(upload_max_records=40) as client:
        response = client.post(
            "/v1/datasets", data={"task": "squad"}, files={"file": ("d.json", text.encode())}
        )
    _status(response, 413, code, "file")


def test_a_failing_backend_program_is_named_not_500(make_client: ClientFactory, tmp_path: Path) -> None:
    needs_apertium()
    program = tmp_path / "apertium"
    script = '#!/bin/sh\nif [ "$1" = -l ]; then echo eng-spa; exit 0; fi\necho "broken pair" >&2\nexit 3\n'
    program.write_text(script, encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    profiles = {"broken": {"backend": "apertium", "options": {"binary": str(program)}}}
    with make_client(backends=profiles, default_profile="broken") as client:
        response = client.post("/v1/translate", json={"texts": ["hello"], "tgt": "es"})
    _status(response, 502, "backend_failed")
    assert "exit 3" in response.json()["error"]["message"]


def test_a_pathological_upload_is_refused_within_three_times_its_size(tmp_path: Path) -> None:
    """3.5 M empty lists in 10 MB: refused from the byte scan, peak memory under 3x the file."""
    body = ("[" + ",".join(["[]"] * 3_500_000) + "]").encode()
    settings_ = Settings(data_dir=tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(Exception, match="arrays and objects") as refused:
            store_upload(None, settings_, "squad", "d.json", _Stream(body))  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert getattr(refused.value, "status", None) == 413
    assert peak < 3 * len(body), f"peak {peak / 1e6:.1f} MB for a {len(body) / 1e6:.1f} MB file"


class _Stream:
    """A file-like body read in blocks, as an upload arrives."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, size: int) -> bytes:
        block = self.data[self.at : self.at + size]
        self.at += len(block)
        return block


# --- any text, any route ------------------------------------------------------------------------

ANY_CHAR = st.characters(codec=None, categories=None)
# Surrogates, NUL, right-to-left text, combining marks, the odd and the plain.
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.sampled_from(["\ud800", "\x00", "\u202eevil", "e\u0301\u0301\u0301", "مرحبا", "es", "..", "/", "%00"]),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def _body(fields: dict[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=True)  # surrogates travel as \\ud800 escapes


def _segment(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, other=TEXT, value=JSON_VALUE)
def test_arbitrary_text_never_gets_a_5xx(
    shared: tuple[TestClient, str, str], text: str, other: str, value: Any
) -> None:
    client, dataset, job = shared
    bodies = {
        "/v1/translate": [{"texts": [text], "tgt": other}, {"texts": [text], "tgt": "es", "options": value}],
        "/v1/codeswitch": [
            {"texts": [text], "langs": [other]},
            {"texts": [text], "langs": ["es"], "x": value},
        ],
        "/v1/jobs": [
            {"dataset_id": text, "langs": [other]},
            {"dataset_id": dataset, "langs": ["es"], "options": value, "profile": text},
        ],
    }
    for route, variants in bodies.items():
        for fields in variants:
            response = client.post(route, content=_body(fields), headers=JSON)
            assert response.status_code < 500, (route, fields, response.text)
    for path in (
        f"/v1/jobs/{_segment(text)}",
        f"/v1/jobs/{job}/shards/{_segment(text)}/{_segment(other)}",
        f"/v1/datasets/{_segment(text)}",
        f"/v1/jobs?state={_segment(text)}",
        f"/{_segment(text)}",
    ):
        response = client.get(path)
        assert response.status_code < 500, (path, response.text)
    named = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")  # a form field is text
    response = client.post(
        "/v1/datasets",
        data={"task": named},
        files={"file": (named, other.encode("utf-8", "surrogatepass"))},
    )
    assert response.status_code < 500, response.text
