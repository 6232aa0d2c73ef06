from __future__ import annotations

from pathlib import Path

import pytest

from generator.backends.apertium import ApertiumCallOptions, ApertiumLoadOptions, ApertiumTranslator
from generator.backends.base import cache_key
from generator.backends.ctranslate2 import CT2CallOptions
from generator.backends.registry import create_translator
from generator.errors import ConfigError, MissingDependencyError


@pytest.fixture(scope="module")
def apertium() -> ApertiumTranslator:
    return ApertiumTranslator(ApertiumLoadOptions())


def test_translates_english_to_spanish(apertium: ApertiumTranslator) -> None:
    out = apertium.translate(["the house", "The dog is big.", "I eat apples."], "en", "es")
    assert len(out) == 3
    assert "casa" in out[0].lower()
    assert "perro" in out[1].lower() and "grande" in out[1].lower()
    assert "manzanas" in out[2].lower()


def test_order_empty_strings_and_multiline(apertium: ApertiumTranslator) -> None:
    texts = ["", "the house", "  ", "line one\nthe dog", "the house"]
    out = apertium.translate(texts, "en", "es")
    assert out[0] == "" and out[2] == ""
    assert out[1] == out[4] and "casa" in out[1].lower()
    assert out[3].count("\n") == 1 and "perro" in out[3].lower()


def test_many_texts_in_small_batches_keep_alignment(apertium: ApertiumTranslator) -> None:
    texts = [f"the house {i}" if i % 2 else f"the dog {i}" for i in range(30)]
    out = apertium.translate(texts, "en", "es", ApertiumCallOptions(batch_size=7))
    for i, text in enumerate(out):
        assert text.endswith(str(i))
        assert ("casa" if i % 2 else "perro") in text.lower()


def test_mark_unknown_is_a_call_option(apertium: ApertiumTranslator) -> None:
    plain, marked = (
        apertium.translate(["the zorblax house"], "en", "es", ApertiumCallOptions(mark_unknown=flag))[0]
        for flag in (False, True)
    )
    assert "*zorblax" in marked and "*" not in plain and "zorblax" in plain


def test_another_backends_call_options_are_refused(apertium: ApertiumTranslator) -> None:
    with pytest.raises(
        ConfigError, match="CT2CallOptions were given to a backend that takes ApertiumCallOptions"
    ):
        apertium.translate(["the house"], "en", "es", CT2CallOptions())


def test_keeps_markers(apertium: ApertiumTranslator) -> None:
    assert apertium.keeps_markers
    (out,) = apertium.translate(["[[the big dog]] runs to the house."], "en", "es")
    assert out.count("[[") == 1 and out.count("]]") == 1
    assert "perro" in out[out.index("[[") : out.index("]]")].lower()


def test_pairs_come_from_installed_modes(apertium: ApertiumTranslator) -> None:
    assert ("en", "es") in (apertium.languages() or [])
    assert apertium.supports("en", "es")
    assert not apertium.supports("en", "sw")
    with pytest.raises(ConfigError, match=r"cannot translate en->sw.*en->es"):
        apertium.translate(["the house"], "en", "sw")


def test_reserved_separator_is_refused(apertium: ApertiumTranslator) -> None:
    with pytest.raises(ConfigError, match="reserves"):
        apertium.translate(["a .||. b"], "en", "es")


def test_missing_binary_names_the_install_command() -> None:
    with pytest.raises(MissingDependencyError, match="apt-get install apertium apertium-eng-spa"):
        create_translator("apertium", binary="apertium-not-installed")


def test_another_program_is_another_translation_memory_entry(
    apertium: ApertiumTranslator, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "apertium"
    elsewhere.symlink_to(apertium.binary)
    other = ApertiumTranslator(ApertiumLoadOptions(binary=str(elsewhere)))
    assert other.model_id == apertium.model_id
    assert cache_key(other, None, "en", "es") != cache_key(apertium, None, "en", "es")
    assert cache_key(apertium, None, "en", "es") == cache_key(apertium, ApertiumCallOptions(), "en", "es")
