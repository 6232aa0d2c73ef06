"""Calibrated projection confidence: each method's raw score mapped to the chance its span is exactly right.

A calibration is a monotone step map per key (a method name, or `agreed` for a span two methods
placed identically), fitted by pool-adjacent-violators on (raw score, exact match) pairs and
applied by linear interpolation between the fitted points.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence

Points = tuple[tuple[float, float], ...]


def fit_isotonic(rows: Sequence[tuple[float, float]], bins: int = 20) -> Points:
    """(raw, probability) points of the increasing fit to (raw score, outcome 0/1) rows, at most `bins`.

    Rows of equal raw score always share a block: sorting them by outcome and cutting between would
    invent a rise the score cannot tell apart (a tie at 1.0 split into a block of hits reads 1.0).
    """
    if not rows:
        return ()
    size = max(1, -(-len(rows) // bins))
    blocks: list[list[float]] = []  # [sum of raw, sum of outcome, count]
    last = None
    for raw, outcome in sorted(rows):
        if blocks and (raw == last or blocks[-1][2] < size):
            blocks[-1] = [blocks[-1][0] + raw, blocks[-1][1] + outcome, blocks[-1][2] + 1]
        else:
            blocks.append([raw, outcome, 1.0])
        last = raw
    merged: list[list[float]] = []
    for block in blocks:
        merged.append(block)
        while len(merged) > 1 and merged[-2][1] / merged[-2][2] >= merged[-1][1] / merged[-1][2]:
            top = merged.pop()
            merged[-1] = [a + b for a, b in zip(merged[-1], top, strict=True)]
    return tuple((round(r / n, 4), round(y / n, 4)) for r, y, n in merged)


def apply(points: Points, raw: float) -> float:
    """The calibrated probability of `raw` on `points` (flat beyond the ends)."""
    if not points:
        return raw
    xs = [x for x, _ in points]
    k = bisect_left(xs, raw)
    if k == 0:
        return points[0][1]
    if k == len(points):
        return points[-1][1]
    (x0, y0), (x1, y1) = points[k - 1], points[k]
    return y0 if x1 == x0 else y0 + (raw - x0) * (y1 - y0) / (x1 - x0)


def expected_calibration_error(
    rows: Sequence[tuple[float, float]], bins: int = 10
) -> tuple[float, list[tuple[float, float, int]]]:
    """ECE of (confidence, exact match) rows over `bins` equal-width confidence bins, and (mean confidence,
    EM rate, n) per non-empty bin.

    Bin k holds confidences in [k/bins, (k+1)/bins), the last one 1.0 too; ECE is the mean over bins of
    |EM rate - mean confidence| weighted by each bin's share of the rows.
    """
    if not rows:
        return 0.0, []
    chunks: list[list[tuple[float, float]]] = [[] for _ in range(bins)]
    for conf, outcome in rows:
        chunks[min(bins - 1, max(0, int(conf * bins)))].append((conf, outcome))
    table = []
    ece = 0.0
    for chunk in chunks:
        if not chunk:
            continue
        conf = sum(c for c, _ in chunk) / len(chunk)
        rate = sum(y for _, y in chunk) / len(chunk)
        table.append((round(conf, 3), round(rate, 3), len(chunk)))
        ece += len(chunk) / len(rows) * abs(conf - rate)
    return round(ece, 4), table


def calibrate(table: Mapping[str, Points], key: str, raw: float) -> float:
    """`raw` of method `key` calibrated with `table`; a key the table lacks keeps its raw score."""
    return round(apply(table.get(key, ()), raw), 4)
