"""No absolute server path or URL reaches a client: manifests (both routes), job errors, error messages, downloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from generator.shards import MANIFEST, Manifest, ShardInfo, load_manifest, save_manifest, verify
from service.jobs.worker import Worker
from service.redaction import public_manifest, public_model_id, redact_text
from tests.service.conftest import ClientFactory, needs_apertium
from tests.service.hostile import server_paths
from tests.service.test_jobs import FAST, submit, upload, wait_for


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_a_finished_job_shows_no_server_path_anywhere(
    make_client: ClientFactory, data_dir: Path, tmp_path: Path
) -> None:
    needs_apertium()
    with make_client(**FAST) as client:
        methods = ["translate", "codeswitch"]
        job = submit(client, dataset_id=upload(client), langs=["es"], methods=methods, rows_per_shard=2)
        wait_for(client, job["id"])
        base = f"/v1/jobs/{job['id']}"
        answers: dict[str, Any] = {
            path: client.get(path).json()
            for path in (base, f"{base}/manifest", f"{base}/shards/{MANIFEST}", "/v1/jobs", "/v1/datasets")
        }
        manifest = answers[f"{base}/manifest"]
        download = tmp_path / "download"
        for shard in manifest["shards"]:
            target = download / shard["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get(f"{base}/shards/{shard['path']}").content)
    for path, answer in answers.items():
        assert server_paths(answer, data_dir, tmp_path) == [], path
    assert answers[f"{base}/shards/{MANIFEST}"] == manifest, (
        "the raw manifest route serves the same redaction"
    )
    assert manifest["config"]["input"] == "dev.json" and "out" not in manifest["config"]
    assert manifest["backend"]["lexicons"]["es"].endswith("freedict-eng-spa.index")
    on_disk = load_manifest(data_dir / "jobs" / job["id"] / "shards")
    assert Path(on_disk.config["input"]).is_absolute(), "the file on the server keeps its full provenance"
    (download / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert verify(download) == [], "the served manifest still verifies the downloaded shards"


def test_a_failed_jobs_error_names_no_server_path(make_client: ClientFactory, data_dir: Path) -> None:
    needs_apertium()
    with make_client(run_worker=False, **FAST) as client:
        job = submit(client, dataset_id=upload(client), langs=["es"])
        for stored in (data_dir / "datasets").rglob("*.json"):
            stored.write_text('{"data": [{"paragraphs": 7}]}', encoding="utf-8")
        services = client.app.state.services  # type: ignore[attr-defined]
        assert Worker(services.db, services.settings, "w1").run_once()
        failed = client.get(f"/v1/jobs/{job['id']}").json()
    assert failed["state"] == "failed" and failed["error"]
    assert "dev.json" in failed["error"], failed["error"]
    assert server_paths(failed, data_dir) == [], failed["error"]


def plant_shard(out: Path) -> None:
    """A manifest in `out` listing one (fake) shard file, as a finished unit leaves them."""
    shard = out / "squad" / "es" / "translate-00000.parquet"
    shard.parent.mkdir(parents=True)
    shard.write_bytes(b"PAR1 shard")
    info = ShardInfo(
        path="squad/es/translate-00000.parquet",
        task="squad",
        lang="es",
        method="translate",
        index=0,
        rows=1,
        input_rows=1,
        sha256="0" * 64,
    )
    save_manifest(out, Manifest(config={"input": str(out / "x.json")}, shards=[info]))


def planted(client: TestClient, data_dir: Path) -> tuple[str, Path]:
    """A job whose folder holds a manifest listing one shard; (job id, shard folder)."""
    job = submit(client, dataset_id=upload(client), langs=["es"])
    out = data_dir / "jobs" / job["id"] / "shards"
    plant_shard(out)
    return job["id"], out


def test_symlinks_in_a_job_folder_serve_nothing_outside_it(
    make_client: ClientFactory, data_dir: Path
) -> None:
    needs_apertium()
    with make_client(run_worker=False) as client:
        job_id, out = planted(client, data_dir)
        base = f"/v1/jobs/{job_id}/shards"
        assert client.get(f"{base}/squad/es/translate-00000.parquet").content == b"PAR1 shard"
        (out / "db.parquet").symlink_to(data_dir / "xstilts.db")
        (out / "squad" / "es" / "translate-00000.parquet").unlink()
        (out / "squad" / "es" / "translate-00000.parquet").symlink_to(data_dir / "xstilts.db")
        for path in [
            "db.parquet",
            "squad/es/translate-00000.parquet",
            "squad%2Fes%2F..%2F..%2F..%2F..%2F..%2Fxstilts.db",
            "%252e%252e/%252e%252e/xstilts.db",
            "..\\..\\..\\xstilts.db",
            "squad%00/x",
            "a" * 10_000,
        ]:
            response = client.get(f"{base}/{path}")
            assert response.status_code == 404, path
            assert b"SQLite" not in response.content


def test_error_messages_never_carry_a_server_path(make_client: ClientFactory, data_dir: Path) -> None:
    needs_apertium()
    with make_client(run_worker=False) as client:
        job_id, out = planted(client, data_dir)
        (out / MANIFEST).write_text("{broken", encoding="utf-8")
        response = client.get(f"/v1/jobs/{job_id}/manifest")
    assert response.status_code == 409
    assert server_paths(response.json(), data_dir) == [], response.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "/srv/models/nllb is neither a CTranslate2 directory",
            ".../nllb is neither a CTranslate2 directory",
        ),
        ("file '/data/jobs/1/shards/manifest.json': bad", "file '.../manifest.json': bad"),
        ("cannot reach http://10.0.0.5:8001/v1 (refused)", "cannot reach <url> (refused)"),
        ("GET /v1/jobs lists them; see /healthz", "GET /v1/jobs lists them; see /healthz"),
        ("squad/es/translate-00000.parquet is listed", "squad/es/translate-00000.parquet is listed"),
        ("in ~/models/m2m and C:/models/x", "in .../m2m and .../x"),
        ("lexicon freedict:/usr/share/dictd/x.index", "lexicon freedict:.../x.index"),
        ("ratio 1/2 and a/b/c", "ratio 1/2 and a/b/c"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("/srv/models/nllb-200-ct2", "nllb-200-ct2"),
        ("/srv/models/nllb/", "nllb"),
        ("http://vllm:8001#translator", "translator"),
        ("apertium:eng-spa,spa-eng", "apertium:eng-spa,spa-eng"),
    ],
)
def test_public_model_id(model_id: str, expected: str) -> None:
    assert public_model_id(model_id) == expected


def test_public_manifest_keeps_call_options_and_file_names_only() -> None:
    manifest = Manifest(
        config={
            "input": "/data/datasets/1/dev.json",
            "out": "/data/jobs/1/shards",
            "cache_path": "/data/cache.sqlite",
            "ray_address": "ray://head:10001",
            "backend": "vllm",
            "backend_options": {
                "model": "/models/llm",
                "server_url": "http://vllm:8001",
                "api_key": "k",
                "max_tokens": 9,
            },
            "codeswitch": {"lexicon_files": {"yo": "/srv/lexicons/en-yo.txt"}},
            "prompt": "see http://example.org for details",
        },
        backend={
            "name": "vllm",
            "model_id": "http://vllm:8001#translator",
            "options": {"binary": "/usr/bin/x"},
            "lexicons": {"sw": "freedict:/usr/share/dictd/freedict-eng-swh.index"},
        },
    )
    public = public_manifest(manifest)
    assert public["config"]["backend_options"] == {"max_tokens": 9}
    assert public["config"]["input"] == "dev.json"
    assert public["config"]["codeswitch"]["lexicon_files"] == {"yo": "en-yo.txt"}
    assert {"out", "cache_path", "ray_address"}.isdisjoint(public["config"])
    assert public["backend"]["model_id"] == "translator" and public["backend"]["options"] == {"binary": "x"}
    assert public["backend"]["lexicons"] == {"sw": "freedict:.../freedict-eng-swh.index"}
    assert public["config"]["prompt"] == "see http://example.org for details", "text is not a location"
    assert Manifest.model_validate(public).shards == []
