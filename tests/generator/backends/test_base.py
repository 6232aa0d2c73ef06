from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from generator.backends.apertium import ApertiumCallOptions, ApertiumTranslator
from generator.backends.base import cache_key, resolve_call_options
from generator.backends.ctranslate2 import CT2CallOptions
from generator.backends.registry import create_translator
from generator.cache import TranslationCache, translate_with_cache
from generator.errors import ConfigError


@pytest.fixture(scope="module")
def apertium() -> ApertiumTranslator:
    translator = create_translator("apertium")
    assert isinstance(translator, ApertiumTranslator)
    return translator


def test_every_call_option_is_in_the_cache_key(apertium: ApertiumTranslator) -> None:
    default = cache_key(apertium, None, "en", "es")
    assert default == cache_key(apertium, ApertiumCallOptions(), "en", "es")
    assert json.loads(default.options_json) == {
        "load": {"binary": apertium.options["binary"]},  # the program that translates changes the output
        "call": {"mark_unknown": False, "batch_size": 2000},
    }
    assert default.model == apertium.model_id
    others = {
        cache_key(apertium, ApertiumCallOptions(mark_unknown=True), "en", "es"),
        cache_key(apertium, ApertiumCallOptions(batch_size=7), "en", "es"),
        cache_key(apertium, None, "es", "en"),
    }
    assert default not in others and len(others) == 3


def test_translation_memory_keeps_call_options_apart(apertium: ApertiumTranslator, tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "tm.sqlite")
    texts = ["the zorblax house"]
    outputs = []
    for mark in (False, True, False):
        call = ApertiumCallOptions(mark_unknown=mark)
        key = cache_key(apertium, call, "en", "es")
        outputs += translate_with_cache(
            partial(apertium.translate, src="en", tgt="es", options=call), texts, key, cache
        )
    assert outputs[0] == outputs[2] and "*zorblax" in outputs[1] and "*" not in outputs[0]
    assert len(cache) == 2
    assert cache.stats().hits == 1


def test_call_options_resolve_to_defaults_or_refuse_another_model() -> None:
    assert resolve_call_options(CT2CallOptions, None) == CT2CallOptions()
    beam = CT2CallOptions(beam_size=4)
    assert resolve_call_options(CT2CallOptions, beam) is beam
    with pytest.raises(ConfigError, match="takes CT2CallOptions"):
        resolve_call_options(CT2CallOptions, ApertiumCallOptions())
