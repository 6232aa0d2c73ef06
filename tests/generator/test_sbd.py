"""pysbd made fast: the same sentences as pysbd's own code, patterns compiled once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.sbd import _CompiledOnce, segmenter
from tests.conftest import shared_file

TRICKY = [
    "Twice. Twice. Twice.  Again  and again. Again",
    "aaa. aa. a. aa.",
    "Dr. Smith met Mr. Jones at 5 p.m. in St. Louis. They left at 6 a.m. on Jan. 5.",
    "See Fig. 3 and No. 5, e.g. the U.S. plan, i.e. a Ph.D. thesis by Capt. (retd.) Brown vs. Gen. 4.",
    "He said \"Yes.\" She said 'No!' Then Sen. Lee, approx. 5 ft. tall, arrived... The end.",
    "ſt. Kelvin. İst. ıd. Co. KG. The Kt. and the st. are here. A. I. Col. Rev. 2 lt. x",
    "1. First item 2. Second item 3. Third item. a. one b. two (i) three (ii) four.",
    "Inc. was founded by al. et al. in etc. ABBR. Etc. They left. Etc. and so on.",
]


def _reference(text: str) -> list[str]:
    """pysbd's own code: its `re` calls and its abbreviation pass as pysbd ships them."""
    import sys

    import pysbd
    from pysbd.abbreviation_replacer import AbbreviationReplacer

    seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
    assert type(seg) is not type(segmenter("en"))
    rules = seg.language_module
    fast = rules.AbbreviationReplacer
    shimmed = [
        m
        for name, m in sys.modules.items()
        if name.startswith("pysbd") and isinstance(getattr(m, "re", None), _CompiledOnce)
    ]
    rules.AbbreviationReplacer = type(
        "Plain", (AbbreviationReplacer,), {"SENTENCE_STARTERS": fast.SENTENCE_STARTERS}
    )
    for module in shimmed:
        module.re = re
    try:
        return list(seg.segment(text))
    finally:
        rules.AbbreviationReplacer = fast
        for module in shimmed:
            module.re = _CompiledOnce()


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


def test_characters_every_match_holds() -> None:
    from generator.sbd import _Gate

    assert set(_Gate(r"(?<=Co)\.(?=\sKG)", 0).needed) == {"C", "o", ".", "K", "G"}
    assert _Gate(r"ab|ac", 0).needed == ("a",)
    assert _Gate(r"x?(?:yz)+(?!q)w*", 0).needed == ("y", "z")
    assert _Gate(r"Co\.", re.IGNORECASE).needed == () and _Gate(r"(?i)Co", 0).needed == ()
    assert _Gate(r"(?i:C)o", 0).needed == ("o",)


@pytest.mark.parametrize(
    "text", [*TRICKY, "", "a. b. c.", "x (a) y", "1. 2. 3.", "The 3.5 m. Q. and . . . end"]
)
def test_a_skipped_text_has_no_match(text: str) -> None:
    from generator.sbd import _NECESSARY, _gated, _necessary

    segmenter("en")
    for pattern in [*_necessary(), *_NECESSARY, r"\(", "☇", r"(?<=Co)\.(?=\sKG)"]:
        if _gated(pattern, 0).skips(text):
            assert re.search(pattern, text) is None, pattern


def test_necessary_conditions_are_pysbd_patterns_and_hold_on_xquad() -> None:
    import pysbd

    from generator.sbd import _NECESSARY, _necessary

    sources = "".join(p.read_text(encoding="utf-8") for p in Path(pysbd.__file__).parent.rglob("*.py"))
    assert all(pattern in sources for pattern in _NECESSARY)
    data = json.loads(shared_file("xquad/xquad.en.json").read_text(encoding="utf-8"))
    texts = [p["context"] for a in data["data"] for p in a["paragraphs"]]
    for pattern, conditions in _necessary().items():
        matching = [t for t in texts if re.search(pattern, t)]
        assert all(any(c.search(t) for c in conditions) for t in matching), pattern


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab. \n\u00a0\u2003\t", max_size=30), st.text(alphabet="ab. ", min_size=1, max_size=4)
)
def test_occurrences_are_the_regex_matches(text: str, sentence: str) -> None:
    from generator.sbd import _occurrences

    expected = [m.span() for m in re.finditer(re.escape(sentence) + r"\s*", text)]
    assert list(_occurrences(text, sentence)) == expected
