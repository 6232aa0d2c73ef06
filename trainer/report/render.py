"""The report rendered: `report.md` text, and `report.json`, `report.md` and the charts written to a folder."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from trainer.benchmark import XTREME_R_CATEGORIES, XTREME_R_LANGUAGES
from trainer.report.aggregate import TIER_ORDER, Delta, Report
from trainer.report.charts import summary_chart, task_chart
from trainer.report.intervals import UNSEEN, verdicts


def _delta_text(delta: Delta | None) -> str:
    if delta is None:
        return "–"
    return f"{delta.value:+.1f}" if delta.se is None else f"{delta.value:+.1f} (±{delta.se:.1f})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _xtreme_section(report: Report) -> list[str]:
    """Category and overall scores as XTREME-R reports them, and what the run covered of it."""
    cover = report.coverage
    if cover is None or not cover.tasks or not report.overall:
        return []
    conds = report.conditions
    out = ["## XTREME-R scores (mean ± std over seeds)", ""]
    names = list(XTREME_R_CATEGORIES)
    rows = [
        [c, report.overall[c].text()]
        + [report.categories[c][n].text() if n in report.categories.get(c, {}) else "–" for n in names]
        for c in conds
    ]
    out += _table(["condition", "overall", *(n.replace("_", " ") for n in names)], rows)
    scope = f"{len(cover.tasks)} of {len(XTREME_R_LANGUAGES)} XTREME-R tasks"
    if cover.complete:
        out += [f"All {len(XTREME_R_LANGUAGES)} tasks on all their languages: the overall is XTREME-R's.", ""]
    else:
        missing = ", ".join(cover.missing_tasks) or "none"
        out += [f"Over the {scope} run (missing: {missing}); a category needs all its tasks.", ""]
        partial = [f"{t} ({len(langs)})" for t, langs in cover.missing_languages.items() if langs]
        if partial:
            out += ["Benchmark languages not scored, per task: " + ", ".join(partial) + ".", ""]
    selection = report.meta.get("model_selection")
    if selection:
        out += [f"Model selection: {selection}", ""]
    return out


def _intervals_section(report: Report) -> list[str]:
    """Each comparison's bootstrap intervals: the tier and unseen groups, then every task-language pair."""
    compared = [c for c in report.comparisons if c.group_intervals or c.intervals]
    if not compared:
        return []
    out = ["## Deltas with 95 % bootstrap intervals (seeds, then examples)", ""]
    rows = []
    for c in compared:
        name = f"{c.condition} vs {c.reference}"
        groups = [g for g in (*TIER_ORDER[:-1], UNSEEN) if g in c.group_intervals]
        rows += [
            [name, f"{g} (all cells)", c.group_intervals[g].text(), c.group_intervals[g].verdict]
            for g in groups
        ]
        rows += [
            [name, f"{task}/{lang}", interval.text(), interval.verdict]
            for task, by_lang in c.intervals.items()
            for lang, interval in by_lang.items()
        ]
    return out + _table(["comparison", "group or cell", "Δ [95 %]", "reading"], rows)


def render_markdown(report: Report) -> str:
    """The human-readable report."""
    conds = report.conditions
    vs_base = [c for c in report.comparisons if c.reference == report.baseline]
    out = ["# xstilts experiment report", ""]
    out += ["## Answers", "", *(f"- {a}" for a in report.answers), ""]
    out += _xtreme_section(report)
    if report.overall:
        tiers = [t for t in TIER_ORDER[:-1] if any(t in report.tier_averages[c] for c in conds)]
        out += ["## Averages (primary metrics, mean ± std over seeds)", ""]
        rows = [
            [c, str(report.seeds[c]), report.overall[c].text()]
            + [report.tier_averages[c][t].text() if t in report.tier_averages[c] else "–" for t in tiers]
            for c in conds
        ]
        out += _table(["condition", "seeds", "overall", *tiers], rows)
        if report.comparisons:
            out += ["## Deltas (± standard error over seeds)", ""]
            rows = [
                [f"{c.condition} vs {c.reference}", _delta_text(c.overall)]
                + [_delta_text(c.tiers.get(t)) for t in tiers]
                + [f"{sum(map(len, c.gained.values()))} of {sum(map(len, c.languages.values()))}"]
                for c in report.comparisons
            ]
            out += _table(["comparison", "overall", *tiers, "cells gained"], rows)
        out += _intervals_section(report)
        out += ["## Task averages", ""]
        rows = [
            [task, report.primary[task], *(report.task_averages[c][task].text() for c in conds)]
            + [_delta_text(c.tasks[task]) for c in vs_base]
            for task in report.languages
        ]
        out += _table(["task", "metric", *conds, *(f"Δ {c.condition}" for c in vs_base)], rows)
    for task in report.primary:
        metric = report.primary[task]
        out += [f"## {task} ({metric})", ""]
        langs = sorted(
            {lang for c in conds for lang in report.cells[c][task]},
            key=lambda lang: (TIER_ORDER.index(report.tiers[lang]), lang),
        )
        rows = []
        for lang in langs:
            row = [lang, report.tiers[lang]]
            row += [
                report.cells[c][task][lang][metric].text()
                if metric in report.cells[c][task].get(lang, {})
                else "–"
                for c in conds
            ]
            row += [
                f"{c.languages[task][lang]:+.1f}" if lang in c.languages.get(task, {}) else "–"
                for c in vs_base
            ]
            rows.append(row)
        if task in report.languages:
            rows.append(
                ["**average**", ""]
                + [report.task_averages[c][task].text() for c in conds]
                + [_delta_text(c.tasks[task]) for c in vs_base]
            )
        out += _table(["lang", "tier", *conds, *(f"Δ {c.condition}" for c in vs_base)], rows)
        for c in vs_base:
            if task in c.intervals:
                by_verdict = verdicts(c.intervals[task])
                out += [
                    f"With {c.condition}, by the 95 % interval: gained {', '.join(by_verdict['gained']) or 'none'}; "
                    f"hurt {', '.join(by_verdict['hurt']) or 'none'}; "
                    f"no detectable change in {len(by_verdict['no detectable change'])}.",
                    "",
                ]
            elif task in c.gained:
                gained = ", ".join(c.gained[task]) or "none"
                out += [f"Point estimate above the reference with {c.condition} (no interval): {gained}.", ""]
    out += data_section(report.meta.get("data") or {})
    if report.notes:
        out += ["## Notes", "", *(f"- {n}" for n in report.notes), ""]
    config = {key: value for key, value in report.meta.items() if key != "data"}
    out += [
        "## Configuration",
        "",
        "```json",
        json.dumps(config, indent=2, sort_keys=True, default=str),
        "```",
    ]
    out += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in report.versions.items()), ""]
    return "\n".join(out)


def _examples(read: Mapping[str, Any]) -> str:
    count = str(read.get("examples", "–"))
    other = read.get("other_languages", 0)
    return f"{count} ({other} of other languages left out)" if other else count


def data_section(data: Mapping[str, Any]) -> list[str]:
    """Per task: the split it headlines and every file or split read, and the realigned QA answers."""
    if not data:
        return []
    out = ["## Data", ""]
    for task, roles in data.items():
        splits = sorted({read["split"] for read in roles.get("eval", {}).values()})
        if splits:
            out.append(f"- {task} headlines the {' / '.join(splits)} split")
    out.append("")
    rows = [
        [
            task,
            role,
            lang,
            read["split"],
            read["layout"],
            f"`{read['source']}`",
            str(read.get("examples", "–")),
        ]
        for task, roles in data.items()
        for role in ("intermediate", "train", "eval")
        for lang, read in roles.get(role, {}).items()
    ]
    out += _table(["task", "role", "lang", "split", "layout", "file or split", "examples"], rows)
    realigned = [
        [
            task,
            role,
            lang,
            *(str(read["realigned"][k]) for k in ("answers", "moved", "dropped", "questions_dropped")),
        ]
        for task, roles in data.items()
        for role, langs in roles.items()
        for lang, read in langs.items()
        if read.get("realigned")
    ]
    if realigned:
        out += ["Answer offsets realigned after google/xtreme stripped the texts (within 20 characters):", ""]
        out += _table(["task", "role", "lang", "answers", "moved", "dropped", "questions dropped"], realigned)
    return out


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write `report.json`, `report.md` and `charts/*.png` under `out_dir`; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "report.json"
    json_path.write_text(
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False, default=str) + "\n",
        encoding="utf-8",
    )
    md_path = out_dir / "report.md"
    md_path.write_text(render_markdown(report), encoding="utf-8")
    written = [json_path, md_path]
    if any(c.reference == report.baseline for c in report.comparisons):
        charts = out_dir / "charts"
        charts.mkdir(exist_ok=True)
        for task in report.languages:
            path = charts / f"delta-{task}.png"
            task_chart(report, task, path)
            written.append(path)
        summary = charts / "summary.png"
        summary_chart(report, summary)
        written.append(summary)
    return written
