"""A worker SIGSTOPped past its lease while another finishes its job, then SIGCONTed: the resumed worker
publishes nothing, the manifest stays complete and every input row is in the shards exactly once."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.shards import iter_examples, load_manifest, verify
from generator.tasks import read_examples
from tests.service.conftest import needs_apertium
from tests.service.processes import base_env, free_port, start, stop, wait_until_up
from tests.service.test_crash_resume import poll, xquad_subset

ROWS_PER_SHARD = 20
LEASE_S = 2.0


def _worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "xstilts", "worker", "--worker-id", name]
    return start(command, env, log)


def _holds_a_lock(data_dir: Path, shards_dir: Path) -> bool:
    """Whether a write lock on the job store, the translation memory or the shard directory is taken."""
    for db in (data_dir / "xstilts.db", data_dir / "cache.sqlite"):
        if db.exists():
            with contextlib.closing(sqlite3.connect(db, timeout=0.2, isolation_level=None)) as connection:
                try:
                    connection.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    return True
                connection.execute("ROLLBACK")
    lock = shards_dir / ".lock"
    if lock.exists():
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def _pause_between_writes(pid: int, data_dir: Path, shards_dir: Path) -> None:
    """SIGSTOP `pid` at a moment it holds no lock: the test is of the fencing, not of a store stuck behind a
    stopped writer's few-millisecond transaction."""
    for _ in range(200):
        os.kill(pid, signal.SIGSTOP)
        if not _holds_a_lock(data_dir, shards_dir):
            return
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.01)
    raise AssertionError("the worker held a lock at each of 200 tries to pause it")


def _after_first_shard(job: dict[str, Any]) -> bool:
    return job["state"] == "running" and job["progress"][0]["done_rows"] >= ROWS_PER_SHARD


def _before_any_shard(job: dict[str, Any]) -> bool:
    return job["state"] == "running"


def _half_done(job: dict[str, Any]) -> bool:
    progress = job["progress"][0]
    return job["state"] == "running" and progress["done_rows"] * 2 >= progress["total_rows"]


@pytest.mark.slow
@pytest.mark.parametrize("when", [_before_any_shard, _after_first_shard, _half_done])
def test_paused_worker_cannot_overwrite_the_finished_job(
    tmp_path: Path, when: Callable[[dict[str, Any]], bool]
) -> None:
    needs_apertium()
    source = xquad_subset(tmp_path / "xquad-subset.json")
    input_ids = [ex.id for ex in read_examples("squad", source).examples]
    data_dir = tmp_path / "data"
    env = base_env(
        XSTILTS_DATA_DIR=str(data_dir),
        XSTILTS_LEASE_SECONDS=str(LEASE_S),
        XSTILTS_WORKER_POLL_SECONDS="0.1",
        XSTILTS_RATE_LIMIT_PER_MINUTE="0",
        XSTILTS_RUN_WORKER="false",
        XSTILTS_JOB_MAX_ATTEMPTS="2",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "service.log"
    api = start(
        [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app", "--port", str(port)],
        env,
        log,
    )
    workers: dict[str, subprocess.Popen[bytes]] = {}
    try:
        wait_until_up(base, api, log)
        with httpx.Client(base_url=base, timeout=30) as client:
            with source.open("rb") as handle:
                uploaded = client.post("/v1/datasets", data={"task": "squad"}, files={"file": handle})
            assert uploaded.status_code == 201, uploaded.text
            body = {"dataset_id": uploaded.json()["id"], "langs": ["es"], "rows_per_shard": ROWS_PER_SHARD}
            job_id = client.post("/v1/jobs", json=body).json()["id"]
            workers["first"] = _worker("first", env, log)
            running = poll(client, job_id, when, log)
            assert running["lease_owner"] == "first"
            _pause_between_writes(workers["first"].pid, data_dir, data_dir / "jobs" / job_id / "shards")
            time.sleep(LEASE_S * 1.5)  # the lease runs out while the first worker is stopped
            workers["second"] = _worker("second", env, log)
            done = poll(client, job_id, lambda j: j["state"] == "succeeded", log, timeout=180)
            assert done["lease_owner"] == "second"
            os.kill(workers["first"].pid, signal.SIGCONT)
            time.sleep(LEASE_S * 2)  # the resumed worker finds its lease lost and stops
            after = client.get(f"/v1/jobs/{job_id}").json()
    finally:
        for process in workers.values():
            os.kill(process.pid, signal.SIGCONT)
            stop(process)
        stop(api)

    assert after["state"] == "succeeded" and after["attempts"] == 2, log.read_text()[-3000:]
    shards_dir = data_dir / "jobs" / job_id / "shards"
    assert verify(shards_dir) == []
    manifest = load_manifest(shards_dir)
    assert manifest.complete
    assert sum(s.input_rows for s in manifest.shards) == len(input_ids)
    assert sorted(s.index for s in manifest.shards) == list(range(len(manifest.shards)))
    ids = [ex.id for ex in iter_examples(shards_dir)]
    assert len(ids) == len(set(ids)) == after["counts"]["kept"] == sum(s.rows for s in manifest.shards)
    assert after["counts"]["kept"] + after["counts"]["dropped"] == len(input_ids)
    assert "lease" in log.read_text()
