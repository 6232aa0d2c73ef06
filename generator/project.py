"""Span and label projection through translation: markers first, then fuzzy matching, then alignment.

A QA answer is projected by translating its sentence with the answer wrapped in markers
(mark-then-translate). The disjoint answers of all questions on a sentence share one marked copy,
whose translation (markers removed) is also the sentence's translation; overlapping answers go to
further copies, looked up in that translation. When the markers do not survive, the separately translated answer is looked
for in the translated sentence by character-trigram similarity (fuzzy). When that fails too, the
span is placed by piecewise-linear alignment between words the source and the translation share
(names, numbers), with a confidence that falls as the anchors get further from the answer. Spans
below every threshold are lost: the caller drops the example and counts it.

Tagging entities (B-/I- runs) are projected by marking every entity in the sentence; the translated
sentence is re-tokenised by whitespace and the covered tokens get B-/I- tags.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.example import Answer, Example
from generator.segment import Segment, split_sentences

MARKER = "marker"
FUZZY = "fuzzy"
ALIGN = "align"
LOST_SPAN = "lost_span"

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\S+")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = "\"'“”‘’«»¿¡()[]{}<>.,;:!?"


class ProjectionConfig(BaseModel):
    """How spans are projected: the marker pair and the thresholds of the fuzzy and alignment steps."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    markers: tuple[str, str] = Field(default=("[[", "]]"), description="opening and closing span markers")
    fuzzy_threshold: float = Field(default=0.6, ge=0.0, le=1.0, description="least trigram similarity kept")
    align_threshold: float = Field(default=0.2, ge=0.0, le=1.0, description="least alignment confidence kept")

    @model_validator(mode="after")
    def _distinct_markers(self) -> ProjectionConfig:
        opening, closing = self.markers
        if not opening.strip() or not closing.strip() or opening == closing:
            raise ValueError(
                "markers must be two different non-blank strings, e.g. ['[[', ']]'], so a span's ends can be told apart"
            )
        return self


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
    new_index: list[int] = []  # new offset of each old character position (len(text)+1 entries)
    out: list[str] = []
    previous_space = True
    for char in text:
        new_index.append(len(out))
        if char.isspace():
            if not previous_space:
                out.append(" ")
            previous_space = True
        else:
            out.append(char)
            previous_space = False
    new_index.append(len(out))
    squeezed = "".join(out)
    if squeezed.endswith(" "):
        squeezed = squeezed[:-1]
    mapped = []
    for start, end in spans:
        a, b = new_index[start], min(new_index[end], len(squeezed))
        while a < b and squeezed[a].isspace():
            a += 1
        while b > a and squeezed[b - 1].isspace():
            b -= 1
        mapped.append((a, b))
    return squeezed, mapped


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
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(haystack)]
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
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(target)]
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


def _nearest_occurrence(haystack: str, needle: str, expected_at: float) -> int:
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


def project_span(
    source: str,
    start: int,
    end: int,
    *,
    plain: str,
    marked: str | tuple[Marked, int] | None,
    answer_translation: str | None,
    config: ProjectionConfig,
    allow_replace: bool = True,
) -> SpanMatch | None:
    """Project `source[start:end]` into a translation of `source`.

    `plain` is the translation of `source`; `marked` the translation of `source` with the span
    marked, or a marked translation already read with the span's pair index (None when it was not
    asked for); `answer_translation` the span translated on its own
    (None when not yet translated: a None result may then improve once it is given). With markers
    intact, the marked text is looked up in `plain`; if absent there and `allow_replace`, the marked
    translation (markers removed) becomes the sentence, flagged `replaces`.
    """
    relative = start / max(1, len(source))
    needles: list[str] = []
    read, pair = (
        (read_marked(marked, config.markers, 1), 0) if isinstance(marked, str) else (marked or (None, 0))
    )
    if read is not None:
        m_start, m_end = read.spans[pair]
        inner = read.text[m_start:m_end]
        at = _nearest_occurrence(plain, inner, m_start / max(1, len(read.text)))
        if at >= 0:
            return SpanMatch(plain, at, at + len(inner), MARKER, 1.0)
        if allow_replace:
            return SpanMatch(read.text, m_start, m_end, MARKER, 1.0, replaces=True)
        needles.append(inner)
    if answer_translation:
        needles.append(answer_translation)
    needles.append(source[start:end])  # names and numbers often come through untranslated
    best: tuple[int, int, float] | None = None
    for needle in needles:
        found = fuzzy_find(needle, plain, expected_at=relative)
        if found is not None and (best is None or found[2] > best[2]):
            best = found
    if best is not None and best[2] >= config.fuzzy_threshold:
        return SpanMatch(plain, best[0], best[1], FUZZY, round(best[2], 4))
    if answer_translation is None:
        return None
    aligned = align_span(source, start, end, plain)
    if aligned is not None and aligned[2] >= config.align_threshold:
        return SpanMatch(plain, aligned[0], aligned[1], ALIGN, aligned[2])
    return None


# --- extractive QA -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarkGroup:
    """Answer spans of one sentence range marked together in one copy: ordered and disjoint."""

    source: str  # the English text of the range
    spans: tuple[tuple[int, int], ...]  # offsets within `source`
    marked: str  # `source` with every span wrapped in the marker pair

    def read(self, translated: str, markers: tuple[str, str]) -> Marked | None:
        """The marked translation read back; None unless every pair survived, in source order."""
        read = read_marked(translated, markers, len(self.spans))
        if read is None:
            return None
        sources = [self.source[a:b] for a, b in self.spans]
        if not _pairs_in_order(sources, [read.text[a:b] for a, b in read.spans]):
            return None
        return read


def _kept_words(text: str) -> set[str]:
    return {w for w in (m.group().lower() for m in _WORD.finditer(text)) if len(w) >= 3 or w.isdigit()}


def _pairs_in_order(sources: Sequence[str], inners: Sequence[str]) -> bool:
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


def colour_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[tuple[int, int], ...]]:
    """Distinct spans in as few groups of disjoint spans as possible (first fit by start, optimal for intervals)."""
    groups: list[list[tuple[int, int]]] = []
    for span in sorted(set(spans)):
        for group in groups:
            if group[-1][1] <= span[0]:
                group.append(span)
                break
        else:
            groups.append([span])
    return [tuple(group) for group in groups]


@dataclass(slots=True)
class AnswerPlan:
    """One answer of a QA example: its sentence range, its offsets there and the copy it is marked in."""

    answer: Answer
    first: int  # index of the first sentence of the range
    last: int  # index of the last sentence (inclusive)
    source: str  # the English text of the range
    start: int  # answer offsets within `source`
    end: int
    group: MarkGroup | None = None  # None when the context already holds markers
    pair: int = 0  # the answer's marker pair within `group`
    primary: bool = False  # `group`'s translation is also the sentence's shared translation
    single: str | None = None  # `source` with only this answer marked: the fallback copy

    @property
    def marked(self) -> str | None:
        return self.group.marked if self.group is not None else None


@dataclass(slots=True)
class QAPlan:
    """What a QA example needs translated: each context sentence once, the marked copies, the question."""

    example: Example
    segments: list[Segment]
    answers: list[AnswerPlan] = field(default_factory=list)
    primary: dict[int, MarkGroup] = field(default_factory=dict)  # sentence -> the copy that translates it

    def plain_texts(self) -> list[str]:
        return [seg.text for seg in self.segments]

    def texts(self) -> list[str]:
        """The first translation pass: every sentence (as its marked copy when it has one) and the answers' copies."""
        out = [self.primary[i].marked if i in self.primary else s.text for i, s in enumerate(self.segments)]
        out += [a.group.marked for a in self.answers if a.group is not None]
        return list(dict.fromkeys(out))

    def single_marked_texts(self) -> list[str]:
        """One copy per answer with only that answer marked (what marking answers one by one sends)."""
        return [a.single for a in self.answers if a.single is not None]

    def answer_texts(self) -> list[str]:
        return [a.answer.text for a in self.answers]


def _locate(context: str, segments: Sequence[Segment], answer: Answer) -> tuple[int, int, int, int] | None:
    """(first, last) sentence of the answer's range and its stripped offsets within the range, or None."""
    a_start, a_end = answer.start, answer.start + len(answer.text)
    inside = [i for i, seg in enumerate(segments) if seg.end > a_start and seg.start < a_end]
    if not inside or context[a_start:a_end] != answer.text or not answer.text.strip():
        return None
    first, last = inside[0], inside[-1]
    r_start, r_end = segments[first].start, segments[last].end
    start, end = _strip_space(context[r_start:r_end], max(0, a_start - r_start), min(r_end, a_end) - r_start)
    return first, last, start, end


def plan_qa(
    example: Example, config: ProjectionConfig, src_lang: str = "en", *, together: Sequence[Example] = ()
) -> QAPlan:
    """Split the context into sentences, locate each answer's sentence range and plan its marked copy.

    The answers of `example` and of `together` (other questions on the same context) that fall in
    the same sentence range share marked copies: disjoint spans in one copy, each overlapping span
    in a later one. The first copy of a one-sentence range is that sentence's only translation, so
    a paragraph costs one segment per sentence plus one per extra copy, whoever asks for it; plan
    every question of a context with the same `together` to share the copies.
    """
    context = example.context
    segments = list(_sentences(context, src_lang))
    plan = QAPlan(example, segments)
    marker_free = not has_markers(context, config.markers)
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for other in (example, *together):
        if other.context != context:
            continue
        for answer in other.answers:
            if (found := _locate(context, segments, answer)) is not None:
                spans.setdefault(found[:2], []).append(found[2:])
    groups: dict[tuple[int, int], list[MarkGroup]] = {}
    for (first, last), located in spans.items():
        source = context[segments[first].start : segments[last].end]
        groups[(first, last)] = [
            MarkGroup(source, g, mark(source, g, config.markers)) for g in colour_spans(located)
        ]
    if marker_free:
        plan.primary = {first: g[0] for (first, last), g in groups.items() if first == last}
    for answer in example.answers:
        found = _locate(context, segments, answer)
        if found is None:
            plan.answers.append(AnswerPlan(answer, -1, -1, "", 0, 0))
            continue
        first, last, start, end = found
        source = context[segments[first].start : segments[last].end]
        if not marker_free:
            plan.answers.append(AnswerPlan(answer, first, last, source, start, end))
            continue
        colour, group = next((k, g) for k, g in enumerate(groups[(first, last)]) if (start, end) in g.spans)
        plan.answers.append(
            AnswerPlan(
                answer,
                first,
                last,
                source,
                start,
                end,
                group=group,
                pair=group.spans.index((start, end)),
                primary=first == last and colour == 0,
                single=mark(source, [(start, end)], config.markers),
            )
        )
    return plan


def _strip_space(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(slots=True)
class QAResult:
    """A projected QA example, or None with the drop reason; or what to translate before asking again.

    `retry` lists segments to add to the translations (a sentence, or one answer's own marked
    copy, where a shared copy's markers did not survive); `pending` lists answer texts to pass as
    `answer_translations` for fuzzy matching and alignment.
    """

    example: Example | None
    reason: str = ""
    pending: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)


def assemble_qa(
    plan: QAPlan,
    translations: Mapping[str, str],
    *,
    lang: str,
    method: str,
    config: ProjectionConfig,
    answer_translations: Mapping[str, str] | None = None,
) -> QAResult:
    """Build the translated example from segment translations, projecting every answer.

    `translations` holds at least `plan.texts()`. A shared copy whose pairs did not survive (count
    or order) is replaced by the plain sentence and each answer's own marked copy, asked for in
    `retry`. With `answer_translations=None`, answers the markers could not place are reported in
    `pending` (translate them and call again) instead of being lost. An answer that projects
    nowhere is dropped; the example is lost when none of its answers survive.
    """
    ex = plan.example
    context = ex.context
    segs = plan.segments
    markers = config.markers
    reads: dict[str, Marked | None] = {}

    def read_group(group: MarkGroup) -> Marked | None:
        if group.marked not in reads:
            reads[group.marked] = group.read(translations[group.marked], markers)
        return reads[group.marked]

    retry: list[str] = []
    sentences: list[str] = []
    for i, seg in enumerate(segs):
        group = plan.primary.get(i)
        read = read_group(group) if group is not None else None
        if read is not None:
            sentences.append(read.text)
        elif seg.text in translations:
            sentences.append(translations[seg.text])
        else:
            retry.append(seg.text)
            sentences.append("")
    retry += [
        ap.single
        for ap in plan.answers
        if ap.group is not None
        and ap.single is not None
        and ap.single not in translations
        and read_group(ap.group) is None
    ]
    if retry:
        return QAResult(None, retry=list(dict.fromkeys(retry)))

    overrides: dict[int, tuple[int, str]] = {}  # first sentence -> (last sentence, replacing text)
    locked: set[int] = set()
    placed: dict[int, SpanMatch] = {}  # answer index -> match
    pending: list[str] = []
    # Answers placed straight in a shared sentence go first, so a later replacement cannot move them.
    order = sorted(range(len(plan.answers)), key=lambda k: not plan.answers[k].primary)
    for k in order:
        ap = plan.answers[k]
        if ap.first < 0:
            continue
        plain = _join_range(context, segs, sentences, ap.first, ap.last)
        rng = range(ap.first, ap.last + 1)
        group_read = read_group(ap.group) if ap.group is not None else None
        match: SpanMatch | None
        if ap.primary and group_read is not None:
            start, end = group_read.spans[ap.pair]
            match = SpanMatch(plain, start, end, MARKER, 1.0)
        else:
            marked: str | tuple[Marked, int] | None = None
            if group_read is not None:
                marked = (group_read, ap.pair)
            elif ap.single is not None:
                marked = translations[ap.single]
            answer_mt = None if answer_translations is None else answer_translations.get(ap.answer.text)
            match = project_span(
                ap.source,
                ap.start,
                ap.end,
                plain=plain,
                marked=marked,
                answer_translation=answer_mt,
                config=config,
                allow_replace=not any(i in locked for i in rng),
            )
        if match is None:
            if answer_translations is None:
                pending.append(ap.answer.text)
            continue
        if match.replaces:
            overrides[ap.first] = (ap.last, match.sentence)
        locked.update(rng)
        placed[k] = match
    if pending:
        return QAResult(None, pending=pending)
    if plan.answers and not placed:
        return QAResult(None, reason=LOST_SPAN)
    new_context, starts = _assemble(context, segs, sentences, overrides)
    answers: list[Answer] = []
    weakest: SpanMatch | None = None
    for k in sorted(placed):
        match = placed[k]
        at = starts[plan.answers[k].first] + match.start
        text = match.text
        if new_context[at : at + len(text)] != text:
            continue
        answers.append(Answer(text, at))
        if weakest is None or match.confidence < weakest.confidence:
            weakest = match
    if plan.answers and not answers:
        return QAResult(None, reason=LOST_SPAN)
    question = _translate_text(ex.question, translations)
    out = _derived(ex, lang, method)
    out.context = new_context
    out.question = question
    out.answers = answers
    out.projection = weakest.method if weakest else ""
    out.confidence = weakest.confidence if weakest else 1.0
    return QAResult(out)


def _join_range(original: str, segs: list[Segment], sentences: list[str], first: int, last: int) -> str:
    parts = [sentences[first]]
    for i in range(first + 1, last + 1):
        parts += [original[segs[i - 1].end : segs[i].start], sentences[i]]
    return "".join(parts)


def _assemble(
    original: str, segs: list[Segment], sentences: list[str], overrides: Mapping[int, tuple[int, str]]
) -> tuple[str, dict[int, int]]:
    """The translated context, whitespace between sentences as in the original, and each sentence's start."""
    parts: list[str] = [original[: segs[0].start]] if segs else [original]
    length = len(parts[0])
    starts: dict[int, int] = {}
    i = 0
    while i < len(segs):
        last, text = overrides.get(i, (i, sentences[i]))
        starts[i] = length
        parts.append(text)
        length += len(text)
        stop = segs[last + 1].start if last + 1 < len(segs) else len(original)
        following = original[segs[last].end : stop]
        parts.append(following)
        length += len(following)
        i = last + 1
    return "".join(parts), starts


# --- text fields, tagging, other kinds -----------------------------------------------------------


@lru_cache(maxsize=8192)
def _sentences(text: str, lang: str) -> tuple[Segment, ...]:
    """Sentences of `text`, memoised: a SQuAD paragraph is split once for all its questions."""
    return tuple(split_sentences(text, lang, protect=None))


def text_segments(text: str, src_lang: str = "en") -> list[str]:
    """The sentences of `text` that a translation of it needs."""
    return [seg.text for seg in _sentences(text, src_lang)]


def _translate_text(text: str, translations: Mapping[str, str], src_lang: str = "en") -> str:
    from generator.segment import join_segments

    segs = list(_sentences(text, src_lang))
    return join_segments(text, segs, [translations[s.text] for s in segs])


def _derived(ex: Example, lang: str, method: str) -> Example:
    out = Example.from_dict(ex.to_dict())
    out.lang = lang
    out.method = method
    out.projection = ""
    out.confidence = 1.0
    return out


def fields_to_translate(example: Example) -> list[str]:
    """The texts of a pair, choice or retrieval example that translation changes (retrieval: text_a only)."""
    if example.kind == "pair":
        return [example.text_a, example.text_b]
    if example.kind == "choice":
        return [example.context, example.question, *example.choices]
    if example.kind == "retrieval":
        return [example.text_a]
    raise ValueError(f"fields_to_translate does not handle kind '{example.kind}'")


def translate_fields(example: Example, translations: Mapping[str, str], *, lang: str, method: str) -> Example:
    """A pair, choice or retrieval example with its texts translated and its label carried as is."""
    out = _derived(example, lang, method)
    if example.kind == "pair":
        out.text_a = _translate_text(example.text_a, translations)
        out.text_b = _translate_text(example.text_b, translations)
    elif example.kind == "choice":
        out.context = _translate_text(example.context, translations)
        out.question = _translate_text(example.question, translations)
        out.choices = [_translate_text(c, translations) for c in example.choices]
    elif example.kind == "retrieval":
        out.text_a = _translate_text(example.text_a, translations)
    else:
        raise ValueError(f"translate_fields does not handle kind '{example.kind}'")
    return out


def is_bio(tags: Sequence[str]) -> bool:
    """Whether every tag is O, B-X or I-X (entity tags that projection can carry)."""
    return all(t == "O" or t[:2] in ("B-", "I-") for t in tags)


def entity_runs(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first token, last token exclusive, type) of each B-/I- run; a stray I- opens a run (IOB1)."""
    runs: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        if tag == "O":
            continue
        kind = tag[2:]
        if tag.startswith("I-") and runs and runs[-1][1] == i and runs[-1][2] == kind:
            runs[-1] = (runs[-1][0], i + 1, kind)
        else:
            runs.append((i, i + 1, kind))
    return runs


def mark_entities(tokens: Sequence[str], tags: Sequence[str], markers: tuple[str, str]) -> str:
    """The whitespace-joined sentence with every entity run wrapped in the marker pair."""
    text = " ".join(tokens)
    if has_markers(text, markers):
        return ""
    offsets: list[int] = []
    pos = 0
    for tok in tokens:
        offsets.append(pos)
        pos += len(tok) + 1
    spans = [(offsets[a], offsets[b - 1] + len(tokens[b - 1])) for a, b, _ in entity_runs(tags)]
    return mark(text, spans, markers)


def project_tags(
    example: Example, translated_marked: str, *, lang: str, method: str, config: ProjectionConfig
) -> Example | None:
    """The translated tagging example with B-/I- on tokens covered by a projected entity; None if one is lost."""
    runs = entity_runs(example.tags)
    read = read_marked(translated_marked, config.markers, len(runs))
    if read is None:
        return None
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(read.text)]
    tags = ["O"] * len(tokens)
    for (start, end), (_, _, kind) in zip(read.spans, runs, strict=True):
        covered = [k for k, (a, b) in enumerate(tokens) if b > start and a < end]
        if not covered or any(tags[k] != "O" for k in covered):
            return None
        tags[covered[0]] = f"B-{kind}"
        for k in covered[1:]:
            tags[k] = f"I-{kind}"
    out = _derived(example, lang, method)
    out.tokens = [read.text[a:b] for a, b in tokens]
    out.tags = tags
    if not out.tokens:
        return None
    out.projection = MARKER if runs else ""
    return out
