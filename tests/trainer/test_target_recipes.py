"""XTREME-R's target recipes: XCOPA's SIQA-then-COPA stages with one head; TyDiQA on English only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.errors import ConfigError
from generator.example import Example
from trainer.config.loading import parse_experiment
from trainer.model import StiltsModel
from trainer.train import StiltsRecipe
from trainer.train_setup import check_english_training

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "trainer"
TASKS = REPO / "samples" / "tasks"


def _experiment(tmp_path: Path, model: Path, target: dict[str, Any]) -> Any:
    raw = {
        "model": str(model),
        "output_dir": str(tmp_path),
        "targets": [target],
        "hparams": {
            "lr": 1e-3,
            "batch_size": 4,
            "max_length": 48,
            "warmup": 0.0,
            "log_every": 1,
            "max_steps": 2,
        },
    }
    return parse_experiment(raw, tmp_path)


def _xcopa(**extra: Any) -> dict[str, Any]:
    return {
        "name": "copa_en",
        "task": "copa",
        "train": str(SAMPLES / "copa.en.jsonl"),
        "before": [{"task": "siqa", "train": str(TASKS / "siqa" / "dev.jsonl"), "lr": 5e-4}],
        "eval_task": "copa",
        "eval": {"en": str(SAMPLES / "copa.en.jsonl")},
        "lr": 2e-3,
        **extra,
    }


def test_xcopa_trains_siqa_then_copa_with_one_head(
    tmp_path: Path, tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipe = StiltsRecipe(
        _experiment(tmp_path, tiny_model, _xcopa()), seed=1, out_dir=tmp_path / "run", quiet=True
    )
    loaded: list[Path] = []
    original = StiltsModel.load.__func__  # type: ignore[attr-defined]

    def spy(cls: type[StiltsModel], model_dir: Path) -> StiltsModel:
        loaded.append(Path(model_dir))
        return original(cls, model_dir)

    monkeypatch.setattr(StiltsModel, "load", classmethod(spy))
    result = recipe.target_phase(recipe.exp.targets[0], str(tiny_model))
    stage = tmp_path / "run" / "target-copa_en" / "before-siqa" / "model"
    # The COPA phase starts from the SIQA model, head included: it is loaded, not built fresh.
    assert loaded == [stage]
    assert json.loads((stage / "heads.json").read_text()) == {
        "copa_en": {"kind": "choice", "num_labels": 1, "pooling": "first"}
    }
    assert result.model_dir == tmp_path / "run" / "target-copa_en" / "model"
    # Each phase runs at its own learning rate: the first logged rate is lr x (1 - 1/2) with linear decay.
    first_lr = [
        json.loads((tmp_path / "run" / phase / "log.jsonl").read_text().splitlines()[0])["lr"]
        for phase in ("target-copa_en/before-siqa", "target-copa_en")
    ]
    assert first_lr == pytest.approx([2.5e-4, 1e-3])


def test_stage_must_train_the_targets_head(tmp_path: Path, tiny_model: Path) -> None:
    with pytest.raises(ConfigError, match="a stage must train the same kind of head"):
        _experiment(
            tmp_path, tiny_model, _xcopa(before=[{"task": "mnli", "train": str(SAMPLES / "mnli.en.jsonl")}])
        )
    target = {
        "name": "xnli",
        "task": "mnli",
        "train": str(SAMPLES / "mnli.en.jsonl"),
        "before": [{"task": "qqp", "train": str(TASKS / "qqp" / "dev.tsv")}],
        "eval_task": "xnli",
        "eval": str(SAMPLES / "xnli" / "dev-{lang}.tsv"),
    }
    recipe = StiltsRecipe(
        _experiment(tmp_path, tiny_model, target), seed=1, out_dir=tmp_path / "run", quiet=True
    )
    with pytest.raises(ConfigError, match="stage qqp needs head"):
        recipe.target_phase(recipe.exp.targets[0], str(tiny_model))


def test_tydiqa_trains_on_english_only() -> None:
    english = [
        Example(id="12", task="tydiqa", kind="qa"),
        Example(id="english-5-0", task="tydiqa", kind="qa"),
    ]
    check_english_training("tydiqa", "tydiqa", english)
    mixed = [
        *english,
        Example(id="arabic-7-1", task="tydiqa", kind="qa"),
        Example(id="3", task="tydiqa", kind="qa", lang="fi"),
    ]
    with pytest.raises(ConfigError, match="has 1 ar, 1 fi questions"):
        check_english_training("TyDiQA-GoldP", "squad", mixed)
    # Other targets may train on any language.
    check_english_training("xquad", "squad", mixed)
