"""GET /v1/jobs/{id}/examples: shard rows beside their English source, filters, paging, tenancy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import ClientFactory, add_key, needs_apertium
from tests.service.test_jobs import FAST, upload, wait_for


@pytest.fixture
def translated(
    make_client: ClientFactory, tmp_path: Path
) -> Iterator[tuple[TestClient, str, dict[str, str]]]:
    """A finished Apertium eng→spa job (two rows per shard) and the key that owns it."""
    needs_apertium()
    owner = add_key(tmp_path / "data", "first", owner="alice")
    with make_client(**FAST) as client:
        client.headers.update(owner)
        body = {"dataset_id": upload(client), "langs": ["es"], "profile": "apertium", "rows_per_shard": 2}
        created = client.post("/v1/jobs", json=body)
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]
        wait_for(client, job_id)
        yield client, job_id, owner


def page(client: TestClient, job_id: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/jobs/{job_id}/examples", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_examples_page_through_every_row_with_english_beside(translated: tuple[TestClient, str, Any]) -> None:
    client, job_id, _ = translated
    manifest = client.get(f"/v1/jobs/{job_id}/manifest").json()
    kept = sum(s["rows"] for s in manifest["shards"])
    assert len(manifest["shards"]) >= 2 and kept >= 3
    seen = []
    for offset in range(0, kept, 2):
        body = page(client, job_id, offset=offset, limit=2)
        assert body["total"] == kept and body["offset"] == offset
        seen += body["examples"]
    assert len({ex["id"] for ex in seen}) == kept == len(seen)
    assert page(client, job_id, offset=kept)["examples"] == []
    for ex in seen:
        assert ex["lang"] == "es" and ex["method"] == "translate"
        assert ex["english"] is not None and ex["english"]["lang"] == "en" and ex["english"]["id"] == ex["id"]
        for answer in ex["answers"]:
            assert ex["context"][answer["start"] : answer["start"] + len(answer["text"])] == answer["text"]
    assert page(client, job_id)["facets"]["langs"] == ["es"]


def test_filters_select_by_projection_confidence_and_language(
    translated: tuple[TestClient, str, Any],
) -> None:
    client, job_id, _ = translated
    everything = page(client, job_id, limit=100)["examples"]
    projection = everything[0]["projection"]
    by_projection = page(client, job_id, projection=projection, limit=100)
    assert by_projection["total"] == sum(ex["projection"] == projection for ex in everything) > 0
    assert all(ex["projection"] == projection for ex in by_projection["examples"])
    threshold = sorted(ex["confidence"] for ex in everything)[len(everything) // 2]
    confident = page(client, job_id, min_confidence=threshold, limit=100)
    assert confident["total"] == sum(ex["confidence"] >= threshold for ex in everything)
    assert page(client, job_id, lang="de")["total"] == 0
    assert page(client, job_id, method="codeswitch")["total"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"min_confidence": 1.5}, "min_confidence"),
        ({"min_confidence": "high"}, "min_confidence"),
        ({"method": "magic"}, "method"),
        ({"lang": "../etc"}, "lang"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_query_is_422_naming_the_field(
    translated: tuple[TestClient, str, Any], params: dict[str, Any], field: str
) -> None:
    client, job_id, _ = translated
    response = client.get(f"/v1/jobs/{job_id}/examples", params=params)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["field"]


def test_another_owner_sees_no_examples(translated: tuple[TestClient, str, Any], tmp_path: Path) -> None:
    client, job_id, owner = translated
    other = add_key(tmp_path / "data", "second", owner="bob")
    response = client.get(f"/v1/jobs/{job_id}/examples", headers=other)
    assert response.status_code == 404
    assert client.get("/v1/jobs", headers=other).json()["total"] == 0
    assert client.get(f"/v1/jobs/{job_id}/examples", headers={"Authorization": ""}).status_code == 401
    assert client.get(f"/v1/jobs/{job_id}/examples", headers=owner).status_code == 200
