"""Nothing heavy on the request path: job validation reads no dictionary, lexicons load once per
process (at start for XSTILTS_PRELOAD_LEXICONS, with /readyz waiting for them)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from generator.lexicons import installed
from service import codeswitching
from tests.service.conftest import ClientFactory
from tests.service.test_jobs import needs_lexicons, upload


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counts: Counter[str] = Counter()
    scan, load = installed.available_lexicons, codeswitching.load_lexicon

    def counted_scan(*args: Any, **kwargs: Any) -> Any:
        counts["scan"] += 1
        return scan(*args, **kwargs)

    def counted_load(*args: Any, **kwargs: Any) -> Any:
        counts["load"] += 1
        return load(*args, **kwargs)

    monkeypatch.setattr(installed, "available_lexicons", counted_scan)
    monkeypatch.setattr(codeswitching, "load_lexicon", counted_load)
    codeswitching._load.cache_clear()
    return counts


def test_job_validation_reads_no_dictionary(make_client: ClientFactory, reads: Counter[str]) -> None:
    needs_lexicons("es")
    with make_client(run_worker=False) as client:
        dataset = upload(client)
        for _ in range(3):
            body = {"dataset_id": dataset, "langs": ["es"], "methods": ["codeswitch"]}
            assert client.post("/v1/jobs", json=body).status_code == 202
    assert reads == Counter()


def test_preloaded_lexicons_load_once_at_start(make_client: ClientFactory, reads: Counter[str]) -> None:
    needs_lexicons("es")
    with make_client(preload_lexicons=["es"]) as client:
        deadline = time.monotonic() + 60
        while (ready := client.get("/readyz")).status_code != 200 and time.monotonic() < deadline:
            assert "loading lexicons es" in ready.json()["checks"]["lexicons"]
            time.sleep(0.05)
        assert ready.status_code == 200, ready.text
        for _ in range(3):
            response = client.post("/v1/codeswitch", json={"texts": ["the house is red"], "langs": ["es"]})
            assert response.status_code == 200, response.text
    assert reads["load"] == 1 and reads["scan"] <= 1  # loading finds its files once


def test_a_failed_preload_keeps_readiness_off(make_client: ClientFactory) -> None:
    with make_client(preload_lexicons=["xx-unknown"]) as client:
        deadline = time.monotonic() + 10
        while (state := client.get("/readyz").json()["checks"]["lexicons"]).startswith("loading"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert client.get("/readyz").status_code == 503
    assert "failed" in state
