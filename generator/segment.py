"""Sentence splitting that keeps character offsets, so long texts translate as sentences and reassemble.

`split_sentences` uses pysbd's rules for the languages pysbd knows (PYSBD_LANGUAGES) and, for the
others, a punctuation rule (a sentence ends at . ! ? … and their CJK, Devanagari, Arabic, Burmese
and Ethiopic forms, followed by closing quotes or brackets and whitespace; the ideographic full stop
needs no whitespace). Segments never start or end with whitespace, never split inside a protected
marker pair such as `[[`...`]]`, and are at most `max_chars` long unless a protected span is longer.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from generator.sbd import segmenter

PYSBD_LANGUAGES = frozenset(
    {
        "am",
        "ar",
        "bg",
        "da",
        "de",
        "el",
        "en",
        "es",
        "fa",
        "fr",
        "hi",
        "hy",
        "it",
        "ja",
        "kk",
        "mr",
        "my",
        "nl",
        "pl",
        "ru",
        "sk",
        "ur",
        "zh",
    }
)
DEFAULT_PROTECT = ("[[", "]]")
DEFAULT_MAX_CHARS = 1000

# Letters, digits, spaces, commas and apostrophes with at most a final "?" (most questions): pysbd
# keeps such an English text whole, so it is not asked (tests check the two agree).
_ONE_ENGLISH_SENTENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ,']*\??")
_RULE_BOUNDARY = re.compile(
    r"(?:[.!?…।॥۔؟።။]+[\"'”’»)\]]*(?=\s))|(?:[。！？]+[」』”’）)\]]*)",
)


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence of a text: `original[start:end] == text`."""

    text: str
    start: int
    end: int


def _rough_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans (whitespace included) before protection and length limits."""
    if lang == "en" and _ONE_ENGLISH_SENTENCE.fullmatch(text.strip()):
        end = len(text.rstrip())
        return [(0, end)] + ([(end, len(text))] if end < len(text) else [])
    if lang in PYSBD_LANGUAGES:
        pieces: list[str] = segmenter(lang).segment(text)
        spans: list[tuple[int, int]] = []
        cursor = 0
        for piece in pieces:
            core = piece.strip()
            if not core:
                continue
            found = text.find(core, cursor)
            if found < 0:
                # pysbd rewrote this piece; keep the rest of the text whole so offsets stay exact.
                spans.append((cursor, len(text)))
                return spans
            spans.append((cursor, found + len(core)))
            cursor = found + len(core)
        if cursor < len(text):
            spans.append((cursor, len(text)))
        return spans
    ends = [m.end() for m in _RULE_BOUNDARY.finditer(text)]
    starts = [0, *ends]
    return [(a, b) for a, b in zip(starts, [*ends, len(text)], strict=True) if a < b]


def _protected(text: str, protect: tuple[str, str] | None) -> list[tuple[int, int]]:
    """Regions from each opening marker to the end of its closing marker (an unclosed one runs to the end)."""
    if protect is None:
        return []
    opening, closing = protect
    regions: list[tuple[int, int]] = []
    pos = text.find(opening)
    while pos >= 0:
        close = text.find(closing, pos + len(opening))
        end = len(text) if close < 0 else close + len(closing)
        regions.append((pos, end))
        pos = text.find(opening, end)
    return regions


def _inside(position: int, regions: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in regions)


def _trim(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(text[start:end], start, end) if start < end else None


def _split_long(text: str, seg: Segment, max_chars: int, regions: list[tuple[int, int]]) -> list[Segment]:
    """Cut a segment longer than max_chars at whitespace outside protected regions."""
    cuts = [i for i in range(seg.start + 1, seg.end) if text[i].isspace() and not _inside(i, regions)]
    out: list[Segment] = []
    start = seg.start
    while seg.end - start > max_chars:
        first = bisect_right(cuts, start)
        if first == len(cuts):
            break
        last = bisect_right(cuts, start + max_chars) - 1
        cut = cuts[last] if last >= first else cuts[first]
        piece = _trim(text, start, cut)
        if piece is not None:
            out.append(piece)
        start = cut
    rest = _trim(text, start, seg.end)
    if rest is not None:
        out.append(rest)
    return out


def split_sentences(
    text: str,
    lang: str = "en",
    protect: tuple[str, str] | None = DEFAULT_PROTECT,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> list[Segment]:
    """The sentences of `text` with their character offsets; `protect=None` allows splits anywhere."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    if not text.strip():
        return []
    regions = _protected(text, protect)
    merged: list[tuple[int, int]] = []
    for start, end in _rough_spans(text, lang):
        if merged and _inside(start, regions):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    segments: list[Segment] = []
    for start, end in merged:
        seg = _trim(text, start, end)
        if seg is None:
            continue
        segments.extend(_split_long(text, seg, max_chars, regions) if len(seg.text) > max_chars else [seg])
    return segments


def join_segments(original: str, segments: list[Segment], translations: list[str]) -> str:
    """Replace each segment of `original` by its translation, keeping the text between segments as it was."""
    if len(segments) != len(translations):
        raise ValueError(
            f"{len(segments)} segments but {len(translations)} translations; pass one per segment"
        )
    parts: list[str] = []
    cursor = 0
    for seg, translated in zip(segments, translations, strict=True):
        if seg.start < cursor or original[seg.start : seg.end] != seg.text:
            raise ValueError(
                f"segment {seg.start}:{seg.end} does not belong to this text in order; "
                "join with the segments split_sentences returned for it"
            )
        parts.append(original[cursor : seg.start])
        parts.append(translated)
        cursor = seg.end
    parts.append(original[cursor:])
    return "".join(parts)
