"""Hierarchical paired bootstrap of a score delta: resample seeds, then examples, within each draw.

A cell is one task-language pair: an array `diff[s, e]` of (condition - reference) per-example
scores, seeds paired by seed number and examples by id. One draw resamples the seeds with
replacement (the same seeds for every cell of the draw) and, independently per cell, the examples;
the draw's delta is the mean over cells of the mean over the drawn seeds of the mean over the drawn
examples. The 2.5th and 97.5th percentiles of the draws give the 95 % interval; a delta counts as a
gain or a loss only when that interval excludes 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DRAWS = 10_000
VERDICTS = ("gained", "hurt", "no detectable change")
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Interval:
    """A delta (mean over seeds and examples) with its 95 % bootstrap interval."""

    delta: float
    low: float
    high: float
    seeds: int
    examples: int
    verdict: str  # gained, hurt, or no detectable change (the interval holds 0)

    def text(self) -> str:
        return f"{self.delta:+.1f} [{self.low:+.1f}, {self.high:+.1f}]"


def paired_bootstrap(cells: Sequence[np.ndarray], *, draws: int = DRAWS, seed: int = 0) -> Interval:
    """The interval of the mean delta over `cells`, each a (seeds, examples) array of paired differences."""
    if not cells:
        raise ValueError("no cells to bootstrap; pass at least one (seeds, examples) array")
    n_seeds = cells[0].shape[0]
    if any(c.ndim != 2 or c.shape[0] != n_seeds or c.shape[1] == 0 for c in cells):
        raise ValueError("every cell must be a non-empty (seeds, examples) array over the same seeds")
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    for start in range(0, draws, _CHUNK):
        size = min(_CHUNK, draws - start)
        seed_rows = rng.integers(0, n_seeds, size=(size, n_seeds))
        total = np.zeros(size)
        for diff in cells:
            n_examples = diff.shape[1]
            picks = rng.integers(0, n_examples, size=(size, n_examples))
            # Per draw and seed: the mean over the drawn examples, from how often each example was drawn.
            flat = (picks + np.arange(size)[:, None] * n_examples).ravel()
            counts = np.bincount(flat, minlength=size * n_examples).reshape(size, n_examples).astype(float)
            per_seed = counts @ diff.T / n_examples
            total += np.take_along_axis(per_seed, seed_rows, axis=1).mean(axis=1)
        out[start : start + size] = total / len(cells)
    low, high = (float(v) for v in np.percentile(out, [2.5, 97.5]))
    delta = float(np.mean([c.mean() for c in cells]))
    verdict = VERDICTS[0] if low > 0 else VERDICTS[1] if high < 0 else VERDICTS[2]
    return Interval(delta, low, high, n_seeds, sum(c.shape[1] for c in cells), verdict)
