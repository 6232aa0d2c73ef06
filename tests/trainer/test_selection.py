"""Model selection on English dev at every epoch end, and the target-language dev oracle apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trainer.config.loading import parse_experiment
from trainer.evaluate import evaluate_checkpoint, score_examples
from trainer.model import StiltsModel
from trainer.selection import evaluation_points, statement
from trainer.train import StiltsRecipe

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "trainer"


def test_evaluation_points() -> None:
    assert evaluation_points(15, 3.0) == [5, 10, 15]
    assert evaluation_points(7, 2.5) == [3, 6, 7]
    assert evaluation_points(2, 4.0) == [1, 2]


def _experiment(tmp_path: Path, model: Path) -> Any:
    target = {
        "name": "xnli",
        "task": "mnli",
        "train": str(SAMPLES / "mnli.en.jsonl"),
        "eval_task": "xnli",
        "eval": str(SAMPLES / "xnli" / "dev-{lang}.tsv"),
        "eval_langs": ["en", "sw", "de"],
        "dev": str(SAMPLES / "xnli" / "dev-en.tsv"),
        "target_dev": str(SAMPLES / "xnli" / "dev-{lang}.tsv"),
        "epochs": 3,
    }
    hparams = {"lr": 3e-3, "batch_size": 8, "max_length": 48, "warmup": 0.0, "log_every": 1}
    raw = {"model": str(model), "output_dir": str(tmp_path), "targets": [target], "hparams": hparams}
    return parse_experiment(raw, tmp_path)


@pytest.mark.slow
def test_english_dev_picks_the_model_and_oracle_is_apart(tmp_path: Path, tiny_model: Path) -> None:
    exp = _experiment(tmp_path, tiny_model)
    recipe = StiltsRecipe(exp, seed=3, out_dir=tmp_path / "run", quiet=True)
    scores = recipe.run()
    state = json.loads((tmp_path / "run" / "target-xnli" / "selection.json").read_text())
    # 36 training pairs, batch 8: 5 steps an epoch, 3 epochs.
    assert [p["step"] for p in state["points"]] == [5, 10, 15]
    best = max(state["points"], key=lambda p: (p["en_dev"], -p["step"]))
    assert state["chosen"] == best["step"]
    # The reported model is the chosen one: it scores the chosen point's English dev accuracy again.
    target = exp.targets[0]
    model = StiltsModel.load(tmp_path / "run" / "target-xnli" / "model")
    labels = json.loads((tmp_path / "run" / "target-xnli" / "labels.json").read_text())
    from trainer.reading import read_task_file

    dev = read_task_file("xnli", target.dev_source, None, train=False)
    again = score_examples(
        model, recipe.tokenizer, "xnli", "xnli", dev, exp.hparams, lang="en", labels=labels
    )
    assert again.scores["accuracy"] == pytest.approx(best["en_dev"])
    assert scores["xnli"]["en"]["accuracy"] == pytest.approx(best["en_dev"])
    # Oracle: per language, the test score at that language's best dev point (dev and test are one file here).
    for lang in ("en", "sw", "de"):
        top = max(p["dev"][lang] for p in state["points"])
        assert scores["xnli_oracle"][lang]["accuracy"] == pytest.approx(top)
    # Re-evaluating the run folder scores the chosen model again and reads the oracle back.
    again_scores = evaluate_checkpoint(tmp_path / "run", exp)
    assert again_scores["xnli_oracle"] == scores["xnli_oracle"]
    assert again_scores["xnli"]["en"]["accuracy"] == pytest.approx(scores["xnli"]["en"]["accuracy"])
    assert statement(exp.targets) == (
        "xnli: English dev, best epoch end; target-language dev oracle apart as xnli_oracle."
    )
