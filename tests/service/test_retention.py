"""Retention: dataset deletion, purge of finished jobs, the TTL sweep, per-owner disk quotas, disk gauges."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from service.datasets import Dataset, datasets_root
from service.db import Database, utcnow
from service.errors import ServiceError
from service.jobs import store
from service.jobs.models import Job, JobProgress
from service.jobs.spec import job_out_dir
from service.jobs.worker import Worker
from service.retention import Swept, dir_bytes, jobs_root, purge_job, run_sweep, sweep
from service.settings import Settings
from service.tenancy import Caller
from tests.service.conftest import ClientFactory, add_key
from tests.service.test_jobs import SQUAD, needs_lexicons

SIZE = len(SQUAD.read_bytes())
UNITS = [("squad", "de", "codeswitch")]


def upload(client: TestClient, headers: dict[str, str] | None = None) -> Any:
    return client.post(
        "/v1/datasets",
        data={"task": "squad"},
        files={"file": ("dev.json", SQUAD.read_bytes())},
        headers=headers or {},
    )


def codeswitch_job(client: TestClient, dataset: str, headers: dict[str, str] | None = None) -> Any:
    body = {"dataset_id": dataset, "langs": ["de"], "methods": ["codeswitch"], "rows_per_shard": 2}
    return client.post("/v1/jobs", json=body, headers=headers or {})


def test_purge_deletes_a_finished_job_and_then_its_dataset_can_go(
    make_client: ClientFactory, database_url: str
) -> None:
    needs_lexicons("de")
    with make_client(run_worker=False, database_url=database_url) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        dataset = upload(client).json()["id"]
        job = codeswitch_job(client, dataset).json()["id"]
        early = client.delete(f"/v1/jobs/{job}", params={"purge": "true"})
        assert early.status_code == 409 and early.json()["error"]["code"] == "job_not_finished"
        assert Worker(services.db, services.settings, "w1").run_once()
        assert client.get(f"/v1/jobs/{job}").json()["state"] == "succeeded"
        shards = job_out_dir(services.settings, job)
        assert dir_bytes(shards) > 0
        in_use = client.delete(f"/v1/datasets/{dataset}")
        assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "dataset_in_use"
        assert job in in_use.json()["error"]["message"]

        purged = client.delete(f"/v1/jobs/{job}", params={"purge": "true"})
        assert purged.status_code == 204, purged.text
        assert client.get(f"/v1/jobs/{job}").status_code == 404
        assert client.get(f"/v1/jobs/{job}/manifest").status_code == 404
        assert not (jobs_root(services.settings) / job).exists()
        with services.db.session() as session:
            assert session.scalars(select(JobProgress).where(JobProgress.job_id == job)).all() == []
        assert client.delete(f"/v1/jobs/{job}", params={"purge": "true"}).status_code == 404

        assert client.delete(f"/v1/datasets/{dataset}").status_code == 204
        assert client.get(f"/v1/datasets/{dataset}").status_code == 404
        assert not (datasets_root(services.settings) / dataset).exists()
        assert client.delete(f"/v1/datasets/{dataset}").status_code == 404


def test_a_cancelled_job_is_purged_once_its_worker_can_no_longer_write(tmp_path: Path) -> None:
    db = Database.connect(f"sqlite:///{tmp_path / 'store.db'}")
    db.init_db()
    settings = Settings(data_dir=tmp_path, lease_seconds=0.3)
    with db.session() as session:
        session.add(Dataset(id="d1", task="squad", filename="f", sha256="0" * 64, size_bytes=1, examples=1))
        job_id = store.create_job(session, {}, "d1", UNITS, 1).id
    lease = store.claim(db, "w1", 0.3, 3)
    assert lease is not None
    with db.session() as session:
        store.cancel_job(session, job_id, Caller.anonymous())
        with pytest.raises(ServiceError) as stopping:
            purge_job(session, settings, job_id, Caller.anonymous())
    assert stopping.value.code == "job_stopping" and stopping.value.headers == {"Retry-After": "1"}
    time.sleep(0.35)
    with db.session() as session:
        purge_job(session, settings, job_id, Caller.anonymous())
    with db.session() as session:
        assert session.get(Job, job_id) is None
    db.dispose()


def test_only_the_owner_or_an_admin_deletes_and_purges(make_client: ClientFactory, tmp_path: Path) -> None:
    data = tmp_path / "data"
    alice, bob = add_key(data, "a", owner="team-a"), add_key(data, "b", owner="team-b")
    reader, admin = add_key(data, "r", scope="read", owner="team-a"), add_key(data, "x", scope="admin")
    with make_client(run_worker=False) as client:
        mine, theirs = upload(client, alice).json()["id"], upload(client, alice).json()["id"]
        for headers, expected in ((bob, 404), (reader, 403)):
            assert client.delete(f"/v1/datasets/{mine}", headers=headers).status_code == expected
            purge = client.delete(f"/v1/jobs/{mine}", params={"purge": "true"}, headers=headers)
            assert purge.status_code == expected
        assert client.delete(f"/v1/datasets/{mine}", headers=alice).status_code == 204
        assert client.delete(f"/v1/datasets/{theirs}", headers=admin).status_code == 204


def test_quota_is_413_for_a_file_over_it_and_507_once_used_up(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    alice, bob = add_key(data, "a", owner="team-a"), add_key(data, "b", owner="team-b")
    with make_client(run_worker=False, disk_quota_bytes=SIZE) as client:
        first = upload(client, alice)
        assert first.status_code == 201, first.text
        full = upload(client, alice)
        assert full.status_code == 507, full.text
        error = full.json()["error"]
        assert error["code"] == "quota_exceeded" and f"holds {SIZE} bytes" in error["message"]
        assert "DELETE /v1/jobs/{id}?purge=true" in error["message"]
        job = codeswitch_job(client, first.json()["id"], alice)
        assert job.status_code == 507 and job.json()["error"]["code"] == "quota_exceeded"
        assert upload(client, bob).status_code == 201  # another owner has its own quota
        assert client.delete(f"/v1/datasets/{first.json()['id']}", headers=alice).status_code == 204
        assert upload(client, alice).status_code == 201
    carol = add_key(data, "c", owner="team-c")
    with make_client(run_worker=False, disk_quota_bytes=SIZE - 1) as client:
        too_big = upload(client, carol)
        assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "larger_than_quota"
        assert too_big.json()["error"]["field"] == "file"
    with make_client(run_worker=False, disk_quota_bytes=SIZE + SIZE // 2) as client:
        partly = upload(client, alice)  # holds one upload already
        assert partly.status_code == 507 and "does not fit in the" in partly.json()["error"]["message"]
    assert not [p for p in datasets_root(Settings(data_dir=data)).iterdir() if p.name.startswith(".")]


def _age(db: Database, table: Any, row_id: str, column: str, hours: float) -> None:
    with db.session() as session:
        session.execute(
            update(table).where(table.id == row_id).values({column: utcnow() - timedelta(hours=hours)})
        )


def test_the_sweep_deletes_finished_jobs_and_unused_uploads_past_their_ttl(
    database_url: str, tmp_path: Path
) -> None:
    db = Database.connect(database_url)
    db.init_db()
    settings = Settings(data_dir=tmp_path, job_ttl_hours=24, upload_ttl_hours=48)
    with db.session() as session:
        for dataset_id in ("used", "old", "fresh", "busy"):
            session.add(
                Dataset(id=dataset_id, task="squad", filename="f", sha256="0" * 64, size_bytes=1, examples=1)
            )
            (datasets_root(settings) / dataset_id).mkdir(parents=True)
            (datasets_root(settings) / dataset_id / "f").write_bytes(b"x")
        done = store.create_job(session, {}, "used", UNITS, 1).id
        recent = store.create_job(session, {}, "fresh", UNITS, 1).id
        running = store.create_job(session, {}, "busy", UNITS, 1).id
    for job_id in (done, recent, running):
        (jobs_root(settings) / job_id / "shards").mkdir(parents=True)
    with db.session() as session:
        session.execute(update(Job).where(Job.id.in_([done, recent])).values(state="succeeded"))
        session.execute(update(Job).where(Job.id == running).values(state="running"))
    _age(db, Job, done, "updated_at", 25)
    _age(db, Job, running, "updated_at", 100)
    for dataset_id in ("used", "old", "busy"):
        _age(db, Dataset, dataset_id, "created_at", 49)

    assert sweep(db, Settings(data_dir=tmp_path, job_ttl_hours=0, upload_ttl_hours=0)) == Swept(0, 0)
    assert sweep(db, settings) == Swept(1, 2)
    with db.session() as session:
        assert set(session.scalars(select(Job.id))) == {recent, running}
        assert set(session.scalars(select(Dataset.id))) == {"fresh", "busy"}
    assert sorted(p.name for p in jobs_root(settings).iterdir()) == sorted([recent, running])
    assert sorted(p.name for p in datasets_root(settings).iterdir()) == ["busy", "fresh"]
    db.dispose()


def test_the_api_process_sweeps_and_exports_disk_use(make_client: ClientFactory) -> None:
    with make_client(run_worker=False, job_ttl_hours=1, retention_sweep_seconds=0.05) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        dataset = upload(client).json()["id"]
        with services.db.session() as session:
            job_id = store.create_job(session, {}, dataset, UNITS, 1).id
        (job_out_dir(services.settings, job_id)).mkdir(parents=True)
        (job_out_dir(services.settings, job_id) / "part.parquet").write_bytes(b"PAR1" * 100)
        run_sweep(services.db, services.settings, services.metrics)
        metrics = client.get("/metrics").text
        assert f'xstilts_disk_used_bytes{{kind="datasets"}} {float(SIZE)}' in metrics
        assert 'xstilts_disk_used_bytes{kind="jobs"} 400.0' in metrics
        assert "xstilts_disk_free_bytes " in metrics
        with services.db.session() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(state="failed", updated_at=utcnow() - timedelta(hours=2))
            )
        deadline = time.monotonic() + 10
        while 'xstilts_retention_deleted_total{kind="job"} 1.0' not in client.get("/metrics").text:
            assert time.monotonic() < deadline, "the sweep thread did not delete the expired job"
            time.sleep(0.05)
        assert client.get(f"/v1/jobs/{job_id}").status_code == 404
        assert not (jobs_root(services.settings) / job_id).exists()
