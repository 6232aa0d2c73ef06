"""Mueller's English-Russian dictionary: senses, examples, labels, names; found and loaded for ru."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.lexicons.installed import available_lexicons, load_lexicon
from generator.lexicons.lexicon import Rejections
from generator.lexicons.mueller import load_mueller, parse_mueller_entry
from tests.generator.test_lexicons import write_dictd

LAND = (
    "land\n   [lænd]\n   1. _n.\n      1) земля, суша; dry land суша; on land на суше\n"
    "      2) _мор. берег; страна\n      3) _attr. сухопутный; land plants наземные растения\n"
    "   2. _v. высаживать\n"
)
TIME = "time\n   [taɪm]\n   1. _n.\n      1) время; in good time\n         а) точно;\n         б) заранее\n"


def test_entry_senses_examples_and_labels() -> None:
    report: Rejections = {}
    assert parse_mueller_entry(LAND, report) == [
        "земля",
        "суша",
        "страна",
        "сухопутный",
        "высаживать",
        "берег",
    ]
    assert report["example or cross-reference"][0] == 2
    assert parse_mueller_entry(TIME, report) == ["время"]  # а), б) are senses of the example phrase
    assert parse_mueller_entry("abaci\n   _pl. от abacus\n", report) == []
    assert "inflected-form reference" in report
    assert parse_mueller_entry("however\n   1. _adv. как бы ни\n   2. sj однако\n", report) == ["однако"]


def _write(directory: Path) -> Path:
    index = write_dictd(directory, "x-y", [("land", LAND), ("tom", "Tom\n   _n. простой человек\n")])
    index.rename(directory / "mueller7.index")
    (directory / "freedict-x-y.dict.dz").rename(directory / "mueller7.dict.dz")
    return directory / "mueller7.index"


def test_load_skips_names_and_is_found_for_russian(tmp_path: Path) -> None:
    index = _write(tmp_path)
    lexicon = load_mueller(index, cache_dir=tmp_path / "cache")
    assert (lexicon.src, lexicon.tgt, list(lexicon.entries)) == ("en", "ru", ["land"])
    assert lexicon.rejected["name or abbreviation"] == (1, ["Tom"])
    assert load_mueller(index, cache_dir=tmp_path / "cache").entries == lexicon.entries  # from the cache
    assert [(i.lang, i.kind) for i in available_lexicons(tmp_path, muse_dirs=[])] == [("ru", "mueller")]
    ranked = load_lexicon("ru", dictd_dir=tmp_path, muse_dirs=[], cache_dir=tmp_path / "cache")
    assert set(ranked.entries["land"]) <= set(lexicon.entries["land"])
    with pytest.raises(ConfigError, match="mueller7-dict"):
        load_mueller(tmp_path / "missing" / "mueller7.index")
