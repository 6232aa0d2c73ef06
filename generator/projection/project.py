"""One span projected into a translation: markers, then fuzzy, encoder and anchor alignment (`cascade`) or
every method's candidate weighed by calibrated confidence (`auto`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from generator.projection.auto import Candidate, choose
from generator.projection.config import ALIGN, AUTO, ENCODER_ALIGN, FUZZY, MARKER, ProjectionConfig
from generator.projection.spans import (
    Marked,
    SpanMatch,
    align_span,
    fuzzy_find,
    nearest_occurrence,
    read_marked,
)


class SpanAligner(Protocol):
    """Places a source span in a translation by word alignment (the encoder's)."""

    def prepare(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Align these (source, target) pairs in batches ahead of `place`."""

    def place(self, source: str, start: int, end: int, target: str) -> tuple[int, int, float] | None:
        """(start, end, confidence) of source[start:end] in `target`, or None."""


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
    aligner: SpanAligner | None = None,
) -> SpanMatch | None:
    """Project `source[start:end]` into a translation of `source`.

    `plain` is the translation of `source`; `marked` the translation of `source` with the span
    marked, or a marked translation already read with the span's pair index (None when it was not
    asked for); `answer_translation` the span translated on its own
    (None when not yet translated: a None result may then improve once it is given). With markers
    intact, the marked text is looked up in `plain`; if absent there and `allow_replace`, the marked
    translation (markers removed) becomes the sentence, flagged `replaces`. Without intact markers,
    `config.method` decides: `cascade` keeps the first of fuzzy, encoder alignment (with an
    `aligner`) and anchor alignment that clears its threshold; `auto` keeps the candidate with the
    highest calibrated confidence once the answer's own translation is known.
    """
    needles: list[str] = []
    read, pair = (
        (read_marked(marked, config.markers, 1), 0) if isinstance(marked, str) else (marked or (None, 0))
    )
    if read is not None:
        m_start, m_end = read.spans[pair]
        inner = read.text[m_start:m_end]
        at = nearest_occurrence(plain, inner, m_start / max(1, len(read.text)))
        if at >= 0:
            return SpanMatch(plain, at, at + len(inner), MARKER, 1.0)
        if allow_replace:
            return SpanMatch(read.text, m_start, m_end, MARKER, 1.0, replaces=True)
        needles.append(inner)
    if answer_translation:
        needles.append(answer_translation)
    needles.append(source[start:end])  # names and numbers often come through untranslated
    fuzzy = _best_fuzzy(needles, plain, start / max(1, len(source)))
    if config.method == AUTO:
        return (
            None if answer_translation is None else _auto(source, start, end, plain, fuzzy, config, aligner)
        )
    if fuzzy is not None and fuzzy[2] >= config.fuzzy_threshold:
        return SpanMatch(plain, fuzzy[0], fuzzy[1], FUZZY, round(fuzzy[2], 4))
    placed = aligner.place(source, start, end, plain) if aligner is not None else None
    if placed is not None and placed[2] >= config.encoder_threshold:
        return SpanMatch(plain, placed[0], placed[1], ENCODER_ALIGN, placed[2])
    if answer_translation is None:
        return None
    aligned = align_span(source, start, end, plain)
    if aligned is not None and aligned[2] >= config.align_threshold:
        return SpanMatch(plain, aligned[0], aligned[1], ALIGN, aligned[2])
    return None


def _best_fuzzy(needles: Sequence[str], plain: str, relative: float) -> tuple[int, int, float] | None:
    best: tuple[int, int, float] | None = None
    for needle in needles:
        found = fuzzy_find(needle, plain, expected_at=relative)
        if found is not None and (best is None or found[2] > best[2]):
            best = found
    return best


def _auto(
    source: str,
    start: int,
    end: int,
    plain: str,
    fuzzy: tuple[int, int, float] | None,
    config: ProjectionConfig,
    aligner: SpanAligner | None,
) -> SpanMatch | None:
    found = [Candidate(fuzzy[0], fuzzy[1], FUZZY, fuzzy[2])] if fuzzy is not None else []
    placed = aligner.place(source, start, end, plain) if aligner is not None else None
    if placed is not None:
        found.append(Candidate(placed[0], placed[1], ENCODER_ALIGN, placed[2]))
    aligned = align_span(source, start, end, plain)
    if aligned is not None:
        found.append(Candidate(aligned[0], aligned[1], ALIGN, aligned[2]))
    choice = choose(found)
    if choice is None or choice.confidence < config.auto_threshold:
        return None
    return SpanMatch(plain, choice.start, choice.end, choice.method, choice.confidence, why=choice.why)
