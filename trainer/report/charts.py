"""The report's charts: per-task per-language deltas coloured by resource tier, and a summary of averages."""

from __future__ import annotations

from pathlib import Path

from trainer.report.aggregate import TIER_ORDER, Report

TIER_COLORS = {"high": "#4c72b0", "mid": "#dd8452", "low": "#c44e52", "unknown": "#8c8c8c"}


def task_chart(report: Report, task: str, path: Path) -> None:
    """Per-language delta bars of `task` against the baseline, one hatch per condition."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    comparisons = [c for c in report.comparisons if c.reference == report.baseline]
    langs = report.languages[task]
    hatches = ["", "//", "..", "xx", "\\\\"]
    width = 0.8 / len(comparisons)
    fig = Figure(figsize=(max(6.0, 0.45 * len(langs) * len(comparisons) + 2), 4.0))
    ax = fig.add_subplot()
    for k, comparison in enumerate(comparisons):
        ax.bar(
            [i + (k - (len(comparisons) - 1) / 2) * width for i in range(len(langs))],
            [comparison.languages[task][lang] for lang in langs],
            width=width,
            color=[TIER_COLORS[report.tiers[lang]] for lang in langs],
            hatch=hatches[k % len(hatches)],
            edgecolor="black",
            linewidth=0.5,
        )
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(langs)), langs, rotation=90 if len(langs) > 20 else 0)
    ax.set_ylabel(f"Δ {report.primary[task]} vs {report.baseline} (points)")
    ax.set_title(f"{task}: per-language change vs {report.baseline}")
    handles = [
        Patch(facecolor=TIER_COLORS[t], label=f"{t} resource")
        for t in TIER_ORDER
        if any(report.tiers[lang] == t for lang in langs)
    ]
    handles += [
        Patch(facecolor="white", edgecolor="black", hatch=hatches[k % len(hatches)], label=c.condition)
        for k, c in enumerate(comparisons)
    ]
    ax.legend(handles=handles, fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def summary_chart(report: Report, path: Path) -> None:
    """Delta bars against the baseline of each task average, the overall average and each tier."""
    from matplotlib.figure import Figure

    comparisons = [c for c in report.comparisons if c.reference == report.baseline]
    groups = [
        *report.languages,
        "overall",
        *(f"{t} tier" for t in TIER_ORDER[:-1] if t in comparisons[0].tiers),
    ]
    width = 0.8 / len(comparisons)
    fig = Figure(figsize=(max(6.0, 0.6 * len(groups) * len(comparisons) + 2), 4.0))
    ax = fig.add_subplot()
    for k, comparison in enumerate(comparisons):
        values = [comparison.tasks[t].value for t in report.languages] + [comparison.overall.value]
        values += [comparison.tiers[t].value for t in TIER_ORDER[:-1] if t in comparison.tiers]
        ax.bar(
            [i + (k - (len(comparisons) - 1) / 2) * width for i in range(len(groups))],
            values,
            width=width,
            label=comparison.condition,
        )
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(groups)), groups, rotation=45, ha="right")
    ax.set_ylabel(f"Δ primary metric vs {report.baseline} (points)")
    ax.set_title("Average change per task, overall and per resource tier")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
