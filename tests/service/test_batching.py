from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.batching import MicroBatcher
from service.settings import Settings
from tests.service.conftest import needs_apertium

SENTENCES = [f"The dog number {i} walks to the market." for i in range(16)]


class CountingTranslate:
    """The real translator's `translate`, counting calls and texts."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[int] = []
        self._lock = threading.Lock()

    def __call__(self, texts: list[str], src: str, tgt: str, options: Any = None) -> list[str]:
        with self._lock:
            self.calls.append(len(texts))
        result: list[str] = self.inner(texts, src, tgt, options)
        return result


async def _concurrent_translations(settings: Settings) -> tuple[list[str], CountingTranslate]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        translators = app.state.services.translators
        translator = translators.get(translators.choose("apertium")).translator
        counting = CountingTranslate(translator.translate)
        translator.translate = counting
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(
                *(client.post("/v1/translate", json={"texts": [text], "tgt": "es"}) for text in SENTENCES)
            )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    return [r.json()["translations"][0] for r in responses], counting


def _settings(tmp_path: Any, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path, "rate_limit_per_minute": 0, "use_cache": False}
    return Settings(**{**values, **overrides})


def test_concurrent_requests_share_backend_calls(tmp_path: Any) -> None:
    needs_apertium()
    merged, counting = asyncio.run(_concurrent_translations(_settings(tmp_path / "on", batch_wait_ms=50)))
    assert len(counting.calls) < len(SENTENCES)
    assert sum(counting.calls) == len(SENTENCES)
    alone, single = asyncio.run(_concurrent_translations(_settings(tmp_path / "off", micro_batching=False)))
    assert len(single.calls) == len(SENTENCES)
    assert merged == alone
    assert all("perro" in text for text in merged)


def _echo(key: str, items: list[str]) -> list[str]:
    if "bad" in items:
        raise ValueError("bad item")
    return [f"{key}:{item}" for item in items]


async def _submit_all(
    batcher: MicroBatcher[str, str, str], requests: Sequence[tuple[str, list[str]]]
) -> list[Any]:
    return await asyncio.gather(
        *(batcher.submit(key, items) for key, items in requests), return_exceptions=True
    )


def test_results_are_routed_back_per_request_and_per_key() -> None:
    sizes: list[tuple[int, int]] = []
    batcher: MicroBatcher[str, str, str] = MicroBatcher(
        _echo, wait_s=0.05, observe=lambda _k, requests, items, _s: sizes.append((requests, items))
    )
    requests = [("a", ["1", "2"]), ("b", ["3"]), ("a", ["4"]), ("b", ["5", "6"])]
    results = asyncio.run(_submit_all(batcher, requests))
    assert results == [["a:1", "a:2"], ["b:3"], ["a:4"], ["b:5", "b:6"]]
    assert sorted(sizes) == [(2, 3), (2, 3)]


def test_a_batch_never_exceeds_max_items() -> None:
    sizes: list[int] = []
    batcher: MicroBatcher[str, str, str] = MicroBatcher(
        _echo, wait_s=0.05, max_items=3, observe=lambda _k, _r, items, _s: sizes.append(items)
    )
    results = asyncio.run(_submit_all(batcher, [("k", [str(i), str(i)]) for i in range(4)]))
    assert results == [[f"k:{i}", f"k:{i}"] for i in range(4)]
    assert sizes == [2, 2, 2, 2]


def test_one_bad_request_does_not_fail_the_others() -> None:
    batcher: MicroBatcher[str, str, str] = MicroBatcher(_echo, wait_s=0.05)
    results = asyncio.run(_submit_all(batcher, [("k", ["ok"]), ("k", ["bad"]), ("k", ["fine"])]))
    assert results[0] == ["k:ok"] and results[2] == ["k:fine"]
    assert isinstance(results[1], ValueError)


@pytest.mark.parametrize("enabled", [True, False])
def test_empty_submit_returns_nothing(enabled: bool) -> None:
    batcher: MicroBatcher[str, str, str] = MicroBatcher(_echo, enabled=enabled)
    assert asyncio.run(batcher.submit("k", [])) == []
