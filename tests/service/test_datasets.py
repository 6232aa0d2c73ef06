"""POST/GET /v1/datasets: uploads validated with the task readers, stored with a checksum, or refused whole."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import ClientFactory

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "tasks"
SQUAD = SAMPLES / "squad" / "dev-v1.1.json"
MNLI = SAMPLES / "mnli" / "dev_matched.jsonl"


def upload(client: TestClient, task: str, name: str, data: bytes) -> dict[str, object]:
    response = client.post("/v1/datasets", data={"task": task}, files={"file": (name, data)})
    return {"status": response.status_code, **response.json()}


def stored(data_dir: Path) -> list[Path]:
    root = data_dir / "datasets"
    return sorted(root.rglob("*")) if root.exists() else []


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_upload_is_stored_with_checksum_and_count(client: TestClient, data_dir: Path) -> None:
    raw = SQUAD.read_bytes()
    body = upload(client, "squad", "dev-v1.1.json", raw)
    assert body["status"] == 201
    assert body["task"] == "squad" and body["examples"] == 5 and body["size_bytes"] == len(raw)
    assert body["sha256"] == hashlib.sha256(raw).hexdigest()
    path = data_dir / "datasets" / str(body["id"]) / "dev-v1.1.json"
    assert path.read_bytes() == raw
    listed = client.get("/v1/datasets").json()
    assert listed["total"] == 1 and listed["datasets"][0]["id"] == body["id"]
    one = client.get(f"/v1/datasets/{body['id']}").json()
    assert one["sha256"] == body["sha256"] and one["filename"] == "dev-v1.1.json"


def test_unknown_dataset_is_404(client: TestClient) -> None:
    response = client.get("/v1/datasets/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_file_name_cannot_leave_the_dataset_folder(client: TestClient, data_dir: Path) -> None:
    body = upload(client, "squad", "../../../evil.json", SQUAD.read_bytes())
    assert body["status"] == 201 and body["filename"] == "evil.json"
    assert (data_dir / "datasets" / str(body["id"]) / "evil.json").is_file()


def bad_mnli() -> bytes:
    lines = MNLI.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    del record["sentence2"]
    lines[1] = json.dumps(record)
    return ("\n".join(lines) + "\n").encode()


def squad_without_question() -> bytes:
    data = json.loads(SQUAD.read_text(encoding="utf-8"))
    del data["data"][0]["paragraphs"][0]["qas"][1]["question"]
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("task", "name", "data", "expected"),
    [
        ("squad", "cut.json", SQUAD.read_bytes()[:300], ["cut.json", "line 11 column", "'(json)'"]),
        ("squad", "noq.json", squad_without_question(), ["noq.json", "'question'", "is missing"]),
        ("mnli", "bad.jsonl", bad_mnli(), ["bad.jsonl", "line 2", "'sentence2'", "is missing"]),
        ("mnli", "dev-v1.1.json", SQUAD.read_bytes(), ["not a valid mnli file", "line 1", "'(json)'"]),
    ],
    ids=["bad-json", "missing-field", "jsonl-missing-field", "wrong-task"],
)
def test_bad_file_is_422_naming_record_and_field_and_nothing_is_stored(
    client: TestClient, data_dir: Path, task: str, name: str, data: bytes, expected: list[str]
) -> None:
    body = upload(client, task, name, data)
    assert body["status"] == 422
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "invalid_dataset" and error["field"] == "file"
    for part in expected:
        assert part in error["message"]
    assert stored(data_dir) == []
    assert client.get("/v1/datasets").json()["total"] == 0


def test_unknown_task_is_422_on_the_task_field(client: TestClient, data_dir: Path) -> None:
    body = upload(client, "squadd", "x.json", SQUAD.read_bytes())
    assert body["status"] == 422
    error = body["error"]
    assert isinstance(error, dict) and error["field"] == "task" and "GET /v1/tasks" in error["message"]
    assert stored(data_dir) == []


def test_missing_form_fields_are_422(client: TestClient) -> None:
    response = client.post("/v1/datasets", data={"task": "squad"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "file"


def test_upload_over_the_limit_is_413_and_not_stored(make_client: ClientFactory, data_dir: Path) -> None:
    with make_client(max_upload_bytes=1000) as client:
        body = upload(client, "squad", "big.json", SQUAD.read_bytes())
        assert body["status"] == 413
        error = body["error"]
        assert isinstance(error, dict) and error["code"] == "body_too_large"
        assert stored(data_dir) == []
