"""Model selection of a target phase, as the XTREME-R paper does it, and the target-language oracle.

With an English `dev` file the target's model is scored at the end of every epoch (and at the last
step) on it; the best point's model (ties: the earlier) is the one evaluated and reported. With
`target_dev` files, every point also scores each such language's dev and test files; the oracle
score of a language is its test score at the point its own dev score is best, reported apart as
`<target>_oracle`. Without `dev` the last step's model is reported. The points, their scores and
the choice are kept in `<run>/target-<name>/selection.json`, so a resumed phase keeps them.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.example import Example
from trainer.config.experiment import Hyperparameters
from trainer.config.phases import TargetConfig
from trainer.metrics import primary_metric
from trainer.reading import read_task_data
from trainer.run_folder import SELECTION_FILE, oracle_from_points

ORACLE_SUFFIX = "_oracle"
BEST_DIR = "best-model"


def evaluation_points(total_steps: int, epochs: float) -> list[int]:
    """The optimiser steps that end an epoch, and the last step."""
    per_epoch = total_steps / epochs
    points = {min(total_steps, max(1, round(per_epoch * k))) for k in range(1, math.ceil(epochs) + 1)}
    return sorted(points | {total_steps})


@dataclass(slots=True)
class Selection:
    """The evaluation points of one target phase and what they scored."""

    target: TargetConfig
    hp: Hyperparameters
    tokenizer: Any
    labels: list[str]
    phase_dir: Path
    dev: list[Example] = field(default_factory=list)
    oracle: dict[str, tuple[list[Example], list[Example]]] = field(default_factory=dict)
    points: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def for_target(
        cls, target: TargetConfig, hp: Hyperparameters, tokenizer: Any, labels: list[str], phase_dir: Path
    ) -> Selection | None:
        """The selection of a target with a `dev` or `target_dev` entry, with earlier points reloaded."""
        if target.dev_source is None and target.target_dev is None:
            return None
        fmt, limit, layout = target.eval_format, hp.max_eval_examples, target.layout
        selection = cls(target, hp, tokenizer, labels, phase_dir)

        def read(source: Any, lang: str) -> list[Example]:
            return _labelled(read_task_data(fmt, source, limit, train=False, lang=lang, layout=layout))

        if target.dev_source is not None:
            selection.dev = read(target.dev_source, "en")
        tests = target.eval_files()
        for lang, dev_file in target.target_dev_files().items():
            dev, test = read(dev_file, lang), read(tests[lang], lang)
            if dev and test:
                selection.oracle[lang] = (dev, test)
        state = phase_dir / SELECTION_FILE
        if state.is_file():
            selection.points = json.loads(state.read_text(encoding="utf-8"))["points"]
        return selection

    @property
    def metric(self) -> str:
        return primary_metric(self.target.name, self._kind())

    def _kind(self) -> Any:
        examples = self.dev or next((dev for dev, _ in self.oracle.values()), [])
        return examples[0].kind if examples else None

    def _score(self, model: Any, examples: list[Example], lang: str) -> dict[str, float]:
        from trainer.evaluate import score_examples

        target = self.target
        return score_examples(
            model,
            self.tokenizer,
            target.name,
            target.eval_format,
            examples,
            self.hp,
            lang=lang,
            labels=self.labels,
        ).scores

    def __call__(self, step: int, model: Any) -> None:
        """Score `model` at optimiser step `step`; keep it when its English dev score is the best yet."""
        if any(point["step"] == step for point in self.points):
            return
        point: dict[str, Any] = {"step": step, "dev": {}, "test": {}}
        if self.dev:
            point["en_dev"] = self._score(model, self.dev, "en")[self.metric]
            if all(point["en_dev"] > p["en_dev"] for p in self.points):
                model.save(self.phase_dir / BEST_DIR, self.tokenizer)
        for lang, (dev, test) in self.oracle.items():
            point["dev"][lang] = self._score(model, dev, lang)[self.metric]
            point["test"][lang] = self._score(model, test, lang)
        self.points.append(point)
        self.phase_dir.mkdir(parents=True, exist_ok=True)
        (self.phase_dir / SELECTION_FILE).write_text(
            json.dumps({"metric": self.metric, "points": self.points, "chosen": self.chosen()}, indent=1),
            encoding="utf-8",
        )

    def chosen(self) -> int | None:
        """The step whose model is reported: the best English dev score, or the last step without dev."""
        if not self.dev or not self.points:
            return None
        return max(self.points, key=lambda p: (p["en_dev"], -p["step"]))["step"]

    def finish(self, model_dir: Path) -> None:
        """Put the chosen model in place of the last step's (`model_dir`)."""
        best = self.phase_dir / BEST_DIR
        if self.chosen() is not None and best.is_dir():
            shutil.rmtree(model_dir)
            best.rename(model_dir)

    def oracle_scores(self) -> dict[str, dict[str, float]]:
        """Per language with a target dev file: its test scores at its best dev point."""
        return oracle_from_points(self.points) if self.oracle else {}


def _labelled(examples: list[Example]) -> list[Example]:
    return [e for e in examples if e.kind in ("qa", "tagging") or e.label >= 0]


def statement(targets: list[TargetConfig]) -> str:
    """How each target's reported model was chosen, for the report."""
    parts = []
    for target in targets:
        how = "English dev, best epoch end" if target.dev is not None else "last step (no English dev given)"
        if target.target_dev is not None:
            how += f"; target-language dev oracle apart as {target.name}{ORACLE_SUFFIX}"
        parts.append(f"{target.name}: {how}")
    return "; ".join(parts) + "." if parts else ""
