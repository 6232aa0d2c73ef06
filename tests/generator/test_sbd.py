"""pysbd made fast: the same sentences as pysbd's own code, patterns compiled once."""

from __future__ import annotations

import json
import re

import pytest

from generator.sbd import _CompiledOnce, segmenter
from tests.conftest import shared_file

TRICKY = [
    "Dr. Smith met Mr. Jones at 5 p.m. in St. Louis. They left at 6 a.m. on Jan. 5.",
    "See Fig. 3 and No. 5, e.g. the U.S. plan, i.e. a Ph.D. thesis by Capt. (retd.) Brown vs. Gen. 4.",
    "He said \"Yes.\" She said 'No!' Then Sen. Lee, approx. 5 ft. tall, arrived... The end.",
    "ſt. Kelvin. İst. ıd. Co. KG. The Kt. and the st. are here. A. I. Col. Rev. 2 lt. x",
    "1. First item 2. Second item 3. Third item. a. one b. two (i) three (ii) four.",
    "Inc. was founded by al. et al. in etc. ABBR. Etc. They left. Etc. and so on.",
]


def _reference(text: str) -> list[str]:
    """pysbd's own abbreviation pass, everything else as `segmenter` runs it."""
    from pysbd.abbreviation_replacer import AbbreviationReplacer

    seg = segmenter("en")
    rules = seg.language_module
    fast = rules.AbbreviationReplacer
    rules.AbbreviationReplacer = type(
        "Plain", (AbbreviationReplacer,), {"SENTENCE_STARTERS": fast.SENTENCE_STARTERS}
    )
    try:
        return list(seg.segment(text))
    finally:
        rules.AbbreviationReplacer = fast


def test_abbreviation_skipping_is_installed_once() -> None:
    rules = segmenter("en").language_module
    assert rules.AbbreviationReplacer.__name__.startswith("Skipping")
    installed = rules.AbbreviationReplacer
    segmenter.cache_clear()
    assert segmenter("en").language_module.AbbreviationReplacer is installed


@pytest.mark.parametrize("text", TRICKY)
def test_same_sentences_as_pysbd_on_abbreviations(text: str) -> None:
    assert segmenter("en").segment(text) == _reference(text)


def test_same_sentences_as_pysbd_on_xquad() -> None:
    data = json.loads(shared_file("xquad/xquad.en.json").read_text(encoding="utf-8"))
    texts = [p["context"] for a in data["data"] for p in a["paragraphs"]]
    texts += [q["question"] for a in data["data"] for p in a["paragraphs"] for q in p["qas"]][:300]
    assert all(segmenter("en").segment(t) == _reference(t) for t in texts)


def test_patterns_compiled_once_behave_like_re() -> None:
    once, text = _CompiledOnce(), "Dr. Smith met Mr. Jones at 5 p.m. in St. Louis."
    assert once.sub(r"\.", "∯", text, count=2) == re.sub(r"\.", "∯", text, count=2)
    assert once.findall(r"(?:^|\s)mr", text, flags=re.IGNORECASE) == re.findall(r"(?:^|\s)mr", text, re.I)
    assert [m.span() for m in once.finditer(r"\w+", text)] == [m.span() for m in re.finditer(r"\w+", text)]
    assert once.search(r"p\.m", text) is not None and once.match(r"Dr", text) is not None
    assert once.split(r"\s+", text, maxsplit=2) == re.split(r"\s+", text, maxsplit=2)
    assert once.escape("a.b") == re.escape("a.b") and once.IGNORECASE == re.IGNORECASE
