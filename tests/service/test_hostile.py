"""A hostile client: every attempt to pick a program, path, URL or device is refused with a 4xx and leaves no trace."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from generator.backends.loaded import loaded_translators
from tests.service.conftest import ClientFactory, needs_apertium
from tests.service.hostile import Listener, Redirector, cache_rows, tree
from tests.service.test_jobs import upload


@pytest.fixture(autouse=True)
def _apertium() -> None:
    needs_apertium()


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "ran"


@pytest.fixture
def evil_program(tmp_path: Path, marker: Path) -> Path:
    """A program that leaves a file behind and prints text, as an attacker's 'binary' would."""
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\necho 'eng-spa'\necho pwned\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as opened:
        yield opened


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me", encoding="utf-8")
    return folder


def profiles(tmp_path: Path, listener: Listener) -> dict[str, Any]:
    """The operator's profiles: Apertium, a ct2 model that is never loaded, a vLLM server on `listener`."""
    return {
        "apertium": {"backend": "apertium"},
        "nllb": {"backend": "ct2", "options": {"model": str(tmp_path / "models" / "nllb")}},
        "llm": {"backend": "vllm", "options": {"model": "translator", "server_url": listener.url}},
    }


def attacks(evil: Path, victim: Path, listener: Listener) -> list[tuple[str | None, dict[str, Any], str]]:
    """(profile, options, refused option) of each reproduction and its variants."""
    encoded = listener.url.replace(":", "%3A").replace("/", "%2F")
    return [
        (None, {"binary": str(evil)}, "binary"),
        ("apertium", {"binary": "id"}, "binary"),
        ("apertium", {"timeout_s": 0.001}, "timeout_s"),
        ("nllb", {"ct2_cache_dir": str(victim)}, "ct2_cache_dir"),
        ("nllb", {"model": str(victim)}, "model"),
        ("nllb", {"beam_size": 1, "model": str(victim / "..")}, "model"),
        ("nllb", {"device": "cuda"}, "device"),
        ("nllb", {"compute_type": "float16"}, "compute_type"),
        ("llm", {"server_url": f"{listener.url}/v1"}, "server_url"),
        ("llm", {"server_url": encoded}, "server_url"),
        ("llm", {"server_url": "http://[::1]:1"}, "server_url"),
        ("llm", {"api_key": "stolen", "max_tokens": 8}, "api_key"),
        ("llm", {"model": "/etc/passwd"}, "model"),
    ]


def check_refused(response: Any, field: str, code: str = "option_not_allowed") -> None:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field), error
    assert field.rsplit(".", 1)[-1] in error["message"]


def test_backend_options_that_load_something_are_refused_on_translate_and_leave_no_trace(
    make_client: ClientFactory,
    tmp_path: Path,
    evil_program: Path,
    marker: Path,
    victim: Path,
    listener: Listener,
) -> None:
    loaded_translators().close()
    with make_client(backends=profiles(tmp_path, listener)) as client:
        cache = tmp_path / "data" / "cache.sqlite"
        before = tree(tmp_path)
        for profile, options, option in attacks(evil_program, victim, listener):
            body: dict[str, Any] = {"texts": ["The house is red."], "tgt": "es", "options": options}
            if profile:
                body["profile"] = profile
            response = client.post("/v1/translate", json=body)
            check_refused(response, f"options.{option}")
            assert "operator" in response.json()["error"]["message"]
        assert tree(tmp_path) == before, "no file or folder was created or removed"
        assert (victim / "precious.txt").read_text(encoding="utf-8") == "keep me"
        assert not marker.exists(), "the attacker's program never ran"
        assert listener.connections == 0, "no connection was made"
        assert cache_rows(cache) == 0, "the translation memory is untouched"
        assert loaded_translators().keys() == [], "no translator was even loaded"
        plain = client.post("/v1/translate", json={"texts": ["The house is red."], "tgt": "es"}).json()
    assert plain["translations"] == ["La casa es roja."] and plain["cached"] == 0


def test_backend_options_that_load_something_are_refused_in_job_specs(
    make_client: ClientFactory,
    tmp_path: Path,
    evil_program: Path,
    marker: Path,
    victim: Path,
    listener: Listener,
) -> None:
    with make_client(backends=profiles(tmp_path, listener), run_worker=False) as client:
        dataset = upload(client)
        jobs_dir = tmp_path / "data" / "jobs"
        for profile, options, option in attacks(evil_program, victim, listener):
            body: dict[str, Any] = {"dataset_id": dataset, "langs": ["es"], "options": options}
            if profile:
                body["profile"] = profile
            check_refused(client.post("/v1/jobs", json=body), f"options.{option}")
        assert client.get("/v1/jobs").json()["total"] == 0
    assert not jobs_dir.exists() and not marker.exists() and listener.connections == 0
    assert (victim / "precious.txt").exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"backend_options": {"binary": "/usr/bin/id"}}, "backend_options"),
        ({"backend": "apertium"}, "backend"),
        ({"input": "/etc/passwd"}, "input"),
        ({"out": "/tmp/elsewhere"}, "out"),
        ({"cache_path": "/tmp/cache.sqlite"}, "cache_path"),
        ({"codeswitch": {"lexicon_files": {"es": "/etc/passwd"}}}, "codeswitch.lexicon_files"),
        ({"options": {"Binary": "/usr/bin/id"}}, "options.Binary"),
        ({"options": "binary=/usr/bin/id"}, "options"),
        ({"profile": "../apertium"}, "profile"),
    ],
)
def test_paths_anywhere_in_a_job_spec_are_refused(
    make_client: ClientFactory, tmp_path: Path, extra: dict[str, Any], field: str
) -> None:
    with make_client(run_worker=False) as client:
        dataset = upload(client)
        response = client.post("/v1/jobs", json={"dataset_id": dataset, "langs": ["es"], **extra})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
        assert client.get("/v1/jobs").json()["total"] == 0
    assert not (tmp_path / "data" / "jobs").exists()


def test_only_call_time_options_pass_and_change_the_cache_key(client: TestClient) -> None:
    body = {"texts": ["The zorblax is red."], "tgt": "es"}
    plain = client.post("/v1/translate", json=body).json()
    marked = client.post("/v1/translate", json={**body, "options": {"mark_unknown": True}}).json()
    assert marked["cached"] == 0, "other call-time options are another translation-memory entry"
    assert "*" in marked["translations"][0] and "*" not in plain["translations"][0]


def test_an_operator_server_that_redirects_is_not_followed(
    make_client: ClientFactory, listener: Listener
) -> None:
    with Redirector(listener.url) as redirector:
        llm = {"llm": {"backend": "vllm", "options": {"model": "translator", "server_url": redirector.url}}}
        with make_client(backends={"apertium": {"backend": "apertium"}, **llm}) as client:
            response = client.post("/v1/translate", json={"texts": ["Hi."], "tgt": "es", "profile": "llm"})
    assert redirector.requests >= 1
    assert listener.connections == 0, "the redirect was not followed"
    assert response.status_code >= 400
    assert "127.0.0.1" not in response.text and str(redirector.url) not in response.text
