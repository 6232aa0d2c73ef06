"""/v1/jobs end to end through the in-process worker: Apertium en->es, FreeDict code-switching, cancel, 404s."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from generator.tasks import read_examples
from service.jobs import store
from service.jobs.spec import CodeSwitchParams
from service.jobs.worker import Worker
from tests.service.conftest import ClientFactory, needs_apertium

SQUAD = Path(__file__).resolve().parents[2] / "samples" / "tasks" / "squad" / "dev-v1.1.json"
INPUT_IDS = {ex.id for ex in read_examples("squad", SQUAD).examples}
FAST = {"lease_seconds": 2.0, "worker_poll_seconds": 0.05}


def needs_lexicons(*langs: str) -> None:
    names = {"sw": "swh", "de": "deu", "es": "spa"}
    for lang in langs:
        if not Path(f"/usr/share/dictd/freedict-eng-{names[lang]}.index").exists():
            pytest.skip(f"needs dict-freedict-eng-{names[lang]}")


def upload(client: TestClient) -> str:
    response = client.post(
        "/v1/datasets", data={"task": "squad"}, files={"file": ("dev.json", SQUAD.read_bytes())}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def submit(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 202, response.text
    created: dict[str, Any] = response.json()
    return created


def wait_for(client: TestClient, job_id: str, states: tuple[str, ...] = ("succeeded",)) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in states:
            return job
        if job["state"] in ("failed", "cancelled", "succeeded"):
            raise AssertionError(f"job ended {job['state']}: {job['error']}")
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not reach {states}")


def shard_ids(client: TestClient, job_id: str) -> list[str]:
    manifest = client.get(f"/v1/jobs/{job_id}/manifest").json()
    ids: list[str] = []
    for shard in manifest["shards"]:
        response = client.get(f"/v1/jobs/{job_id}/shards/{shard['path']}")
        assert response.status_code == 200
        ids += pq.read_table(io.BytesIO(response.content)).column("id").to_pylist()
    return ids


@pytest.fixture
def fast_client(make_client: ClientFactory, database_url: str) -> Any:
    with make_client(database_url=database_url, **FAST) as client:
        yield client


def test_translate_and_codeswitch_jobs_produce_every_example_once(fast_client: TestClient) -> None:
    needs_apertium()
    needs_lexicons("sw", "de")
    client = fast_client
    dataset = upload(client)
    translate = submit(client, dataset_id=dataset, langs=["es"], rows_per_shard=2)
    switch = submit(client, dataset_id=dataset, langs=["sw", "de"], methods=["codeswitch"], rows_per_shard=3)
    assert translate["state"] == "queued" and translate["links"]["self"] == f"/v1/jobs/{translate['id']}"

    done = wait_for(client, translate["id"])
    assert done["request"]["profile"] == "apertium" and done["request"]["task"] == "squad"
    assert done["attempts"] == 1 and done["error"] is None
    (progress,) = done["progress"]
    assert (progress["lang"], progress["method"]) == ("es", "translate")
    assert progress["done_rows"] == progress["total_rows"] == len(INPUT_IDS)
    assert progress["kept"] + progress["dropped"] == len(INPUT_IDS)
    assert sum(progress["drops"].values()) == progress["dropped"]
    assert done["counts"]["kept"] == progress["kept"] > 0
    ids = shard_ids(client, translate["id"])
    assert len(ids) == len(set(ids)) == progress["kept"] and set(ids) <= INPUT_IDS
    manifest = client.get(f"/v1/jobs/{translate['id']}/manifest").json()
    assert manifest["complete"] and manifest["backend"]["name"] == "apertium"
    assert [s["index"] for s in manifest["shards"]] == [0, 1, 2]
    card = client.get(f"/v1/jobs/{translate['id']}/shards/README.md")
    assert card.status_code == 200 and card.text.startswith("# ")
    assert "## Counts" in card.text and "/jobs/" not in card.text

    switched = wait_for(client, switch["id"])
    assert {(p["lang"], p["method"]) for p in switched["progress"]} == {
        ("de", "codeswitch"),
        ("sw", "codeswitch"),
    }
    for entry in switched["progress"]:
        assert entry["done_rows"] == len(INPUT_IDS) == entry["kept"] + entry["dropped"]
    assert len(shard_ids(client, switch["id"])) == switched["counts"]["kept"]

    listed = client.get("/v1/jobs", params={"state": "succeeded"}).json()
    assert listed["total"] == 2 and {j["id"] for j in listed["jobs"]} == {translate["id"], switch["id"]}
    metrics = client.get("/metrics").text
    assert 'xstilts_jobs{state="succeeded"} 2.0' in metrics
    assert f'xstilts_examples_generated_total{{lang="es",method="translate"}} {progress["kept"]}.0' in metrics


def invalid(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_job_requests_are_validated_up_front(make_client: ClientFactory) -> None:
    needs_apertium()
    with make_client(run_worker=False) as client:
        dataset = upload(client)
        cases: list[tuple[dict[str, Any], str, str]] = [
            ({"dataset_id": "nope", "langs": ["es"]}, "dataset_id", "POST /v1/datasets"),
            ({"dataset_id": dataset, "langs": ["xx"]}, "langs.0", "xx"),
            ({"dataset_id": dataset, "langs": ["es", "en"]}, "langs.1", "source language"),
            ({"dataset_id": dataset, "langs": []}, "langs", "at least 1"),
            (
                {"dataset_id": dataset, "langs": ["es"], "profile": "babel"},
                "profile",
                "unknown backend profile",
            ),
            (
                {"dataset_id": dataset, "langs": ["es"], "options": {"batch_size": -1}},
                "options.batch_size",
                "greater",
            ),
            ({"dataset_id": dataset, "langs": ["es"], "options": {"beam": 2}}, "options.beam", "no option"),
            ({"dataset_id": dataset, "langs": ["es", "sw"]}, "langs.1", "cannot translate en->sw"),
            ({"dataset_id": dataset, "langs": ["es"], "methods": ["paraphrase"]}, "methods.0", "translate"),
            ({"dataset_id": dataset, "langs": ["es"], "task": "mnli"}, "task", "uploaded as squad"),
            ({"dataset_id": dataset, "langs": ["es"], "rows_per_shard": 0}, "rows_per_shard", "greater"),
            ({"dataset_id": dataset, "langs": ["es"], "shards": 3}, "shards", "xtra"),
        ]
        for body, field, words in cases:
            error = invalid(client, **body)
            assert error["field"] == field, (body, error)
            assert words in error["message"], (body, error)
        assert client.get("/v1/jobs").json()["total"] == 0


def test_codeswitch_language_without_lexicon_is_422(make_client: ClientFactory) -> None:
    with make_client(run_worker=False) as client:
        dataset = upload(client)
        error = invalid(client, dataset_id=dataset, langs=["yo"], methods=["codeswitch"])
        assert error["field"] == "langs.0" and "lexicon" in error["message"]


def test_codeswitch_sense_and_function_words_reach_the_pipeline(tmp_path: Path) -> None:
    from service.jobs.spec import JobRequest, generate_config
    from service.settings import Settings

    request = JobRequest(
        dataset_id="d",
        langs=["de"],
        methods=["codeswitch"],
        codeswitch=CodeSwitchParams(sense="weighted", function_words=True),
    )
    source = tmp_path / "in.json"
    source.write_text('{"data": []}', encoding="utf-8")
    config = generate_config(Settings(data_dir=tmp_path), request, "squad", source, tmp_path / "out")
    assert (config.codeswitch.sense, config.codeswitch.function_words) == ("weighted", True)
    with pytest.raises(ValueError, match="'main', 'weighted' or 'uniform'"):
        CodeSwitchParams.model_validate({"sense": "random"})


def test_unknown_job_is_404_everywhere(client: TestClient) -> None:
    for method, path in [
        ("GET", "/v1/jobs/nope"),
        ("DELETE", "/v1/jobs/nope"),
        ("GET", "/v1/jobs/nope/manifest"),
        ("GET", "/v1/jobs/nope/shards/squad/es/translate-00000.parquet"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 404, path
        assert "no job with id 'nope'" in response.json()["error"]["message"]


def test_queued_job_cancel_then_409_and_listing(make_client: ClientFactory) -> None:
    needs_apertium()
    with make_client(run_worker=False) as client:
        dataset = upload(client)
        first = submit(client, dataset_id=dataset, langs=["es"])
        second = submit(client, dataset_id=dataset, langs=["es"])
        response = client.get(f"/v1/jobs/{first['id']}/manifest")
        assert response.status_code == 404 and "no manifest yet" in response.json()["error"]["message"]
        cancelled = client.delete(f"/v1/jobs/{first['id']}")
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        again = client.delete(f"/v1/jobs/{first['id']}")
        assert again.status_code == 409 and again.json()["error"]["code"] == "job_finished"
        assert [j["id"] for j in client.get("/v1/jobs", params={"state": "queued"}).json()["jobs"]] == [
            second["id"]
        ]
        page = client.get("/v1/jobs", params={"limit": 1, "offset": 1}).json()
        assert page["total"] == 2 and [j["id"] for j in page["jobs"]] == [first["id"]]
        assert client.get("/v1/jobs", params={"state": "done"}).status_code == 422
        assert 'xstilts_jobs{state="cancelled"} 1.0' in client.get("/metrics").text


def test_shard_downloads_are_confined_to_the_job_folder(fast_client: TestClient) -> None:
    needs_lexicons("de")
    client = fast_client
    job = submit(client, dataset_id=upload(client), langs=["de"], methods=["codeswitch"])
    wait_for(client, job["id"])
    base = f"/v1/jobs/{job['id']}/shards"
    assert client.get(f"{base}/squad/de/codeswitch-00000.parquet").status_code == 200
    assert client.get(f"{base}/manifest.json").json()["complete"] is True
    for path in [
        "..%2F..%2F..%2Fxstilts.db",
        "%2e%2e/%2e%2e/%2e%2e/xstilts.db",
        "squad/..%2F..%2F..%2F..%2Fxstilts.db",
        "%2Fetc%2Fpasswd",
        "/etc/passwd",
        "squad",
        "squad/de/codeswitch-00009.parquet",
    ]:
        response = client.get(f"{base}/{path}")
        assert response.status_code == 404, path
        assert "has no shard file" in response.json()["error"]["message"], path


def test_cancel_stops_a_running_job_after_the_current_shard(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    needs_lexicons("de")
    with make_client(run_worker=False, database_url=database_url, **FAST) as client:
        job = submit(
            client, dataset_id=upload(client), langs=["de"], methods=["codeswitch"], rows_per_shard=1
        )
        services = client.app.state.services  # type: ignore[attr-defined]
        record = store.record_progress

        def cancel_on_first_progress(*args: Any, **kwargs: Any) -> bool:
            client.delete(f"/v1/jobs/{job['id']}")
            return record(*args, **kwargs)

        monkeypatch.setattr(store, "record_progress", cancel_on_first_progress)
        assert Worker(services.db, services.settings, "w1").run_once()
        status = client.get(f"/v1/jobs/{job['id']}").json()
        assert status["state"] == "cancelled"
        manifest = client.get(f"/v1/jobs/{job['id']}/manifest").json()
        assert len(manifest["shards"]) == 1 and not manifest["complete"]


def test_stopping_worker_hands_the_job_back_and_the_next_one_resumes(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    needs_lexicons("de")
    with make_client(run_worker=False, database_url=database_url, **FAST) as client:
        job = submit(
            client, dataset_id=upload(client), langs=["de"], methods=["codeswitch"], rows_per_shard=2
        )
        services = client.app.state.services  # type: ignore[attr-defined]
        first = Worker(services.db, services.settings, "w1")
        record = store.record_progress

        def stop_after_first_shard(*args: Any, **kwargs: Any) -> bool:
            first.stop.set()
            return record(*args, **kwargs)

        monkeypatch.setattr(store, "record_progress", stop_after_first_shard)
        assert first.run_once()
        monkeypatch.undo()
        handed_back = client.get(f"/v1/jobs/{job['id']}").json()
        assert handed_back["state"] == "queued" and handed_back["progress"][0]["done_rows"] == 2
        assert Worker(services.db, services.settings, "w2").run_once()
        done = client.get(f"/v1/jobs/{job['id']}").json()
        assert done["state"] == "succeeded" and done["attempts"] == 2 and done["lease_owner"] == "w2"
        ids = shard_ids(client, job["id"])
        assert len(ids) == len(set(ids)) == done["counts"]["kept"]
        assert done["counts"]["kept"] + done["counts"]["dropped"] == len(INPUT_IDS)
