from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import ClientFactory, needs_apertium

TEXTS = ["The house is red.", "My friend lives in the city."]


@pytest.fixture(autouse=True)
def _apertium() -> None:
    needs_apertium()


def test_translate_en_es_with_apertium(client: TestClient) -> None:
    response = client.post("/v1/translate", json={"texts": TEXTS, "tgt": "es"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["profile"] == body["backend"] == "apertium"
    assert body["model"].startswith("apertium:")
    assert body["translations"][0] == "La casa es roja."
    assert "amigo" in body["translations"][1]
    assert body["cached"] == 0


def test_repeated_texts_come_from_the_cache(client: TestClient) -> None:
    first = client.post("/v1/translate", json={"texts": TEXTS, "tgt": "es"}).json()
    second = client.post("/v1/translate", json={"texts": [*TEXTS, "Hello."], "tgt": "es"}).json()
    assert second["cached"] == 2
    assert second["translations"][:2] == first["translations"]
    assert 'xstilts_cache_lookups_total{backend="apertium",result="hit"} 2.0' in client.get("/metrics").text


def test_cache_can_be_switched_off(make_client: ClientFactory) -> None:
    with make_client(use_cache=False) as client:
        client.post("/v1/translate", json={"texts": TEXTS, "tgt": "es"})
        again = client.post("/v1/translate", json={"texts": TEXTS, "tgt": "es"}).json()
    assert again["cached"] == 0


def error_of(response: Any) -> dict[str, object]:
    assert 400 <= response.status_code < 500, response.text
    error: dict[str, object] = response.json()["error"]
    return error


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"texts": [], "tgt": "es"}, "texts", "at least 1"),
        ({"texts": "one text", "tgt": "es"}, "texts", "list"),
        ({"texts": ["a", 3], "tgt": "es"}, "texts.1", "string"),
        ({"tgt": "es"}, "texts", "required"),
        ({"texts": ["a"]}, "tgt", "required"),
        ({"texts": ["a"], "tgt": "xx"}, "tgt", "unknown language code 'xx'"),
        ({"texts": ["a"], "src": "zz", "tgt": "es"}, "src", "unknown language code 'zz'"),
        ({"texts": ["a"], "tgt": "sw"}, "tgt", "cannot translate en->sw"),
        (
            {"texts": ["a"], "tgt": "es", "profile": "babelfish"},
            "profile",
            "unknown backend profile 'babelfish'",
        ),
        ({"texts": ["a"], "tgt": "es", "options": {"beam": 4}}, "options.beam", "has no option 'beam'"),
        ({"texts": ["a"], "tgt": "es", "options": {"batch_size": 0}}, "options.batch_size", "greater than"),
        ({"texts": ["a"], "tgt": "es", "options": {"mark_unknown": 1}}, "options.mark_unknown", "boolean"),
        ({"texts": ["a"], "tgt": "es", "backend": "apertium"}, "backend", "Extra inputs"),
        ({"texts": ["a"], "tgt": "es", "colour": "red"}, "colour", "Extra inputs"),
    ],
)
def test_bad_requests_name_the_field(
    client: TestClient, body: dict[str, object], field: str, words: str
) -> None:
    response = client.post("/v1/translate", json=body)
    assert response.status_code == 422
    error = error_of(response)
    assert error["field"] == field
    assert words in str(error["message"])
    assert field.split(".")[0] in str(error["message"])


def test_too_many_and_too_long_texts_are_refused(make_client: ClientFactory) -> None:
    with make_client(max_texts=2, max_text_chars=10) as client:
        many = error_of(client.post("/v1/translate", json={"texts": ["a", "b", "c"], "tgt": "es"}))
        long = error_of(client.post("/v1/translate", json={"texts": ["a", "x" * 11], "tgt": "es"}))
    assert many["field"] == "texts" and "at most 2" in str(many["message"])
    assert long["field"] == "texts.1" and "at most 10" in str(long["message"])


@pytest.mark.parametrize("payload", [b"{not json", b"", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_malformed_bodies_are_4xx_json(client: TestClient, payload: bytes) -> None:
    response = client.post("/v1/translate", content=payload, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["message"]


def test_body_over_the_limit_is_413_by_content_length(make_client: ClientFactory) -> None:
    with make_client(max_body_bytes=100) as client:
        response = client.post("/v1/translate", json={"texts": ["x" * 200], "tgt": "es"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert "100 bytes" in response.json()["error"]["message"]


def test_streamed_body_over_the_limit_is_413(make_client: ClientFactory) -> None:
    def chunks() -> object:
        yield b'{"texts": ["'
        for _ in range(10):
            yield b"x" * 50
        yield b'"], "tgt": "es"}'

    with make_client(max_body_bytes=100) as client:
        response = client.post(
            "/v1/translate", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_codeswitch_is_seeded_and_records_switches(client: TestClient) -> None:
    body = {"texts": ["The house is near the big river.", "1 2 3"], "langs": ["es"], "token_ratio": 1.0}
    first = client.post("/v1/codeswitch", json={**body, "seed": 7})
    assert first.status_code == 200, first.text
    out = first.json()
    assert out["texts"][0] != body["texts"][0]
    assert out["switched"][1] == []
    for switch in out["switched"][0]:
        assert switch["lang"] == "es"
        assert switch["target"] in out["texts"][0] and switch["source"] in body["texts"][0]
    assert client.post("/v1/codeswitch", json={**body, "seed": 7}).json() == out


def test_codeswitch_zero_ratio_keeps_the_text(client: TestClient) -> None:
    out = client.post(
        "/v1/codeswitch", json={"texts": ["The house."], "langs": ["de"], "token_ratio": 0}
    ).json()
    assert out == {"texts": ["The house."], "switched": [[]]}


def test_codeswitch_function_words_and_sense_are_options(client: TestClient) -> None:
    body = {"texts": ["The house is on the hill and the river."], "langs": ["de"], "token_ratio": 1.0}
    plain = client.post("/v1/codeswitch", json=body).json()["switched"][0]
    assert plain and not {s["source"].lower() for s in plain} & {"the", "is", "on", "and"}
    with_function_words = client.post("/v1/codeswitch", json={**body, "function_words": True}).json()
    assert {"and", "on the"} <= {s["source"].lower() for s in with_function_words["switched"][0]}
    texts = {"texts": ["city"] * 40, "langs": ["de"], "token_ratio": 1.0}
    main = client.post("/v1/codeswitch", json={**texts, "sense": "main"}).json()
    assert len(set(main["texts"])) == 1
    uniform = client.post("/v1/codeswitch", json={**texts, "sense": "uniform"}).json()
    assert len(set(uniform["texts"])) > 1


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"texts": ["a"], "langs": []}, "langs", "at least 1"),
        ({"texts": ["a"], "langs": ["es"], "sense": "random"}, "sense", "'main', 'weighted' or 'uniform'"),
        ({"texts": ["a"], "langs": ["qq"]}, "langs", "unknown language code 'qq'"),
        ({"texts": ["a"], "langs": ["yo"]}, "langs", "no English->yo lexicon installed"),
        ({"texts": ["a"], "langs": ["es"], "token_ratio": 1.5}, "token_ratio", "less than or equal to 1"),
        ({"texts": ["a"], "langs": ["es"], "mix": "all"}, "mix", "'one' or 'many'"),
    ],
)
def test_codeswitch_bad_requests_name_the_field(
    client: TestClient, body: dict[str, object], field: str, words: str
) -> None:
    error = error_of(client.post("/v1/codeswitch", json=body))
    assert error["field"] == field
    assert words in str(error["message"])


def test_translate_with_a_tiny_ct2_model(make_client: ClientFactory, tiny_m2m100_ct2_dir: Path) -> None:
    options = {
        "model": str(tiny_m2m100_ct2_dir),
        "device": "cpu",
        "compute_type": "float32",
        "max_decoding_length": 8,
    }
    profiles = {"apertium": {"backend": "apertium"}, "tiny": {"backend": "ct2", "options": options}}
    with make_client(backends=profiles) as client:
        response = client.post(
            "/v1/translate", json={"texts": ["The house.", ""], "tgt": "sw", "profile": "tiny"}
        )
        bad_pair = client.post("/v1/translate", json={"texts": ["a"], "tgt": "qu", "profile": "tiny"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["profile"], body["backend"]) == ("tiny", "ct2")
    assert body["model"] == tiny_m2m100_ct2_dir.name, "the model is named, its server path is not"
    assert body["translations"][0] and body["translations"][1] == ""
    error = bad_pair.json()["error"]
    assert bad_pair.status_code == 422 and error["field"] == "tgt"
    assert str(tiny_m2m100_ct2_dir.parent) not in error["message"]
