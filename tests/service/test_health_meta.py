from __future__ import annotations

from fastapi.testclient import TestClient

from generator.languages import LANGUAGES
from generator.tasks import FORMATS
from tests.service.conftest import ClientFactory, needs_apertium


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database_and_default_backend(client: TestClient) -> None:
    needs_apertium()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "backend": "ok"}}


def test_readyz_is_503_when_the_default_backend_cannot_be_created(make_client: ClientFactory) -> None:
    with make_client(
        default_backend="ct2", backend_options={"ct2": {"model": "/nonexistent/model"}}
    ) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert "default backend 'ct2'" in body["checks"]["backend"]


def test_languages_lists_the_registry(client: TestClient) -> None:
    body = client.get("/v1/languages").json()
    assert [lang["code"] for lang in body] == list(LANGUAGES)
    yoruba = next(lang for lang in body if lang["code"] == "yo")
    assert yoruba["tier"] == "low" and yoruba["in_xlmr"] is False


def test_tasks_lists_the_formats(client: TestClient) -> None:
    body = client.get("/v1/tasks").json()
    assert {task["name"] for task in body} == set(FORMATS)
    assert next(task for task in body if task["name"] == "squad")["kind"] == "qa"


def test_backends_lists_names_install_state_and_options(client: TestClient) -> None:
    body = {entry["name"]: entry for entry in client.get("/v1/backends").json()}
    assert {"apertium", "ct2", "transformers", "vllm"} <= set(body)
    assert "model" in body["ct2"]["load_options"]["properties"]
    assert "beam_size" in body["ct2"]["call_options"]["properties"]
    assert "model" not in body["ct2"]["call_options"]["properties"]


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/v1/languages")
    client.get("/no/such/path")
    text = client.get("/metrics").text
    assert 'xstilts_http_requests_total{method="GET",route="/v1/languages",status="200"} 1.0' in text
    assert 'route="unmatched",status="404"' in text
    for name in ("xstilts_jobs", "xstilts_examples_generated", "xstilts_cache_hit_ratio"):
        assert f"# TYPE {name}" in text


def test_unknown_route_is_a_json_404(client: TestClient) -> None:
    response = client.get("/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
