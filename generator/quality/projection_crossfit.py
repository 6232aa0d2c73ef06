"""`auto`'s calibration judged on languages it was not fitted on, and the shipped table it is written as.

Leave one language out: each human language is scored with a calibration fitted on the other human
languages only, so its ECE is held out. The shipped table pools every human language measured.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.projection.calibration import Points
from generator.projection.config import AUTO, ProjectionConfig
from generator.quality.projection_report import LanguageResult, Measured, fit_calibration, score_language


def fit_pooled(measured: Sequence[Measured]) -> dict[str, Points]:
    """One calibration fitted on the candidates of all `measured` languages together."""
    return fit_calibration([s for m in measured for s in m.spans], [c for m in measured for c in m.cands])


def held_out(measured: Sequence[Measured], config: ProjectionConfig) -> list[LanguageResult]:
    """Each human language scored with a calibration fitted on the other human languages only."""
    humans = [m for m in measured if not m.silver]
    if len(humans) < 2:
        raise ValueError(
            "cross-fitting needs at least two human languages (e.g. --langs de,el,ru): "
            "a held-out language must leave another to fit on"
        )
    return [score_language(m, config, fit_pooled([o for o in humans if o is not m])) for m in humans]


def compare(
    before: Sequence[LanguageResult], after: Sequence[LanguageResult], before_name: str, after_name: str
) -> str:
    """Markdown: auto's F1 and ECE per language side by side, then the reliability bins of each."""
    lines = [
        f"| lang | best single F1 | auto F1, {before_name} | auto F1, {after_name} | ECE, {before_name} | ECE, {after_name} |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    pairs = list(zip(before, after, strict=True))
    for b, a in pairs:
        if b.lang != a.lang:
            raise ValueError(f"comparing {b.lang} with {a.lang}: pass the same languages in the same order")
        best = max(b.scores[m].as_row()["f1"] for m in b.scores if m != AUTO)
        lines.append(
            f"| {b.lang} | {best} | {b.scores[AUTO].as_row()['f1']} | {a.scores[AUTO].as_row()['f1']} | "
            f"{b.ece:.3f} | {a.ece:.3f} |"
        )
    lines += ["", "reliability per confidence bin [k/10, (k+1)/10): mean confidence → EM rate (answers)", ""]
    for b, a in pairs:
        for name, r in ((before_name, b), (after_name, a)):
            bins = " · ".join(f"{c:.2f}→{e:.2f} ({n})" for c, e, n in r.deciles)
            lines.append(f"- {r.lang}, {name}: {bins}")
    return "\n".join(lines)


def table_module(table: dict[str, Points], fitted_on: str) -> str:
    """The text of `generator/projection/calibration_table.py` holding `table`."""
    body = "\n".join(
        f'    "{key}": (\n' + "".join(f"        ({x}, {y}),\n" for x, y in points) + "    ),"
        for key, points in table.items()
    )
    return (
        '"""Fitted calibration of projection confidences (`calibration.py`).\n\n'
        f"Written by `python bench/bench_projection_xquad.py --write-table` from {fitted_on}:\n"
        "(raw score, calibrated chance of an exact match) points per method.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "from generator.projection.calibration import Points\n\n"
        f"CALIBRATION: dict[str, Points] = {{\n{body}\n}}\n"
    )
