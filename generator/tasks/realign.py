"""Answer offsets put back onto stripped answers.

Hugging Face's `google/xtreme` loader `.strip()`s every context and answer text but keeps
`answer_start`, which still counts from the start of the unstripped context: on the real files 1,283
of 5,077 TyDiQA-GoldP dev answers, 48 of 3,696 English train answers and 100 of 1,190 XQuAD zh
answers no longer sit at their offset. Stripping moves an answer by at most the whitespace cut
from the context's start and the answer's ends, so the answer is put at the occurrence of its
stripped text closest to `answer_start` within ±`WINDOW` characters (ties to the earlier one); an
answer with no such occurrence is dropped and counted, never fatal for its language. A question
left without answers is dropped and counted too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.example import Answer

WINDOW = 20


def realigned_start(context: str, text: str, start: int, window: int = WINDOW) -> int | None:
    """The offset of `text` in `context` closest to `start` within ±`window` (ties: the earlier), or None."""
    if not text:
        return None
    if start >= 0 and context.startswith(text, start):
        return start
    best: int | None = None
    position = context.find(text, max(0, start - window))
    while position != -1 and position <= start + window:
        if best is None or abs(position - start) < abs(best - start):
            best = position
        position = context.find(text, position + 1)
    return best


@dataclass
class RealignCounts:
    """Per language: answers looked at, answers moved onto their text, answers and questions dropped."""

    answers: int = 0
    moved: int = 0
    dropped: int = 0
    questions_dropped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "answers": self.answers,
            "moved": self.moved,
            "dropped": self.dropped,
            "questions_dropped": self.questions_dropped,
        }


@dataclass
class Realigner:
    """Realigns the answers of one dataset's questions and counts what it did, per language."""

    window: int = WINDOW
    counts: dict[str, RealignCounts] = field(default_factory=dict)

    def answers(self, lang: str, context: str, answers: Iterable[tuple[str, int]]) -> list[Answer]:
        """The answers `(text, answer_start)` of one question, each at its realigned offset; unplaceable
        ones dropped. When none is left of those given, the question is dropped (and counted as such)."""
        counts = self.counts.setdefault(lang, RealignCounts())
        kept: list[Answer] = []
        given = 0
        for text, start in answers:
            given += 1
            counts.answers += 1
            found = realigned_start(context, text, start, self.window)
            if found is None:
                counts.dropped += 1
                continue
            counts.moved += found != start
            kept.append(Answer(text=text, start=found))
        if given and not kept:
            counts.questions_dropped += 1
        return kept

    def report(self) -> dict[str, dict[str, int]]:
        """The counts per language, for the run's report."""
        return {lang: counts.as_dict() for lang, counts in sorted(self.counts.items())}
