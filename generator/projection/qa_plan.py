"""QA answers planned for translation: each sentence range's answers marked together in as few copies as possible."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from generator.example import Answer, Example
from generator.projection.config import ProjectionConfig
from generator.projection.fields import sentence_segments
from generator.projection.spans import Marked, has_markers, mark, pairs_in_order, read_marked
from generator.segment import Segment


@dataclass(frozen=True, slots=True)
class MarkGroup:
    """Answer spans of one sentence range marked together in one copy: ordered and disjoint."""

    source: str  # the English text of the range
    spans: tuple[tuple[int, int], ...]  # offsets within `source`
    marked: str  # `source` with every span wrapped in the marker pair

    def read(self, translated: str, markers: tuple[str, str]) -> Marked | None:
        """The marked translation read back; None unless every pair survived, in source order."""
        return _read_group(self, translated, markers)


@lru_cache(maxsize=4096)
def _read_group(group: MarkGroup, translated: str, markers: tuple[str, str]) -> Marked | None:
    """`MarkGroup.read`, once for the questions of a context that share the copy."""
    read = read_marked(translated, markers, len(group.spans))
    if read is None:
        return None
    sources = [group.source[a:b] for a, b in group.spans]
    if not pairs_in_order(sources, [read.text[a:b] for a, b in read.spans]):
        return None
    return read


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
    segments = list(sentence_segments(context, src_lang))
    plan = QAPlan(example, segments)
    marker_free = not has_markers(context, config.markers)
    answers = frozenset(
        (answer.text, answer.start)
        for other in (example, *together)
        if other.context == context
        for answer in other.answers
    )
    groups = _mark_groups(context, answers, config.markers, src_lang)
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


@lru_cache(maxsize=1024)
def _mark_groups(
    context: str, answers: frozenset[tuple[str, int]], markers: tuple[str, str], src_lang: str
) -> dict[tuple[int, int], list[MarkGroup]]:
    """The marked copies of each sentence range holding answers: computed once for the questions of a
    context (copies depend on the set of answers only)."""
    segments = sentence_segments(context, src_lang)
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for text, start in sorted(answers):
        if (found := _locate(context, segments, Answer(text, start))) is not None:
            spans.setdefault(found[:2], []).append(found[2:])
    groups: dict[tuple[int, int], list[MarkGroup]] = {}
    for (first, last), located in spans.items():
        source = context[segments[first].start : segments[last].end]
        groups[(first, last)] = [
            MarkGroup(source, g, mark(source, g, markers)) for g in colour_spans(located)
        ]
    return groups


def _strip_space(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
