"""Bootstrap intervals of a report's comparisons from the per-example scores its run folders hold."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from trainer.example_scores import read_example_scores
from trainer.report.aggregate import Comparison, Report
from trainer.report.bootstrap import VERDICTS, Interval, paired_bootstrap

UNSEEN = "unseen"
GROUP_NOTE = (
    "Intervals: hierarchical paired bootstrap (seeds resampled, then examples; 10,000 draws), 95 %; a "
    "language counts as gained or hurt only when its interval excludes 0. Tiers are XLM-R's (CC-100 "
    "size); 'unseen' are languages XLM-R was not pretrained on, also counted in their tier."
)


def _cell(
    runs: Mapping[str, Mapping[int, Path]], comparison: Comparison, task: str, lang: str
) -> np.ndarray | None:
    """The (seeds, examples) differences of one task-language pair; None without per-example scores."""
    condition, reference = runs[comparison.condition], runs[comparison.reference]
    seeds = sorted(set(condition) & set(reference))
    if not seeds:
        return None
    loaded = []
    for seed in seeds:
        a = read_example_scores(condition[seed], task, lang)
        b = read_example_scores(reference[seed], task, lang)
        if a is None or b is None:
            return None
        loaded.append((a, b))
    keys = sorted(set.intersection(*(set(a) & set(b) for a, b in loaded)))
    if not keys:
        return None
    return np.array([[a[k] - b[k] for k in keys] for a, b in loaded])


def add_intervals(report: Report, runs: Mapping[str, Mapping[int, Path]]) -> None:
    """Fill each comparison's per-language and per-group intervals (run folders by condition and seed)."""
    from generator.languages import LANGUAGES

    for comparison in report.comparisons:
        groups: dict[str, list[np.ndarray]] = {}
        for task, langs in report.languages.items():
            for lang in langs:
                cell = _cell(runs, comparison, task, lang)
                if cell is None:
                    continue
                comparison.intervals.setdefault(task, {})[lang] = paired_bootstrap([cell])
                groups.setdefault(report.tiers[lang], []).append(cell)
                language = LANGUAGES.get(lang)
                if language is not None and not language.in_xlmr:
                    groups.setdefault(UNSEEN, []).append(cell)
        comparison.group_intervals = {
            group: paired_bootstrap(cells) for group, cells in groups.items() if group != "unknown"
        }
    if any(c.intervals for c in report.comparisons):
        report.notes.append(GROUP_NOTE)


def verdicts(intervals: Mapping[str, Interval]) -> dict[str, list[str]]:
    """The names of `intervals` by verdict: gained, hurt, no detectable change."""
    out: dict[str, list[str]] = {verdict: [] for verdict in VERDICTS}
    for name, interval in intervals.items():
        out[interval.verdict].append(name)
    return out


def interval_answers(report: Report) -> list[str]:
    """One sentence per comparison with intervals: the low-resource and unseen groups, and the cell counts."""
    from trainer.report.aggregate import CONDITION_LABELS

    out = []
    for c in report.comparisons:
        if not c.intervals:
            continue
        by = verdicts({f"{t}/{lang}": i for t, by_lang in c.intervals.items() for lang, i in by_lang.items()})
        groups = "; ".join(
            f"{name} {c.group_intervals[g].text()} ({c.group_intervals[g].verdict})"
            for g, name in (("low", "low-resource"), (UNSEEN, "unseen by XLM-R"))
            if g in c.group_intervals
        )
        subject = CONDITION_LABELS.get(c.condition, c.condition)
        against = CONDITION_LABELS.get(c.reference, c.reference)
        out.append(
            f"By 95 % bootstrap intervals, {subject} vs {against}: {groups or 'no low-resource cell'}; "
            f"{len(by['gained'])} task-language pairs gained, {len(by['hurt'])} hurt, "
            f"{len(by['no detectable change'])} with no detectable change."
        )
    return out
