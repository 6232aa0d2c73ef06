from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.backends.apertium import ApertiumLoadOptions
from generator.backends.ctranslate2 import CT2CallOptions, CT2LoadOptions
from generator.backends.loaded import LoadedTranslators, loaded_key, loaded_translators
from generator.backends.registry import split_options
from generator.errors import ConfigError


def test_one_instance_per_load_options_whatever_the_call_options(tiny_m2m100_ct2_dir: Path) -> None:
    registry = LoadedTranslators()
    model = {"model": str(tiny_m2m100_ct2_dir), "device": "cpu", "compute_type": "float32"}
    beam1 = split_options("ct2", {**model, "beam_size": 1})
    beam3 = split_options("ct2", {**model, "beam_size": 3, "max_decoding_length": 8})
    first = registry.get("ct2", beam1.load)
    assert registry.get("ct2", beam3.load) is first
    assert registry.peek("ct2", CT2LoadOptions(**model)) is first
    threaded = CT2LoadOptions(**model, intra_threads=1)
    assert registry.get("ct2", threaded) is not first
    assert registry.keys() == [loaded_key("ct2", beam1.load), loaded_key("ct2", threaded)]


def test_concurrent_first_use_creates_one_instance(tiny_m2m100_ct2_dir: Path) -> None:
    registry = LoadedTranslators()
    load = CT2LoadOptions(model=str(tiny_m2m100_ct2_dir), device="cpu")
    start = threading.Barrier(8)

    def get(_: int) -> int:
        start.wait()
        return id(registry.get("ct2", load))

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(get, range(8)))
    assert len(ids) == 1 and len(registry) == 1


def test_failed_creation_is_not_kept(tmp_path: Path) -> None:
    registry = LoadedTranslators()
    load = CT2LoadOptions(model=str(tmp_path / "absent"))
    for _ in range(2):
        with pytest.raises(ConfigError, match="does not exist"):
            registry.get("ct2", load)
    assert len(registry) == 0


def test_least_recently_used_goes_past_the_limit() -> None:
    registry = LoadedTranslators(max_loaded=2)
    loads = [ApertiumLoadOptions(timeout_s=s) for s in (10.0, 20.0, 30.0)]
    first = registry.get("apertium", loads[0])
    registry.get("apertium", loads[1])
    assert registry.get("apertium", loads[0]) is first
    registry.get("apertium", loads[2])
    assert registry.peek("apertium", loads[1]) is None
    assert registry.peek("apertium", loads[0]) is first and len(registry) == 2


def test_close_releases_every_model(tiny_m2m100_ct2_dir: Path) -> None:
    registry = LoadedTranslators()
    translator = registry.get("ct2", CT2LoadOptions(model=str(tiny_m2m100_ct2_dir), device="cpu"))
    translator.translate(["The house."], "en", "es", CT2CallOptions(max_decoding_length=4))
    assert getattr(translator, "_model", None) is not None
    registry.close()
    assert getattr(translator, "_model", "gone") is None
    assert len(registry) == 0


def test_the_process_has_one_registry() -> None:
    assert loaded_translators() is loaded_translators()
