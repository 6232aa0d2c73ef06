"""Fitted calibration of projection confidences (`calibration.py`).

Written by `python bench/bench_projection_xquad.py --write-table` from XQuAD human gold, de+el+ru pooled (all questions each):
(raw score, calibrated chance of an exact match) points per method.
"""

from __future__ import annotations

from generator.projection.calibration import Points

CALIBRATION: dict[str, Points] = {
    "align": (
        (0.0089, 0.1044),
        (0.0196, 0.1506),
        (0.0352, 0.1985),
        (0.0593, 0.2075),
        (0.0843, 0.2295),
        (0.1359, 0.2671),
        (0.2597, 0.2737),
        (0.3729, 0.5505),
    ),
    "encoder-align": (
        (0.2642, 0.2873),
        (0.4825, 0.5045),
        (0.5897, 0.5449),
        (0.6996, 0.7075),
        (0.8052, 0.7356),
        (0.9916, 0.8825),
    ),
    "fuzzy": (
        (0.0075, 0.1181),
        (0.1831, 0.2179),
        (0.2955, 0.3039),
        (0.4152, 0.4475),
        (0.5409, 0.5495),
        (0.7369, 0.6778),
        (0.9972, 0.914),
    ),
    "agreed": (
        (0.4624, 0.7411),
        (0.6599, 0.8477),
        (0.8946, 0.9196),
    ),
}
