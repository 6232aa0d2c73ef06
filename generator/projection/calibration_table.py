"""Fitted calibration of projection confidences (`calibration.py`).

Fitted by `python bench/bench_projection_xquad.py` (printed as "calibration fitted on es silver") on
the 1,182 XQuAD questions Apertium translated into Spanish, the marker-projected answers serving
as gold (silver): (raw score, calibrated chance of an exact match) points per method.
"""

from __future__ import annotations

from generator.projection.calibration import Points

CALIBRATION: dict[str, Points] = {
    "align": (
        (0.013, 0.3),
        (0.0253, 0.4),
        (0.0392, 0.4083),
        (0.0674, 0.4567),
        (0.1069, 0.4667),
        (0.1373, 0.5333),
        (0.1994, 0.55),
        (0.3134, 0.7),
        (0.4029, 0.7619),
    ),
    "encoder-align": (
        (0.445, 0.4333),
        (0.6911, 0.75),
        (0.9134, 0.7667),
        (1.0, 1.0),
    ),
    "fuzzy": (
        (0.127, 0.2542),
        (0.3339, 0.2667),
        (0.4484, 0.35),
        (0.5623, 0.4667),
        (0.6455, 0.55),
        (0.7469, 0.6833),
        (0.9338, 0.95),
        (1.0, 1.0),
    ),
    "agreed": (
        (0.6792, 0.8023),
        (0.8219, 0.907),
        (1.0, 1.0),
    ),
}
