"""Each key sees only its owner's datasets and jobs; scopes read < write < admin; data from before keys is admin's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import ClientFactory, add_key, needs_apertium
from tests.service.test_jobs import SQUAD
from tests.service.test_server_paths import plant_shard


@pytest.fixture(autouse=True)
def _apertium() -> None:
    needs_apertium()


def upload_as(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post(
        "/v1/datasets",
        data={"task": "squad"},
        files={"file": ("dev.json", SQUAD.read_bytes())},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def submit_as(client: TestClient, headers: dict[str, str], dataset: str) -> str:
    response = client.post("/v1/jobs", json={"dataset_id": dataset, "langs": ["es"]}, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def ids(client: TestClient, path: str, headers: dict[str, str], key: str) -> set[str]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()[key]}


def test_one_key_cannot_see_read_download_cancel_or_build_on_anothers_data(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    with make_client(run_worker=False) as client:
        old_dataset = upload_as(client, {})
        old_job = submit_as(client, {}, old_dataset)
    admin = add_key(data_dir, "root", scope="admin")
    alice = add_key(data_dir, "alice", owner="team-a")
    alice_reader = add_key(data_dir, "alice-dashboard", scope="read", owner="team-a")
    bob = add_key(data_dir, "bob")
    with make_client(run_worker=False) as client:
        dataset = upload_as(client, alice)
        job = submit_as(client, alice, dataset)
        shard = f"/v1/jobs/{job}/shards/squad/es/translate-00000.parquet"
        plant_shard(data_dir / "jobs" / job / "shards")

        for who in (alice, alice_reader):
            assert ids(client, "/v1/datasets", who, "datasets") == {dataset}
            assert ids(client, "/v1/jobs", who, "jobs") == {job}
            assert client.get(f"/v1/jobs/{job}", headers=who).status_code == 200
            assert client.get(f"/v1/jobs/{job}/manifest", headers=who).status_code == 200
            assert client.get(shard, headers=who).content == b"PAR1 shard"

        assert ids(client, "/v1/datasets", bob, "datasets") == set()
        assert ids(client, "/v1/jobs", bob, "jobs") == set()
        for method, path in [
            ("GET", f"/v1/datasets/{dataset}"),
            ("GET", f"/v1/datasets/{old_dataset}"),
            ("GET", f"/v1/jobs/{job}"),
            ("GET", f"/v1/jobs/{job}/manifest"),
            ("GET", shard),
            ("GET", f"/v1/jobs/{job}/shards/manifest.json"),
            ("DELETE", f"/v1/jobs/{job}"),
            ("GET", f"/v1/jobs/{old_job}"),
            ("DELETE", f"/v1/jobs/{old_job}"),
        ]:
            response = client.request(method, path, headers=bob)
            assert response.status_code == 404, (method, path)
            assert response.json()["error"]["message"].startswith("no "), "told apart from a missing one"
        built = client.post("/v1/jobs", json={"dataset_id": dataset, "langs": ["es"]}, headers=bob)
        assert built.status_code == 422 and built.json()["error"]["code"] == "unknown_dataset"
        assert client.get(f"/v1/jobs/{job}", headers=alice).json()["state"] == "queued", (
            "bob cancelled nothing"
        )

        assert ids(client, "/v1/datasets", admin, "datasets") == {dataset, old_dataset}
        assert ids(client, "/v1/jobs", admin, "jobs") == {job, old_job}
        assert ids(client, "/v1/datasets", alice, "datasets") == {dataset}, "data from before keys is admin's"
        assert client.delete(f"/v1/jobs/{old_job}", headers=admin).json()["state"] == "cancelled"
        assert client.get(f"/v1/jobs/{job}/manifest", headers=admin).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/translate", {"texts": ["a"], "tgt": "es"}),
        ("POST", "/v1/codeswitch", {"texts": ["a"], "langs": ["es"]}),
        ("POST", "/v1/jobs", {"dataset_id": "x", "langs": ["es"]}),
        ("DELETE", "/v1/jobs/x", None),
    ],
)
def test_a_read_key_cannot_write(
    make_client: ClientFactory, tmp_path: Path, method: str, path: str, body: Any
) -> None:
    reader = add_key(tmp_path / "data", "reader", scope="read")
    with make_client(run_worker=False) as client:
        response = client.request(method, path, json=body, headers=reader)
        assert client.get("/v1/languages", headers=reader).status_code == 200
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope" and "--scope write" in error["message"]


def test_a_read_key_cannot_upload(make_client: ClientFactory, tmp_path: Path) -> None:
    reader = add_key(tmp_path / "data", "reader", scope="read")
    with make_client() as client:
        response = client.post(
            "/v1/datasets", data={"task": "squad"}, files={"file": ("d.json", b"{}")}, headers=reader
        )
    assert response.status_code == 403
    assert not (tmp_path / "data" / "datasets").exists()
