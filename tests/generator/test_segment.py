"""Sentence splitting with exact offsets, protected markers, long sentences and reassembly."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.segment import Segment, join_segments, split_sentences
from tests.conftest import shared_file


def _check_offsets(text: str, segments: list[Segment]) -> None:
    cursor = 0
    for seg in segments:
        assert text[seg.start : seg.end] == seg.text
        assert seg.text == seg.text.strip() and seg.text
        assert seg.start >= cursor
        assert not text[cursor : seg.start].strip(), "text between segments must be whitespace only"
        cursor = seg.end
    assert not text[cursor:].strip()


def test_english_sentences_and_offsets() -> None:
    text = "  Dr. Smith went to Washington. He arrived at 5 p.m. on Monday!\n\nWas it late?  "
    segments = split_sentences(text)
    assert [s.text for s in segments] == [
        "Dr. Smith went to Washington.",
        "He arrived at 5 p.m. on Monday!",
        "Was it late?",
    ]
    _check_offsets(text, segments)


def test_empty_and_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []
    assert join_segments("", [], []) == ""


def test_never_splits_inside_protected_markers() -> None:
    text = "First one. The answer is <a>the prize in 1990. Then she</a> left. Last one."
    assert len(split_sentences(text, protect=None)) == 4
    assert [s.text for s in split_sentences(text, protect=("<a>", "</a>"))] == [
        "First one.",
        "The answer is <a>the prize in 1990. Then she</a> left.",
        "Last one.",
    ]


def test_default_markers_protect_with_the_rule_splitter() -> None:
    text = "ก่อน [[หนึ่ง. สอง]] หลัง. จบ."
    assert len(split_sentences(text, lang="th", protect=None)) == 3
    assert [s.text for s in split_sentences(text, lang="th")] == ["ก่อน [[หนึ่ง. สอง]] หลัง.", "จบ."]


def test_unclosed_marker_runs_to_end() -> None:
    assert len(split_sentences("One. Two <a>three. Four. Five.", protect=("<a>", "</a>"))) == 2


def test_long_sentence_is_cut_at_whitespace() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    segments = split_sentences(text, max_chars=100)
    assert len(segments) > 1
    assert all(len(s.text) <= 100 for s in segments)
    _check_offsets(text, segments)
    assert join_segments(text, segments, [s.text for s in segments]) == text


def test_long_cut_avoids_protected_span() -> None:
    text = "aaaa bbbb [[cccc dddd eeee]] ffff gggg"
    segments = split_sentences(text, max_chars=12)
    assert "[[cccc dddd eeee]]" in [s.text for s in segments]
    _check_offsets(text, segments)


def test_unbroken_long_token_is_kept_whole() -> None:
    text = "x" * 50
    assert split_sentences(text, max_chars=10) == [Segment(text, 0, 50)]
    with pytest.raises(ValueError, match="max_chars"):
        split_sentences(text, max_chars=0)


def test_rule_splitter_for_languages_pysbd_lacks() -> None:
    text = "สวัสดีครับ. ไปไหน? 你好。我很好！"
    segments = split_sentences(text, lang="th")
    assert [s.text for s in segments] == ["สวัสดีครับ.", "ไปไหน?", "你好。", "我很好！"]
    _check_offsets(text, segments)


def test_join_keeps_original_whitespace() -> None:
    text = "One.  Two!\n\nThree?"
    segments = split_sentences(text)
    assert join_segments(text, segments, ["Uno.", "¡Dos!", "¿Tres?"]) == "Uno.  ¡Dos!\n\n¿Tres?"


def test_join_rejects_mismatched_input() -> None:
    text = "One. Two."
    segments = split_sentences(text)
    with pytest.raises(ValueError, match="one per segment"):
        join_segments(text, segments, ["Uno."])
    with pytest.raises(ValueError, match="does not belong"):
        join_segments("Other text.", segments, ["a", "b"])


def test_xquad_contexts_keep_offsets() -> None:
    data = json.loads(shared_file("xquad/xquad.en.json").read_text(encoding="utf-8"))
    contexts = [p["context"] for article in data["data"] for p in article["paragraphs"]]
    total = 0
    for context in contexts:
        segments = split_sentences(context)
        _check_offsets(context, segments)
        assert join_segments(context, segments, [s.text for s in segments]) == context
        total += len(segments)
    assert total > 3 * len(contexts)


_pieces = st.sampled_from(
    ["Mr. Brown", "ran", "fast", ".", "!", "?", " ", "  ", "\n", "[[", "]]", "e.g.", "2.5"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_pieces, max_size=40), st.integers(min_value=5, max_value=60))
def test_invariants_on_random_text(pieces: list[str], max_chars: int) -> None:
    text = " ".join(pieces)
    segments = split_sentences(text, max_chars=max_chars)
    _check_offsets(text, segments)
    assert join_segments(text, segments, [s.text for s in segments]) == text


def _pysbd_spans(text: str) -> list[tuple[int, int]]:
    """What `_rough_spans` computes from pysbd's pieces, without the one-sentence shortcut."""
    from generator.sbd import segmenter

    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in segmenter("en").segment(text):
        core = piece.strip()
        if core:
            found = text.find(core, cursor)
            spans.append((cursor, found + len(core)))
            cursor = found + len(core)
    return spans + ([(cursor, len(text))] if cursor < len(text) else [])


_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,'"


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from("aZ1"),
    st.text(alphabet=_PLAIN, max_size=40),
    st.sampled_from(["", "?"]),
    st.sampled_from(["", " ", "  "]),
)
def test_plain_english_questions_skip_pysbd_with_its_answer(
    first: str, rest: str, mark: str, pad: str
) -> None:
    from generator.segment import _ONE_ENGLISH_SENTENCE, _rough_spans

    text = pad + first + rest + mark + pad
    if _ONE_ENGLISH_SENTENCE.fullmatch(text.strip()):
        assert _rough_spans(text, "en") == _pysbd_spans(text)


def test_squad_questions_on_the_shortcut_are_what_pysbd_says() -> None:
    from generator.segment import _ONE_ENGLISH_SENTENCE, _rough_spans

    data = json.loads(shared_file("xquad/xquad.en.json").read_text(encoding="utf-8"))
    questions = [q["question"] for a in data["data"] for p in a["paragraphs"] for q in p["qas"]]
    plain = [q for q in questions if _ONE_ENGLISH_SENTENCE.fullmatch(q.strip())]
    assert len(plain) > len(questions) // 2
    assert all(_rough_spans(q, "en") == _pysbd_spans(q) for q in plain)
