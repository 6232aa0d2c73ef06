"""The hierarchical paired bootstrap against its definition: seeds resampled, then examples."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.report.bootstrap import paired_bootstrap


def test_a_constant_difference_has_a_point_interval_and_counts_as_gained() -> None:
    interval = paired_bootstrap([np.full((3, 50), 2.0)], draws=500)
    assert (interval.delta, interval.low, interval.high) == pytest.approx((2.0, 2.0, 2.0))
    assert interval.verdict == "gained" and (interval.seeds, interval.examples) == (3, 50)
    assert paired_bootstrap([np.full((3, 50), -1.0)], draws=200).verdict == "hurt"


def test_noise_around_zero_is_no_detectable_change() -> None:
    diff = np.random.default_rng(3).choice([-100.0, 0.0, 100.0], size=(3, 100))
    diff -= diff.mean()
    interval = paired_bootstrap([diff])
    assert interval.low < 0 < interval.high and interval.verdict == "no detectable change"


def test_the_percentiles_match_a_loop_over_the_definition() -> None:
    rng = np.random.default_rng(7)
    cells = [rng.normal(1.0, 20.0, size=(3, 80)), rng.normal(-0.5, 20.0, size=(3, 40))]
    fast = paired_bootstrap(cells, draws=4000, seed=1)
    loop = np.random.default_rng(2)
    draws = []
    for _ in range(4000):
        seeds = loop.integers(0, 3, size=3)  # the same seeds for every cell of a draw
        per_cell = [c[seeds][:, loop.integers(0, c.shape[1], size=c.shape[1])].mean() for c in cells]
        draws.append(np.mean(per_cell))
    low, high = np.percentile(draws, [2.5, 97.5])
    width = high - low
    assert fast.low == pytest.approx(low, abs=0.08 * width)
    assert fast.high == pytest.approx(high, abs=0.08 * width)
    assert fast.delta == pytest.approx(np.mean([c.mean() for c in cells]))


def test_cells_over_different_seeds_are_refused() -> None:
    with pytest.raises(ValueError, match="same seeds"):
        paired_bootstrap([np.zeros((3, 5)), np.zeros((2, 5))])
    with pytest.raises(ValueError, match="no cells"):
        paired_bootstrap([])
