"""Projection measured against gold: each method places English answer spans in a human translation.

Every answer is looked for inside its sentence window (`windows.answer_window`), as the pipeline
projects within a translated sentence; answers whose gold lies outside the window, or past the
encoder's positions, are counted as lost to the window and to length. A method's guess below its
threshold is a loss too (the pipeline would drop the example): exact match and F1 are over all
answers, losses scoring 0, and over the answers kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from generator.projection.auto import Candidate, choose
from generator.projection.calibration import Points
from generator.projection.calibration_table import CALIBRATION
from generator.projection.config import ALIGN, ENCODER_ALIGN, FUZZY
from generator.projection.encoder_align import EncoderAligner, project_aligned
from generator.projection.spans import align_span, fuzzy_find
from generator.quality.answer_metrics import exact_match, token_f1
from generator.quality.parallel import ParallelSpan
from generator.quality.windows import answer_window


@dataclass(frozen=True, slots=True)
class WindowedSpan:
    """A parallel span cut down to its sentence window: the answer at [start, end) of `source`."""

    item: ParallelSpan
    source: str
    start: int
    end: int
    target: str
    offset: int  # where `target` starts in the whole translated paragraph
    gold_inside: bool


@dataclass(frozen=True, slots=True)
class Guess:
    """A method's placement of one answer in `WindowedSpan.target`: [start, end) with a confidence."""

    start: int
    end: int
    confidence: float
    method: str
    why: str = ""


@dataclass
class Score:
    """Counts and sums of one method on one language."""

    answers: int = 0
    kept: int = 0
    em: float = 0.0
    f1: float = 0.0
    lost_window: int = 0
    lost_length: int = 0
    rows: list[tuple[float, float, float]] = field(default_factory=list)  # (confidence, em, f1) of kept

    def as_row(self) -> dict[str, float | int]:
        kept = max(1, self.kept)
        return {
            "answers": self.answers,
            "kept_pct": round(100 * self.kept / max(1, self.answers), 1),
            "em": round(100 * self.em / max(1, self.answers), 1),
            "f1": round(100 * self.f1 / max(1, self.answers), 1),
            "f1_kept": round(100 * sum(r[2] for r in self.rows) / kept, 1),
            "lost_window": self.lost_window,
            "lost_length": self.lost_length,
        }


@lru_cache(maxsize=4096)
def _window(
    source: str, start: int, end: int, target: str, lang: str
) -> tuple[tuple[int, int], tuple[int, int]]:
    w = answer_window(source, start, end, target, target_lang=lang)
    return w.source, w.target


def windowed(items: Sequence[ParallelSpan]) -> list[WindowedSpan]:
    """Each parallel span cut to its aligned sentence window."""
    out = []
    for it in items:
        (s0, s1), (t0, t1) = _window(it.source, it.start, it.end, it.target, it.lang)
        inside = t0 <= it.gold_start and it.gold_start + len(it.gold) <= t1
        out.append(
            WindowedSpan(it, it.source[s0:s1], it.start - s0, it.end - s0, it.target[t0:t1], t0, inside)
        )
    return out


def candidates(spans: Sequence[WindowedSpan], aligner: EncoderAligner | None) -> list[list[Candidate]]:
    """Every method's unthresholded placement of each span: fuzzy (the English answer as needle, no MT of
    the answer exists for a human translation), anchor alignment, and encoder alignment when given."""
    alignments = aligner.align([(s.source, s.target) for s in spans]) if aligner is not None else None
    out = []
    for k, s in enumerate(spans):
        found: list[Candidate] = []
        fuzzy = fuzzy_find(s.source[s.start : s.end], s.target, expected_at=s.start / max(1, len(s.source)))
        if fuzzy is not None:
            found.append(Candidate(fuzzy[0], fuzzy[1], FUZZY, fuzzy[2]))
        anchor = align_span(s.source, s.start, s.end, s.target)
        if anchor is not None:
            found.append(Candidate(anchor[0], anchor[1], ALIGN, anchor[2]))
        if alignments is not None:
            placed = project_aligned(alignments[k], s.start, s.end)
            if placed is not None:
                found.append(Candidate(placed[0], placed[1], ENCODER_ALIGN, placed[2]))
        out.append(found)
    return out


def single(cands: Sequence[Sequence[Candidate]], method: str, threshold: float) -> list[Guess | None]:
    """One method's guesses, those under its threshold lost."""
    out: list[Guess | None] = []
    for found in cands:
        mine = [c for c in found if c.method == method and c.raw >= threshold]
        out.append(Guess(mine[0].start, mine[0].end, mine[0].raw, method) if mine else None)
    return out


def auto(
    cands: Sequence[Sequence[Candidate]], threshold: float, table: Mapping[str, Points] = CALIBRATION
) -> list[Guess | None]:
    """`auto`'s guesses: the calibrated best candidate of each span, lost under `threshold`."""
    out: list[Guess | None] = []
    for found in cands:
        choice = choose(found, table)
        keep = choice is not None and choice.confidence >= threshold
        out.append(
            Guess(choice.start, choice.end, choice.confidence, choice.method, choice.why)
            if keep and choice
            else None
        )
    return out


def score(
    spans: Sequence[WindowedSpan], guesses: Sequence[Guess | None], lost_length: Sequence[bool]
) -> Score:
    """Exact match and F1 of `guesses` against each span's gold (losses score 0)."""
    result = Score()
    for span, guess, too_long in zip(spans, guesses, lost_length, strict=True):
        result.answers += 1
        result.lost_window += not span.gold_inside
        result.lost_length += too_long
        if guess is None:
            continue
        text = span.target[guess.start : guess.end]
        em, f1 = (
            exact_match(text, span.item.gold, span.item.lang),
            token_f1(text, span.item.gold, span.item.lang),
        )
        result.kept += 1
        result.em += em
        result.f1 += f1
        result.rows.append((guess.confidence, em, f1))
    return result
