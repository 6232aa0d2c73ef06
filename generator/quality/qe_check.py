"""The falsifiable QE check: human translations must outrank corrupted ones (shuffled, truncated, copied)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

CORRUPTIONS = ("shuffled", "truncated", "copied")


@dataclass(frozen=True, slots=True)
class Pair:
    """A source paragraph and a candidate translation; `kind` is `human` or a corruption."""

    source: str
    translation: str
    kind: str


def corrupted_pairs(sources: Sequence[str], translations: Sequence[str]) -> list[Pair]:
    """Each human pair plus its three corruptions: paired with the next paragraph's translation, cut to
    its first half (at a space), and the source copied as the translation."""
    out = []
    n = len(sources)
    for k, (source, translation) in enumerate(zip(sources, translations, strict=True)):
        half = translation.rfind(" ", 0, len(translation) // 2)
        out += [
            Pair(source, translation, "human"),
            Pair(source, translations[(k + 1) % n], "shuffled"),
            Pair(source, translation[: half if half > 0 else len(translation) // 2], "truncated"),
            Pair(source, source, "copied"),
        ]
    return out


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > q) + 0.5 * (p == q) for p in positives for q in negatives)
    return wins / (len(positives) * len(negatives))


def qe_auc(pairs: Sequence[Pair], scorer: Callable[[list[str], list[str]], list[float]]) -> dict[str, float]:
    """AUC of human against each corruption and against all of them, under `scorer`."""
    scores = scorer([p.source for p in pairs], [p.translation for p in pairs])
    human = [s for s, p in zip(scores, pairs, strict=True) if p.kind == "human"]
    out = {}
    for kind in CORRUPTIONS:
        out[kind] = round(auc(human, [s for s, p in zip(scores, pairs, strict=True) if p.kind == kind]), 4)
    out["all"] = round(auc(human, [s for s, p in zip(scores, pairs, strict=True) if p.kind != "human"]), 4)
    return out
