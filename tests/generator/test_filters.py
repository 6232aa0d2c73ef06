"""Translation filters: empty, length ratio, copy, wrong language, unchecked languages, counts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator.errors import ConfigError
from generator.filters import REASONS, DropCounter, Filter, FilterConfig, lingua_unsupported

SOURCE = "The committee recommended a hybrid mode for the launch vehicle in July 1961."
SPANISH = "El comité recomendó un modo híbrido para el vehículo de lanzamiento en julio de 1961."


@pytest.fixture(scope="module")
def filt() -> Filter:
    return Filter()


def test_good_translation_is_kept(filt: Filter) -> None:
    assert filt.check(SOURCE, SPANISH, "es") is None


def test_empty_output(filt: Filter) -> None:
    assert filt.check(SOURCE, "  \n", "es") == "empty"
    assert filt.check("", "", "es") is None


def test_length_ratio_depends_on_script(filt: Filter) -> None:
    assert filt.check(SOURCE, "El comité.", "es") == "length_ratio"
    assert filt.check(SOURCE, SPANISH + " " + SPANISH + " " + SPANISH, "es") == "length_ratio"
    chinese = "委员会于1961年7月建议运载火箭采用混合模式。"
    ratio = len(chinese) / len(SOURCE)
    assert ratio < FilterConfig().bounds_for("es")[0]
    assert Filter(FilterConfig(langid=False)).check(SOURCE, chinese, "zh") is None
    assert Filter(FilterConfig(length_ratio=False, langid=False)).check(SOURCE, "El comité.", "es") is None


def test_short_sources_skip_the_ratio(filt: Filter) -> None:
    assert filt.check("Yes, it is.", "Sí, lo es, claro que sí, por supuesto.", "es") is None


def test_copy_of_the_source(filt: Filter) -> None:
    assert filt.check(SOURCE, SOURCE.upper().replace(".", "!"), "es") == "copy"
    near = SOURCE.replace("hybrid", "hibrid")
    assert filt.check(SOURCE, near, "es") == "copy"
    assert filt.check("Apollo 11.", "Apollo 11.", "es") is None
    counter = DropCounter()
    assert filt.check(SOURCE, SOURCE, "en", counter) is None
    assert counter.unchecked == {"langid_no_alternative": 1}
    assert Filter(FilterConfig(copy_check=False, langid=False)).check(SOURCE, SOURCE, "es") is None


def test_wrong_language(filt: Filter) -> None:
    english = "A completely different English sentence about the weather and trains today."
    assert filt.check(SOURCE, english, "es") == "wrong_language"
    assert (
        filt.check(SOURCE, "Il comitato ha raccomandato una modalità ibrida per il lanciatore.", "it") is None
    )


def test_unsupported_and_short_are_counted_not_dropped(filt: Filter) -> None:
    assert lingua_unsupported() == frozenset({"ht", "jv", "ml", "my", "qu", "wo"})
    counter = DropCounter()
    english = "A completely different English sentence about the weather and trains today."
    reasons = filt.check_many(
        [SOURCE, SOURCE, "Yes."], [english, english, "Sí."], ["qu", "es", "es"], counter
    )
    assert reasons == [None, "wrong_language", None]
    assert counter.unchecked == {"langid_unsupported": 1, "langid_short": 1}
    assert counter.kept == 2 and counter.to_dict() == {"wrong_language": 1}


def test_check_many_matches_check(filt: Filter) -> None:
    sources = [SOURCE, SOURCE, SOURCE, SOURCE]
    outputs = [SPANISH, "", SOURCE, "El comité."]
    counter = DropCounter()
    batched = filt.check_many(sources, outputs, "es", counter)
    assert batched == [filt.check(s, t, "es") for s, t in zip(sources, outputs, strict=True)]
    assert batched == [None, "empty", "copy", "length_ratio"]
    assert set(counter.to_dict()) <= set(REASONS)
    with pytest.raises(ValueError, match="pass pairs"):
        filt.check_many(sources, outputs[:2], "es")
    with pytest.raises(ConfigError, match="unknown language"):
        filt.check_many([SOURCE], [SPANISH], "xx")


def test_drop_counter_merges() -> None:
    a, b = DropCounter(), DropCounter()
    for reason in ("copy", None, "copy", "empty"):
        a.add(reason)
    b.add("wrong_language")
    b.add(None)
    b.unchecked["langid_unsupported"] += 3
    total = a + b
    assert total.to_dict() == {"copy": 2, "empty": 1, "wrong_language": 1}
    assert total.kept == 2 and total.total == 6
    assert total.summary()["unchecked"] == {"langid_unsupported": 3}
    assert a.to_dict() == {"copy": 2, "empty": 1}
    a.merge(b)
    assert a.to_dict() == total.to_dict()


def test_config_validation() -> None:
    with pytest.raises(ValidationError, match="0 < min < max"):
        FilterConfig(ratio_bounds={"default": (2.0, 1.0)})
    with pytest.raises(ValidationError, match="default"):
        FilterConfig(ratio_bounds={"Latn": (0.5, 2.0)})
    with pytest.raises(ValidationError, match="unknown language"):
        FilterConfig(langid_languages=("xx",))
    assert FilterConfig().bounds_for("ja") != FilterConfig().bounds_for("de")


def test_lingua_is_imported_lazily() -> None:
    code = "import sys, generator.filters; assert 'lingua' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def _lcs_table(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for char in a:
        row = [0]
        for j, other in enumerate(b):
            row.append(previous[j] + 1 if char == other else max(previous[j + 1], row[j]))
        previous = row
    return previous[-1]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab c", max_size=24), st.text(alphabet="ab c", max_size=24))
def test_similar_decides_as_sequence_matcher_does(a: str, b: str) -> None:
    from difflib import SequenceMatcher

    from generator.filters import lcs_length, similar

    assert lcs_length(a, b) == _lcs_table(a, b)
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    for threshold in (0.5, 0.75, 0.9, 1.0):
        assert similar(a, b, threshold) == (ratio >= threshold)
    assert similar(a, a[:-1] + "x" if a else "x", 0.9) == (
        SequenceMatcher(None, a, a[:-1] + "x" if a else "x", autojunk=False).ratio() >= 0.9
    )


def test_example_to_dict_is_the_dataclass_as_plain_data() -> None:
    from dataclasses import asdict

    from generator.example import Answer, Example, Switch

    ex = Example(
        id="q1", task="squad", kind="qa", context="Paris is big.", question="What?",
        answers=[Answer("Paris", 0)], choices=["a"], tokens=["t"], tags=["O"], meta={"k": "v"},
        switched=[Switch("big", "grande", "es")],
    )  # fmt: skip
    row = ex.to_dict()
    assert row == asdict(ex) and list(row) == list(asdict(ex))
    row["answers"][0]["text"] = "changed"
    row["meta"]["k"] = "changed"
    assert ex.answers[0].text == "Paris" and ex.meta == {"k": "v"}
    assert Example.from_dict(ex.to_dict()) == ex


def test_langid_sample_keeps_short_texts_and_reads_both_ends_of_long_ones() -> None:
    from generator.filters import langid_sample

    assert langid_sample("  Ein kurzer Satz.  ", 200) == "Ein kurzer Satz."
    long = " ".join(f"word{i}" for i in range(200))
    sample = langid_sample(long, 50)
    assert sample.startswith("word0 word1") and sample.endswith("word198 word199")
    assert len(sample) <= 101 and all(w in long.split() for w in sample.split())
    assert langid_sample(long, 0) == long


XQUAD = Path(__file__).resolve().parents[3] / "shared" / "data" / "xquad"


@pytest.mark.skipif(not XQUAD.is_dir(), reason="needs ../shared/data/xquad")
def test_windowed_langid_gives_the_whole_text_verdicts_on_human_paragraphs() -> None:
    """Human XQuAD paragraphs (and English ones passed off as the target language) get the same keep or
    drop from the two ends as from the whole text."""
    import json

    whole = Filter(
        FilterConfig(length_ratio=False, copy_check=False, langid_window=0, langid_languages=("es",))
    )
    windowed = Filter(FilterConfig(length_ratio=False, copy_check=False, langid_languages=("es",)))
    english = [
        p["context"]
        for a in json.loads((XQUAD / "xquad.en.json").read_text())["data"]
        for p in a["paragraphs"]
    ]
    for lang in ("de", "ru", "el"):
        data = json.loads((XQUAD / f"xquad.{lang}.json").read_text(encoding="utf-8"))["data"]
        paragraphs = [p["context"] for a in data for p in a["paragraphs"]] + english[:60]
        sources = ["x"] * len(paragraphs)
        verdicts = whole.check_many(sources, paragraphs, lang)
        assert windowed.check_many(sources, paragraphs, lang) == verdicts
        assert verdicts[-60:] == ["wrong_language"] * 60
        assert verdicts.count(None) >= len(paragraphs) - 60 - 2
