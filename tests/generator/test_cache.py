"""Translation memory: keys, hits and misses, dedup, persistence, threads and processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator.cache import CacheKey, TranslationCache, translate_with_cache
from generator.errors import XstiltsError

KEY = CacheKey.build("apertium", "eng-spa", {"beam": 4, "max_len": 256}, "en", "es")


def test_options_are_canonical_and_every_field_matters() -> None:
    assert CacheKey.build("b", "m", {"x": 1, "y": 2}, "en", "es") == CacheKey.build(
        "b", "m", {"y": 2, "x": 1}, "en", "es"
    )
    variants = [
        KEY,
        CacheKey.build("ct2", "eng-spa", {"beam": 4, "max_len": 256}, "en", "es"),
        CacheKey.build("apertium", "other", {"beam": 4, "max_len": 256}, "en", "es"),
        CacheKey.build("apertium", "eng-spa", {"beam": 5, "max_len": 256}, "en", "es"),
        CacheKey.build("apertium", "eng-spa", {"beam": 4, "max_len": 256}, "en", "ca"),
    ]
    assert len({k.digest("Hello.") for k in variants}) == len(variants)
    assert KEY.digest("Hello.") != KEY.digest("Hello!")


@pytest.mark.parametrize(
    "text", ["", "Hello.", 'Qu\u00e9 "dijo" \\ \n\t', "\u4f60\u597d [[x]]", "\U0001f600"]
)
def test_digest_is_the_sha256_of_the_json_list(text: str) -> None:
    import hashlib
    import json

    key = CacheKey.build("apertium", "eng-spa", {"b": 1, "a": "\u00e9"}, "en", "es")
    fields = [key.backend, key.model, key.options_json, key.src, key.tgt, text]
    expected = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()
    assert key.digest(text) == expected
    assert key.digest(text) == expected


def test_get_put_and_stats(tmp_path: Path) -> None:
    with TranslationCache(tmp_path / "tm.sqlite") as cache:
        assert cache.get_many(KEY, ["a", "b"]) == {}
        cache.put_many(KEY, {"a": "A", "b": "B"})
        assert cache.get_many(KEY, ["a", "b", "c", "a"]) == {"a": "A", "b": "B"}
        other = CacheKey.build("apertium", "eng-spa", {}, "en", "ca")
        assert cache.get_many(other, ["a"]) == {}
        stats = cache.stats()
        assert (stats.hits, stats.misses) == (2, 4)
        assert stats.to_dict()["hit_rate"] == pytest.approx(2 / 6)
        assert len(cache) == 2


def test_wal_mode_and_persistence_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "tm.sqlite"
    with TranslationCache(path) as cache:
        cache.put_many(KEY, {"Hello.": "Hola.", "ñ 你好": "ü"})
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with TranslationCache(path) as reopened:
        assert reopened.get_many(KEY, ["Hello.", "ñ 你好"]) == {"Hello.": "Hola.", "ñ 你好": "ü"}


def test_many_texts_beyond_one_query_chunk(tmp_path: Path) -> None:
    texts = [f"sentence {i}" for i in range(1700)]
    with TranslationCache(tmp_path / "tm.sqlite") as cache:
        cache.put_many(KEY, {t: t.upper() for t in texts[::2]})
        found = cache.get_many(KEY, texts)
    assert len(found) == 850 and found["sentence 0"] == "SENTENCE 0"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[str]:
        self.calls.append(list(texts))
        return [t[::-1] for t in texts]


def test_translate_with_cache_dedups_and_aligns(tmp_path: Path) -> None:
    texts = ["b", "a", "b", "c", "a", "b"]
    with TranslationCache(tmp_path / "tm.sqlite") as cache:
        cache.put_many(KEY, {"c": "cached-c"})
        fn = Recorder()
        out = translate_with_cache(fn, texts, KEY, cache)
        assert out == ["b", "a", "b", "cached-c", "a", "b"]
        assert fn.calls == [["b", "a"]]
        again = Recorder()
        assert translate_with_cache(again, texts, KEY, cache) == out
        assert again.calls == []


def test_translate_without_cache_still_dedups() -> None:
    fn = Recorder()
    assert translate_with_cache(fn, ["xy", "xy", "z"], KEY, None) == ["yx", "yx", "z"]
    assert fn.calls == [["xy", "z"]]
    assert translate_with_cache(fn, [], KEY, None) == []
    assert len(fn.calls) == 1


def test_translator_returning_wrong_count_is_an_error(tmp_path: Path) -> None:
    with TranslationCache(tmp_path / "tm.sqlite") as cache:
        with pytest.raises(XstiltsError, match="exactly one translation per input"):
            translate_with_cache(lambda texts: texts[:1], ["a", "b"], KEY, cache)
        assert len(cache) == 0


def test_threads_share_one_cache(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "tm.sqlite")

    def work(worker: int) -> dict[str, str]:
        mine = {f"w{worker}-{i}": f"t{worker}-{i}" for i in range(50)}
        for i in range(0, 50, 10):
            cache.put_many(KEY, dict(list(mine.items())[i : i + 10]))
            cache.get_many(KEY, list(mine)[: i + 10])
        return cache.get_many(KEY, list(mine))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    assert all(len(r) == 50 for r in results)
    assert len(cache) == 400
    cache.close()


def _write_from_process(path: str, worker: int) -> None:
    with TranslationCache(path) as cache:
        for i in range(20):
            cache.put_many(KEY, {f"p{worker}-{i}": f"x{i}"})


def test_processes_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "tm.sqlite"
    with TranslationCache(path) as cache:
        cache.put_many(KEY, {"seed": "s"})
        ctx = multiprocessing.get_context("fork")
        procs = [ctx.Process(target=_write_from_process, args=(str(path), w)) for w in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=30)
        assert [p.exitcode for p in procs] == [0, 0, 0]
        assert len(cache) == 61
        assert cache.get_many(KEY, ["p2-19"]) == {"p2-19": "x19"}


def _open_fresh_together(path: str, worker: int, barrier: Any) -> None:
    barrier.wait(timeout=30)
    with TranslationCache(path) as cache:
        cache.put_many(KEY, {f"f{worker}": f"y{worker}"})


def test_processes_opening_a_new_cache_together(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite"
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(6)
    procs = [ctx.Process(target=_open_fresh_together, args=(str(path), w, barrier)) for w in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * 6
    with TranslationCache(path) as cache:
        assert len(cache) == 6
