"""The SQuAD sentence breaker LAReQA's training pairs are cut with."""

from __future__ import annotations

import json

from tests.conftest import shared_file
from trainer.sentence_breaks import sentence_breaks


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_breaks(text)]


def test_breaks_and_exceptions() -> None:
    assert _sentences('It rained.  Then it stopped! Did it? "Yes." 2019 was dry.') == [
        "It rained.",
        "Then it stopped!",
        "Did it?",
        '"Yes."',
        "2019 was dry.",
    ]
    # Titles, initials, e.g., Op. numbers, ellipses and a lower-case next word do not end a sentence.
    assert _sentences(
        "Dr. Smith met J. R. Tolkien (e.g. Frodo). He wrote Op. 10 here... Next day. then more."
    ) == [
        "Dr. Smith met J. R. Tolkien (e.g. Frodo).",
        "He wrote Op. 10 here... Next day. then more.",
    ]
    # A citation mark stays with its sentence; newlines count as spaces; offsets point into the text.
    text = "Paris is big.[12] It has\nparks."
    assert sentence_breaks(text) == [(0, 17), (18, 31)]


def test_agrees_with_xquad_r_sentence_breaks() -> None:
    # XQuAD-R ships the sentence breaks of its English paragraphs (SQuAD dev): 232 of 240 agree.
    data = json.loads(shared_file("xtreme-r/download/lareqa/xquad-r/en.json").read_text(encoding="utf-8"))
    paragraphs = [p for article in data["data"] for p in article["paragraphs"]]
    same = sum(sentence_breaks(p["context"]) == [tuple(b) for b in p["sentence_breaks"]] for p in paragraphs)
    assert len(paragraphs) == 240 and same >= 230
