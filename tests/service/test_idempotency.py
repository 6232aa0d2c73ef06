"""Idempotency-Key: a retry gets the first try's resource, another request with the key is a 409,
keys are per API key; start-up removes what killed uploads and writers left."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from service.datasets import Dataset
from service.db import Database
from service.jobs.models import Job
from service.settings import Settings
from tests.service.conftest import ClientFactory, add_key
from tests.service.test_jobs import SQUAD


def _upload(
    client: TestClient, key: str, data: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(
        "/v1/datasets",
        data={"task": "squad"},
        files={"file": ("dev.json", data)},
        headers={"Idempotency-Key": key, **(headers or {})},
    )


def _count(data_dir: Path, table: type[Dataset] | type[Job]) -> int:
    db = Database.connect(Settings(data_dir=data_dir).resolved_database_url())
    try:
        with db.session() as session:
            return session.query(table).count()
    finally:
        db.dispose()


def test_dataset_retries_return_the_first_upload(make_client: ClientFactory, tmp_path: Path) -> None:
    data = SQUAD.read_bytes()
    with make_client(run_worker=False) as client:
        first, again = _upload(client, "k-1", data), _upload(client, "k-1", data)
        other = _upload(client, "k-1", data.replace(b'"version"', b'"Version"', 1))
        fresh = _upload(client, "k-2", data)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["id"] == again.json()["id"] != fresh.json()["id"]
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert _count(tmp_path / "data", Dataset) == 2
    assert sorted(p.name for p in (tmp_path / "data" / "datasets").iterdir()) == sorted(
        [first.json()["id"], fresh.json()["id"]]
    )


def test_job_retries_return_the_first_job(make_client: ClientFactory, tmp_path: Path) -> None:
    with make_client(run_worker=False) as client:
        dataset = _upload(client, "d", SQUAD.read_bytes()).json()["id"]
        body = {"dataset_id": dataset, "langs": ["es"]}
        first = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "job-1"})
        again = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "job-1"})
        other = client.post("/v1/jobs", json={**body, "seed": 1}, headers={"Idempotency-Key": "job-1"})
        bad = client.post("/v1/jobs", json=body, headers={"Idempotency-Key": "has space"})
        plain = client.post("/v1/jobs", json=body)
    assert first.status_code == again.status_code == 202, first.text
    assert first.json()["id"] == again.json()["id"] != plain.json()["id"]
    assert other.status_code == 409
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "Idempotency-Key"
    assert _count(tmp_path / "data", Job) == 2


def test_keys_are_scoped_per_api_key(make_client: ClientFactory, tmp_path: Path) -> None:
    alice = add_key(tmp_path / "data", "alice", owner="alice")
    bob = add_key(tmp_path / "data", "bob", owner="bob")
    data = SQUAD.read_bytes()
    with make_client(run_worker=False) as client:
        mine = _upload(client, "same", data, alice)
        theirs = _upload(client, "same", data, bob)
        again = _upload(client, "same", data, alice)
    assert mine.json()["id"] == again.json()["id"] != theirs.json()["id"]


def test_start_up_sweeps_what_killed_writers_left(make_client: ClientFactory, tmp_path: Path) -> None:
    data = tmp_path / "data"
    incoming = data / "datasets" / ".incoming-dead"
    incoming.mkdir(parents=True)
    (incoming / "big.json").write_bytes(b"x" * 1000)
    shard_tmp = data / "jobs" / "j1" / "shards" / "squad" / "es" / ".translate-00000.parquet.9.9.tmp"
    shard_tmp.parent.mkdir(parents=True)
    shard_tmp.write_bytes(b"partial")
    live = data / "datasets" / ".incoming-live"
    live.mkdir()
    old = time.time() - 7200
    for path in (incoming, shard_tmp):
        os.utime(path, (old, old))
    with make_client(run_worker=False):
        pass
    assert not incoming.exists() and not shard_tmp.exists()
    assert live.exists()  # an upload in progress in another process is left alone
