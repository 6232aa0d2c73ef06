"""Sentence boundaries in English Wikipedia paragraphs, for LAReQA's SQuAD training pairs.

XTREME-R trains LAReQA on SQuAD v1.1 with the sentence that holds each answer, cut by a sed-style
rule breaker. This is the project's own breaker of the same kind: a sentence ends after `.`, `?`
or `!` (and any closing quotes or brackets, and Wikipedia citation marks like `[12]`) when
whitespace and an upper-case letter or digit (optionally after an opening quote or bracket)
follow, except after a title, a common abbreviation (also "e.g.", "i.e.", "Op."), a month
abbreviation, a person's initial or an ellipsis. On the English XQuAD-R paragraphs it reproduces the shipped `sentence_breaks` of almost
every paragraph (tests/trainer/test_sentence_breaks.py measures it).
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"""[.?!][)'"\u201d]*(?:\[[A-Za-z0-9 ?]+\])*(?=\s+[\['"(\u201c]?[A-Z0-9])""")
# Words whose trailing period does not end a sentence (compared case-sensitively).
_ABBREVIATIONS = frozenset(
    [
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "Fr",
        "Rev",
        "Msgr",
        "St",
        "Sta",
        "Lt",
        "Gen",
        "Col",
        "Maj",
        "Adm",
        "Capt",
        "Sgt",
        "Rep",
        "Gov",
        "Sen",
        "Pres",
        "vs",
        "v",
        "pp",
        "p",
        "cf",
        "approx",
        "app",
        "esp",
        "est",
        "tr",
        "Jan",
        "Aug",
        "Oct",
        "Nov",
        "Dec",
        "Mt",
        "Ft",
        "No",
        "no",
        "Art",
        "art",
        "Op",
        "Opp",
        "Vol",
        "Sec",
        "ch",
        "ca",
        "fl",
        "c",
        "b",
        "d",
        "r",
        "al",
    ]
)
_WORD_BEFORE = re.compile(r"(\S+)$")
_INITIALS = re.compile(r"(?:^|\s)(?:[A-Z]\.){1,3}$")
_DOTTED = re.compile(r"(?:^|[\s(\[])(?:[a-z]\.){2,3}$")


def _keeps_going(text: str, end: int) -> bool:
    """True when the period ending at `end` belongs to an abbreviation or an initial."""
    if text[end - 1] != ".":
        return False
    before = text[:end]
    if before.endswith("..."):
        return True
    if _INITIALS.search(before) or _DOTTED.search(before):
        return True
    word = _WORD_BEFORE.search(before[:-1])
    return word is not None and word.group(1).lstrip("(\"'") in _ABBREVIATIONS


def sentence_breaks(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence, leading and trailing whitespace excluded."""
    flat = text.replace("\n", " ")
    cuts = [m.end() for m in _CANDIDATE.finditer(flat) if not _keeps_going(flat, m.end())]
    spans = []
    for start, end in zip([0, *cuts], [*cuts, len(flat)], strict=True):
        segment = flat[start:end]
        stripped = segment.strip()
        if stripped:
            first = start + len(segment) - len(segment.lstrip())
            spans.append((first, first + len(stripped)))
    return spans
