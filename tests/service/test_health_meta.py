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
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "backend": "ok", "lexicons": "ok"},
    }


def test_readyz_is_503_when_the_default_profile_cannot_be_created(make_client: ClientFactory) -> None:
    profiles = {"nllb": {"backend": "ct2", "options": {"model": "/nonexistent/models/nllb"}}}
    with make_client(default_profile="nllb", backends=profiles) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert "default profile 'nllb'" in body["checks"]["backend"]
    assert "/nonexistent" not in body["checks"]["backend"], "readiness names no server path"


def test_languages_lists_the_registry(client: TestClient) -> None:
    body = client.get("/v1/languages").json()
    assert [lang["code"] for lang in body] == list(LANGUAGES)
    yoruba = next(lang for lang in body if lang["code"] == "yo")
    assert yoruba["tier"] == "low" and yoruba["in_xlmr"] is False


def test_tasks_lists_the_formats(client: TestClient) -> None:
    body = client.get("/v1/tasks").json()
    assert {task["name"] for task in body} == set(FORMATS)
    assert next(task for task in body if task["name"] == "squad")["kind"] == "qa"


def test_backends_lists_names_install_state_and_call_options(client: TestClient) -> None:
    body = {entry["name"]: entry for entry in client.get("/v1/backends").json()}
    assert {"apertium", "ct2", "transformers", "vllm"} <= set(body)
    assert "beam_size" in body["ct2"]["call_options"]["properties"]
    assert "model" not in body["ct2"]["call_options"]["properties"]
    assert "load_options" not in body["ct2"], "load-time options are the operator's, not offered to clients"


def test_profiles_list_the_operator_profiles_without_their_load_options(make_client: ClientFactory) -> None:
    profiles = {
        "apertium": {"backend": "apertium", "options": {"binary": "/opt/apertium/bin/apertium"}},
        "nllb": {
            "backend": "ct2",
            "options": {"model": "/srv/models/nllb", "beam_size": 4},
            "description": "NLLB-200 600M",
        },
    }
    with make_client(backends=profiles, default_profile="nllb") as client:
        response = client.get("/v1/profiles")
    assert response.status_code == 200
    body = {entry["name"]: entry for entry in response.json()}
    assert set(body) == {"apertium", "nllb"}
    nllb = body["nllb"]
    assert (nllb["backend"], nllb["description"], nllb["default"]) == ("ct2", "NLLB-200 600M", True)
    assert nllb["call_options"]["beam_size"] == 4 and "max_decoding_length" in nllb["call_options"]
    assert "beam_size" in nllb["call_options_schema"]["properties"]
    assert body["apertium"]["default"] is False
    assert "/srv" not in response.text and "/opt" not in response.text


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
