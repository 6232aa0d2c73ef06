"""Fitted calibration of projection confidences (`calibration.py`); empty until fitted."""

from __future__ import annotations

from generator.projection.calibration import Points

CALIBRATION: dict[str, Points] = {}
