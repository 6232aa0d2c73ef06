"""Sentence alignment of a paragraph and its translation, and the window of sentences around an answer.

A monotone dynamic programme over sentence beads (1-1, 1-2, 2-1, 2-2, 1-0, 0-1) scores each bead by
how closely its share of the paragraph's characters matches on both sides (Gale & Church's idea,
with lengths relative to each paragraph so no language's expansion ratio is assumed), plus, when
given, the cosine of the beads' sentence embeddings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generator.segment import Segment, split_sentences

_BEADS = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 0), (0, 1))
_BEAD_COST = {(1, 1): 0.0, (1, 2): 0.15, (2, 1): 0.15, (2, 2): 0.3, (1, 0): 0.6, (0, 1): 0.6}

Similarity = Callable[[str, str], float]


@dataclass(frozen=True, slots=True)
class Window:
    """Character ranges of the aligned source and target sentences that hold an answer."""

    source: tuple[int, int]
    target: tuple[int, int]


def align_sentences(
    source: Sequence[Segment], target: Sequence[Segment], similarity: Similarity | None = None
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Beads as ((first, last+1) source sentences, (first, last+1) target sentences), in order."""
    s_total = sum(len(s.text) for s in source) or 1
    t_total = sum(len(t.text) for t in target) or 1
    inf = float("inf")
    n, m = len(source), len(target)
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for di, dj in _BEADS:
                a, b = i + di, j + dj
                if a > n or b > m:
                    continue
                s_text = " ".join(s.text for s in source[i:a])
                t_text = " ".join(t.text for t in target[j:b])
                step = 4.0 * abs(len(s_text) / s_total - len(t_text) / t_total) + _BEAD_COST[(di, dj)]
                if similarity is not None and di and dj:
                    step -= similarity(s_text, t_text)
                if cost[i][j] + step < cost[a][b]:
                    cost[a][b] = cost[i][j] + step
                    back[a][b] = (i, j)
    beads = []
    a, b = n, m
    while (a, b) != (0, 0):
        prev = back[a][b]
        assert prev is not None
        beads.append(((prev[0], a), (prev[1], b)))
        a, b = prev
    return beads[::-1]


def answer_window(
    source: str,
    start: int,
    end: int,
    target: str,
    *,
    source_lang: str = "en",
    target_lang: str,
    similarity: Similarity | None = None,
) -> Window:
    """The source sentences covering [start, end) and the target sentences aligned to them."""
    s_sents = split_sentences(source, source_lang, protect=None)
    t_sents = split_sentences(target, target_lang, protect=None)
    if not s_sents or not t_sents:
        return Window((0, len(source)), (0, len(target)))
    beads = align_sentences(s_sents, t_sents, similarity)
    chosen = [
        bead
        for bead in beads
        if bead[0][1] > bead[0][0] and s_sents[bead[0][0]].start < end and s_sents[bead[0][1] - 1].end > start
    ]
    s_first, s_last = chosen[0][0][0], chosen[-1][0][1] - 1
    t_ids = [j for bead in chosen for j in range(*bead[1])]
    if not t_ids:  # the source sentence has no counterpart: take the target sentences of its neighbours
        t_ids = [j for bead in beads for j in range(*bead[1]) if abs(bead[0][0] - s_first) <= 1]
    return Window(
        (s_sents[s_first].start, s_sents[s_last].end), (t_sents[min(t_ids)].start, t_sents[max(t_ids)].end)
    )
