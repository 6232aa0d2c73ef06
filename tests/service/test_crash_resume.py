"""A service SIGKILLed mid-job: after restart its job resumes from the finished shards, each example once."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.shards import iter_examples, load_manifest
from generator.tasks import read_examples
from tests.conftest import shared_file
from tests.service.conftest import needs_apertium
from tests.service.processes import base_env, free_port, start, stop, wait_until_up

QUESTIONS = 300
ROWS_PER_SHARD = 20


def xquad_subset(path: Path) -> Path:
    """The first XQuAD articles holding at least QUESTIONS questions, as a SQuAD v1.1 file."""
    data = json.loads(shared_file("xquad/xquad.en.json").read_text(encoding="utf-8"))
    articles: list[dict[str, Any]] = []
    count = 0
    for article in data["data"]:
        articles.append(article)
        count += sum(len(p["qas"]) for p in article["paragraphs"])
        if count >= QUESTIONS:
            break
    path.write_text(json.dumps({"version": "1.1", "data": articles}), encoding="utf-8")
    return path


def poll(client: httpx.Client, job_id: str, done: Any, log: Path, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if done(job):
            return job
        assert job["state"] not in ("failed", "cancelled"), job["error"]
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not get there in {timeout} s: {job}\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_sigkilled_service_resumes_its_job_exactly_once(tmp_path: Path, database_url: str) -> None:
    needs_apertium()
    source = xquad_subset(tmp_path / "xquad-subset.json")
    input_ids = [ex.id for ex in read_examples("squad", source).examples]
    data_dir = tmp_path / "data"
    env = base_env(
        XSTILTS_DATA_DIR=str(data_dir),
        XSTILTS_DATABASE_URL=database_url,
        XSTILTS_LEASE_SECONDS="2",
        XSTILTS_WORKER_POLL_SECONDS="0.1",
        XSTILTS_RATE_LIMIT_PER_MINUTE="0",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app", "--port", str(port)]
    log = tmp_path / "service.log"

    first = start(command, env, log)
    try:
        wait_until_up(base, first, log)
        with httpx.Client(base_url=base, timeout=30) as client:
            with source.open("rb") as handle:
                uploaded = client.post("/v1/datasets", data={"task": "squad"}, files={"file": handle})
            assert uploaded.status_code == 201, uploaded.text
            body = {"dataset_id": uploaded.json()["id"], "langs": ["es"], "rows_per_shard": ROWS_PER_SHARD}
            submitted = client.post("/v1/jobs", json=body)
            assert submitted.status_code == 202, submitted.text
            job_id = submitted.json()["id"]
            running = poll(
                client, job_id, lambda j: j["state"] == "running" and j["progress"][0]["done_rows"], log
            )
        first.kill()
        first.wait()
    finally:
        stop(first)
    shards_dir = data_dir / "jobs" / job_id / "shards"
    finished_before = len(load_manifest(shards_dir).shards)
    assert 1 <= finished_before < len(input_ids) / ROWS_PER_SHARD
    assert running["progress"][0]["done_rows"] < len(input_ids)

    second = start(command, env, log)
    try:
        wait_until_up(base, second, log)
        with httpx.Client(base_url=base, timeout=30) as client:
            done = poll(client, job_id, lambda j: j["state"] == "succeeded", log)
    finally:
        stop(second)

    assert done["attempts"] == 2, log.read_text()[-3000:]
    ids = [ex.id for ex in iter_examples(shards_dir)]
    assert len(ids) == len(set(ids)) == done["counts"]["kept"]
    assert set(ids) <= set(input_ids)
    assert done["counts"]["kept"] + done["counts"]["dropped"] == len(input_ids)
    manifest = load_manifest(shards_dir)
    assert manifest.complete and sum(s.input_rows for s in manifest.shards) == len(input_ids)
    assert sorted(s.index for s in manifest.shards) == list(range(len(manifest.shards)))
