"""The research question in one call: baseline vs English intermediate vs English + synthetic, per seed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.config.experiment import Condition, Experiment
from trainer.config.sources import task_kind

if TYPE_CHECKING:
    from trainer.metrics import Scores


@dataclass(slots=True)
class GridResult:
    """Scores per condition (one entry per seed) and the report files written."""

    runs: dict[str, list[Scores]]
    report_files: list[Path]
    out_dir: Path


def run_grid(
    experiment: Experiment,
    *,
    seeds: list[int] | None = None,
    out_dir: Path | None = None,
    conditions: list[Condition] | None = None,
    resume: bool = False,
    quiet: bool = False,
    on_cell: Callable[[str, int, float], None] | None = None,
) -> GridResult:
    """Run every condition the config supports for every seed, then write the report and charts (from
    the main process; `report_files` is empty on the others). `on_cell(condition, seed, seconds)` is
    called after each finished cell."""
    from trainer.distributed import is_main_process
    from trainer.report.aggregate import build_report
    from trainer.report.intervals import add_intervals, interval_answers
    from trainer.report.render import write_report
    from trainer.selection import ORACLE_SUFFIX, statement
    from trainer.train import StiltsRecipe

    out = Path(out_dir) if out_dir is not None else experiment.output_dir
    experiment = experiment.model_copy(update={"output_dir": out})
    seeds = seeds or experiment.seeds
    runs: dict[str, list[Scores]] = {}
    data: dict[str, Any] = {}
    for condition in conditions or experiment.conditions():
        for seed in seeds:
            started = time.perf_counter()
            recipe = StiltsRecipe(
                experiment,
                condition=condition,
                seed=seed,
                out_dir=out / f"{condition}-seed{seed}",
                resume=resume,
                quiet=quiet,
            )
            runs.setdefault(condition, []).append(recipe.run())
            if on_cell is not None:
                on_cell(condition, seed, time.perf_counter() - started)
            for task, roles in recipe.data_log.summary().items():
                for role, langs in roles.items():
                    data.setdefault(task, {}).setdefault(role, {}).update(langs)
    meta = {
        "experiment": experiment.name,
        "model": experiment.model,
        "seeds": seeds,
        "conditions": list(runs),
        "intermediate": [t.key for t in experiment.intermediate.tasks] if experiment.intermediate else [],
        "targets": [t.name for t in experiment.targets],
        "model_selection": statement(experiment.targets),
        "data": data | _retrieval_data(experiment),
    }
    kinds = {t.name: task_kind(t.task) for t in experiment.targets}
    kinds |= {f"{name}{ORACLE_SUFFIX}": kind for name, kind in kinds.items()}
    report = build_report(runs, meta=meta, kinds=kinds)  # type: ignore[arg-type]
    add_intervals(report, {c: {s: out / f"{c}-seed{s}" for s in seeds} for c in runs})
    report.answers += interval_answers(report)
    files = write_report(report, out / "report") if is_main_process() else []
    return GridResult(runs, files, out)


def _retrieval_data(experiment: Experiment) -> dict[str, Any]:
    """What the retrieval evaluations read: Tatoeba's line-aligned test pairs, XQuAD-R's files,
    Mewsli-X's mentions of one split, and the English pairs of a retrieval fine-tuning."""
    out: dict[str, Any] = {}
    for r in experiment.retrieval:
        split = r.split if r.task == "mewslix" else "test"
        layout = "raw" if r.task == "tatoeba" else "xtreme-r"
        entry: dict[str, Any] = {
            "eval": {"all": {"source": str(r.data_dir), "split": split, "layout": layout}}
        }
        if r.finetune is not None:
            entry["train"] = {"en": {"source": str(r.finetune.train), "split": "train", "layout": "raw"}}
        out[r.task] = entry
    return out
