"""Span search in a translation: markers read back, trigram similarity, fuzzy windows, anchor alignment."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\S+")
_SPACES = re.compile(r"\s+")
_UNSQUEEZED = re.compile(r"^\s|\s\Z|\s\s|[^\S ]")  # whitespace at an end, doubled, or not a space
_EDGE_PUNCT = "\"'“”‘’«»¿¡()[]{}<>.,;:!?"


@dataclass(frozen=True, slots=True)
class Marked:
    """A translation with its markers removed and the spans they enclosed (offsets into `text`)."""

    text: str
    spans: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class SpanMatch:
    """A span projected into `sentence`: `sentence[start:end]` is the projected text."""

    sentence: str
    start: int
    end: int
    method: str
    confidence: float
    replaces: bool = False  # `sentence` is the marked translation, not the shared plain translation
    why: str = ""  # auto: which method won and why

    @property
    def text(self) -> str:
        return self.sentence[self.start : self.end]


def mark(text: str, spans: Sequence[tuple[int, int]], markers: tuple[str, str]) -> str:
    """`text` with each (start, end) span, in order and disjoint, wrapped in the marker pair."""
    opening, closing = markers
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        if start < cursor or end <= start:
            raise ValueError(f"spans must be non-empty, ordered and disjoint; got {list(spans)}")
        parts += [text[cursor:start], opening, text[start:end], closing]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def has_markers(text: str, markers: tuple[str, str]) -> bool:
    return markers[0] in text or markers[1] in text


def read_marked(translated: str, markers: tuple[str, str], expected: int) -> Marked | None:
    """Remove `expected` well-formed marker pairs from `translated`; None when they did not survive."""
    opening, closing = markers
    pieces: list[str] = []
    raw_spans: list[tuple[int, int]] = []
    length = 0
    cursor = 0
    for _ in range(expected):
        open_at = translated.find(opening, cursor)
        if open_at < 0:
            return None
        close_at = translated.find(closing, open_at + len(opening))
        if close_at < 0:
            return None
        inner = translated[open_at + len(opening) : close_at]
        if opening in inner:
            return None
        before = translated[cursor:open_at]
        pieces.append(before)
        length += len(before)
        pieces.append(inner)
        raw_spans.append((length, length + len(inner)))
        length += len(inner)
        cursor = close_at + len(closing)
    rest = translated[cursor:]
    if has_markers(rest, markers):
        return None
    pieces.append(rest)
    text, spans = _squeeze("".join(pieces), raw_spans)
    if any(end <= start for start, end in spans):
        return None
    return Marked(text, spans)


def _squeeze(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Collapse whitespace runs to one space, strip the ends, and trim spans to non-blank text."""
    if not _UNSQUEEZED.search(text):  # only single spaces inside: nothing moves
        return text, [_trim_blank(text, start, end) for start, end in spans]
    runs = [m.span() for m in _SPACES.finditer(text)]
    squeezed = _SPACES.sub(" ", text).strip(" ")
    starts = [start for start, _ in runs]
    blank_before = [0]  # whitespace characters in runs[:k]
    for start, end in runs:
        blank_before.append(blank_before[-1] + end - start)
    lead = 1 if runs and runs[0][0] == 0 else 0  # a leading run gives no space

    def new_offset(position: int) -> int:
        k = bisect_left(starts, position)  # runs that start before `position`
        blank = blank_before[k] - (max(0, runs[k - 1][1] - position) if k else 0)
        return position - blank + max(0, k - lead)

    return squeezed, [
        _trim_blank(squeezed, new_offset(a), min(new_offset(b), len(squeezed))) for a, b in spans
    ]


def _trim_blank(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _kept_words(text: str) -> set[str]:
    return {w for w in (m.group().lower() for m in _WORD.finditer(text)) if len(w) >= 3 or w.isdigit()}


def pairs_in_order(sources: Sequence[str], inners: Sequence[str]) -> bool:
    """False when words of a source span (names, numbers) show up more in another pair than in its own."""
    if len(sources) < 2:
        return True
    inner_words = [_kept_words(text) for text in inners]
    for i, source in enumerate(sources):
        words = _kept_words(source)
        own = len(words & inner_words[i])
        if any(len(words & other) > own for j, other in enumerate(inner_words) if j != i):
            return False
    return True


def _trigrams(text: str) -> Counter[str]:
    padded = f" {_SPACES.sub(' ', text.lower()).strip()} "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character trigrams of `a` and `b` (case and spacing ignored), 0..1."""
    ta, tb = _trigrams(a), _trigrams(b)
    total = sum(ta.values()) + sum(tb.values())
    if total == 0:
        return 0.0
    return 2 * sum((ta & tb).values()) / total


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each whitespace-separated token of `text`."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        end -= 1
    return start, end


def fuzzy_find(needle: str, haystack: str, *, expected_at: float = 0.5) -> tuple[int, int, float] | None:
    """The window of whole tokens of `haystack` most similar to `needle`: (start, end, similarity).

    Windows hold n-2..n+2 tokens for an n-token needle, with and without edge punctuation; ties go to
    the window nearest the relative position `expected_at` (0 = start, 1 = end of the haystack).
    """
    needle = needle.strip()
    tokens = token_spans(haystack)
    if not needle or not tokens:
        return None
    n = len(needle.split())
    best: tuple[float, float, int, int] | None = None  # (score, -distance, start, end)
    target = expected_at * len(haystack)
    for i in range(len(tokens)):
        for width in range(max(1, n - 2), n + 3):
            j = i + width - 1
            if j >= len(tokens):
                break
            raw = (tokens[i][0], tokens[j][1])
            for start, end in {raw, _strip_edges(haystack, *raw)}:
                if end <= start:
                    continue
                score = similarity(needle, haystack[start:end])
                key = (score, -abs(start - target), start, end)
                if best is None or key[:2] > best[:2]:
                    best = key
    if best is None:
        return None
    return best[2], best[3], best[0]


def _word_spans(text: str) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for m in _WORD.finditer(text):
        out.setdefault(m.group().lower(), []).append((m.start(), m.end()))
    return out


def _anchors(source: str, target: str, avoid: tuple[int, int]) -> list[tuple[float, float]]:
    """Monotone (source, target) centre pairs of words found exactly once on both sides, outside `avoid`."""
    src_words, tgt_words = _word_spans(source), _word_spans(target)
    pairs = []
    for word, spans in src_words.items():
        if len(spans) != 1 or len(tgt_words.get(word, ())) != 1:
            continue
        if len(word) < 3 and not word.isdigit():
            continue
        (s0, s1), (t0, t1) = spans[0], tgt_words[word][0]
        if s1 > avoid[0] and s0 < avoid[1]:
            continue
        pairs.append(((s0 + s1) / 2, (t0 + t1) / 2))
    pairs.sort()
    # Longest chain increasing on the target side as well (patience sorting with back-pointers).
    tails: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for i, (_, t) in enumerate(pairs):
        k = bisect_right([pairs[x][1] for x in tails], t)
        back[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
        else:
            tails[k] = i
    chain: list[tuple[float, float]] = []
    i = tails[-1] if tails else -1
    while i >= 0:
        chain.append(pairs[i])
        i = back[i]
    return [(0.0, 0.0), *reversed(chain), (float(len(source)), float(len(target)))]


def align_span(source: str, start: int, end: int, target: str) -> tuple[int, int, float] | None:
    """Place source span [start, end) in `target` by interpolating between shared-word anchors.

    Returns (start, end, confidence); the confidence is half the share of the bracketing anchors'
    gap that the answer fills, so an answer tightly framed by anchors scores near 0.5 and one placed
    only by the sentence ends scores low.
    """
    if not target.strip() or end <= start:
        return None
    anchors = _anchors(source, target, (start, end))
    left = max(a for a in anchors if a[0] <= start)
    right = min(a for a in anchors if a[0] >= end)

    def interpolate(x: float) -> float:
        if right[0] == left[0]:
            return left[1]
        return left[1] + (x - left[0]) * (right[1] - left[1]) / (right[0] - left[0])

    t_start, t_end = interpolate(start), interpolate(end)
    tokens = token_spans(target)
    covered = [(a, b) for a, b in tokens if b > t_start and a < t_end]
    if not covered:
        nearest = min(tokens, key=lambda tok: abs((tok[0] + tok[1]) / 2 - (t_start + t_end) / 2))
        covered = [nearest]
    a, b = _strip_edges(target, covered[0][0], covered[-1][1])
    if b <= a:
        return None
    gap = right[0] - left[0]
    confidence = 0.5 * min(1.0, (end - start) / gap) if gap > 0 else 0.0
    return a, b, round(confidence, 4)


def nearest_occurrence(haystack: str, needle: str, expected_at: float) -> int:
    """Start of the whole-word occurrence of `needle` nearest `expected_at`, or -1."""
    target = expected_at * len(haystack)
    best = -1
    pos = haystack.find(needle)
    while pos >= 0:
        end = pos + len(needle)
        cut_before = pos > 0 and needle[0].isalnum() and haystack[pos - 1].isalnum()
        cut_after = end < len(haystack) and needle[-1].isalnum() and haystack[end].isalnum()
        if not (cut_before or cut_after) and (best < 0 or abs(pos - target) < abs(best - target)):
            best = pos
        pos = haystack.find(needle, pos + 1)
    return best
