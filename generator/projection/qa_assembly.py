"""The translated QA example assembled from a `QAPlan`'s translations, every answer projected back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from generator.example import Answer, Example
from generator.projection.config import LOST_SPAN, MARKER, ProjectionConfig
from generator.projection.fields import derived_example, translate_text
from generator.projection.project import SpanAligner, project_span
from generator.projection.qa_plan import AnswerPlan, MarkGroup, QAPlan
from generator.projection.spans import Marked, SpanMatch
from generator.segment import Segment


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
    aligner: SpanAligner | None = None,
) -> QAResult:
    """Build the translated example from segment translations, projecting every answer.

    `translations` holds at least `plan.texts()`. A shared copy whose pairs did not survive (count
    or order) is replaced by the plain sentence and each answer's own marked copy, asked for in
    `retry`. With `answer_translations=None`, answers the markers could not place are reported in
    `pending` (translate them and call again) instead of being lost. `aligner` places answers by
    encoder word alignment (`encoder-align`) when markers fail. An answer that projects
    nowhere is dropped; the example is lost when none of its answers survive.
    """
    reads = _MarkedReads(translations, config.markers)
    sentences, untranslated = _translated_sentences(plan, translations, reads)
    retry = untranslated + _single_copies_needed(plan, translations, reads)
    if retry:
        return QAResult(None, retry=list(dict.fromkeys(retry)))
    placement = _place_answers(plan, sentences, translations, reads, config, answer_translations, aligner)
    if placement.pending:
        return QAResult(None, pending=placement.pending)
    if plan.answers and not placement.matches:
        return QAResult(None, reason=LOST_SPAN)
    context, starts = _join_context(plan.example.context, plan.segments, sentences, placement.overrides)
    answers, weakest = _answers_in_context(plan, placement.matches, context, starts)
    if plan.answers and not answers:
        return QAResult(None, reason=LOST_SPAN)
    return QAResult(_translated_example(plan.example, context, answers, weakest, translations, lang, method))


class _MarkedReads:
    """The translations of marked copies read back, each once however many answers share it."""

    def __init__(self, translations: Mapping[str, str], markers: tuple[str, str]) -> None:
        self._translations = translations
        self._markers = markers
        self._reads: dict[str, Marked | None] = {}

    def __call__(self, group: MarkGroup) -> Marked | None:
        if group.marked not in self._reads:
            self._reads[group.marked] = group.read(self._translations[group.marked], self._markers)
        return self._reads[group.marked]


def _translated_sentences(
    plan: QAPlan, translations: Mapping[str, str], reads: _MarkedReads
) -> tuple[list[str], list[str]]:
    """Each context sentence's translation ("" when there is none yet) and the sentences still to translate.

    A sentence whose shared marked copy survived is that copy's translation with the markers removed.
    """
    sentences: list[str] = []
    untranslated: list[str] = []
    for i, seg in enumerate(plan.segments):
        group = plan.primary.get(i)
        read = reads(group) if group is not None else None
        if read is not None:
            sentences.append(read.text)
        elif seg.text in translations:
            sentences.append(translations[seg.text])
        else:
            untranslated.append(seg.text)
            sentences.append("")
    return sentences, untranslated


def _single_copies_needed(plan: QAPlan, translations: Mapping[str, str], reads: _MarkedReads) -> list[str]:
    """The not yet translated one-answer copies of answers whose shared copy lost its markers."""
    return [
        ap.single
        for ap in plan.answers
        if ap.group is not None
        and ap.single is not None
        and ap.single not in translations
        and reads(ap.group) is None
    ]


@dataclass(slots=True)
class _Placement:
    """Where the answers went: matches by answer index, replaced sentence ranges, answers awaiting translation."""

    matches: dict[int, SpanMatch] = field(default_factory=dict)
    overrides: dict[int, tuple[int, str]] = field(default_factory=dict)  # first sentence -> (last, text)
    pending: list[str] = field(default_factory=list)


def _place_answers(
    plan: QAPlan,
    sentences: Sequence[str],
    translations: Mapping[str, str],
    reads: _MarkedReads,
    config: ProjectionConfig,
    answer_translations: Mapping[str, str] | None,
    aligner: SpanAligner | None = None,
) -> _Placement:
    """Project every located answer into the translation of its sentence range.

    Answers placed straight in a shared sentence go first, so a later replacement cannot move them;
    a range once holding an answer is locked against replacement.
    """
    placement = _Placement()
    locked: set[int] = set()
    order = sorted(range(len(plan.answers)), key=lambda k: not plan.answers[k].primary)
    plains = {
        k: _join_range(plan.example.context, plan.segments, sentences, ap.first, ap.last)
        for k, ap in enumerate(plan.answers)
        if ap.first >= 0
    }
    if aligner is not None:  # the answers whose markers were lost, aligned in one batch
        groups = {k: plan.answers[k].group for k in plains}
        lost = [k for k, group in groups.items() if group is None or reads(group) is None]
        aligner.prepare([(plan.answers[k].source, plains[k]) for k in lost])
    for k in order:
        ap = plan.answers[k]
        if ap.first < 0:
            continue
        plain = plains[k]
        rng = range(ap.first, ap.last + 1)
        answer_mt = None if answer_translations is None else answer_translations.get(ap.answer.text)
        match = _match_answer(
            ap,
            plain,
            translations,
            reads,
            config,
            answer_mt,
            allow_replace=not any(i in locked for i in rng),
            aligner=aligner,
        )
        if match is None:
            if answer_translations is None:
                placement.pending.append(ap.answer.text)
            continue
        if match.replaces:
            placement.overrides[ap.first] = (ap.last, match.sentence)
        locked.update(rng)
        placement.matches[k] = match
    return placement


def _match_answer(
    ap: AnswerPlan,
    plain: str,
    translations: Mapping[str, str],
    reads: _MarkedReads,
    config: ProjectionConfig,
    answer_translation: str | None,
    *,
    allow_replace: bool,
    aligner: SpanAligner | None = None,
) -> SpanMatch | None:
    """The answer's span in `plain`: read off its shared copy when that copy is the sentence, else `project_span`."""
    group_read = reads(ap.group) if ap.group is not None else None
    if ap.primary and group_read is not None:
        start, end = group_read.spans[ap.pair]
        return SpanMatch(plain, start, end, MARKER, 1.0)
    marked: str | tuple[Marked, int] | None = None
    if group_read is not None:
        marked = (group_read, ap.pair)
    elif ap.single is not None:
        marked = translations[ap.single]
    return project_span(
        ap.source,
        ap.start,
        ap.end,
        plain=plain,
        marked=marked,
        answer_translation=answer_translation,
        config=config,
        allow_replace=allow_replace,
        aligner=aligner,
    )


def _answers_in_context(
    plan: QAPlan, matches: Mapping[int, SpanMatch], context: str, starts: Mapping[int, int]
) -> tuple[list[Answer], SpanMatch | None]:
    """The matched answers that sit where expected in the rebuilt context, in order, and the least sure match kept."""
    answers: list[Answer] = []
    weakest: SpanMatch | None = None
    for k in sorted(matches):
        match = matches[k]
        at = starts[plan.answers[k].first] + match.start
        text = match.text
        if context[at : at + len(text)] != text:
            continue
        answers.append(Answer(text, at))
        if weakest is None or match.confidence < weakest.confidence:
            weakest = match
    return answers, weakest


def _translated_example(
    ex: Example,
    context: str,
    answers: list[Answer],
    weakest: SpanMatch | None,
    translations: Mapping[str, str],
    lang: str,
    method: str,
) -> Example:
    """The QA example in `lang`: rebuilt context, translated question, answers, the weakest projection."""
    question = translate_text(ex.question, translations)
    out = derived_example(ex, lang, method)
    out.context = context
    out.question = question
    out.answers = answers
    out.projection = weakest.method if weakest else ""
    out.confidence = weakest.confidence if weakest else 1.0
    if weakest is not None and weakest.why:  # auto: which method won and why
        out.meta = {**out.meta, "projection_why": weakest.why}
    return out


def _join_range(original: str, segs: list[Segment], sentences: Sequence[str], first: int, last: int) -> str:
    """The translation of sentences first..last, with the original's whitespace between them."""
    parts = [sentences[first]]
    for i in range(first + 1, last + 1):
        parts += [original[segs[i - 1].end : segs[i].start], sentences[i]]
    return "".join(parts)


def _join_context(
    original: str, segs: list[Segment], sentences: Sequence[str], overrides: Mapping[int, tuple[int, str]]
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
