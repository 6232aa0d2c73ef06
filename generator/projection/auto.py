"""`auto` projection: every method's span for one answer, the one most likely exactly right wins.

Candidates come from markers, encoder word alignment, anchor alignment and fuzzy matching, each
scored by its calibrated confidence (`calibration.py`); when another method placed exactly the same
span, the winner's confidence is recalibrated under the `agreed` key. The result records the
winner and why (its calibrated score, the runners-up, who agreed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.projection.calibration import Points, calibrate
from generator.projection.calibration_table import CALIBRATION

AGREED = "agreed"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One method's placement of a span: [start, end) in the shared target text, with its raw score."""

    start: int
    end: int
    method: str
    raw: float


@dataclass(frozen=True, slots=True)
class Choice:
    """The winning candidate, its calibrated confidence and a one-line reason."""

    start: int
    end: int
    method: str
    confidence: float
    why: str


def choose(candidates: Sequence[Candidate], table: Mapping[str, Points] = CALIBRATION) -> Choice | None:
    """The candidate with the highest calibrated confidence (None when there is none)."""
    if not candidates:
        return None
    scored = sorted(
        ((calibrate(table, c.method, c.raw), c) for c in candidates), key=lambda pair: pair[0], reverse=True
    )
    best_p, best = scored[0]
    agreeing = [c.method for _, c in scored[1:] if (c.start, c.end) == (best.start, best.end)]
    confidence = calibrate(table, AGREED, best_p) if agreeing else best_p
    others = ", ".join(f"{c.method} {p:.2f}" for p, c in scored[1:])
    why = f"{best.method} {best_p:.2f}" + (f" > {others}" if others else "")
    if agreeing:
        why += f"; agreed by {', '.join(agreeing)}"
    return Choice(best.start, best.end, best.method, confidence, why)
