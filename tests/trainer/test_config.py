"""Experiment YAML validation: every problem at once, before any training."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import ConfigError
from trainer.config.loading import load_experiment, parse_experiment

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "trainer"
CONFIGS = REPO / "trainer" / "configs"


def _base(tmp_path: Path) -> dict[str, Any]:
    return {
        "model": "tiny",
        "output_dir": str(tmp_path / "out"),
        "intermediate": {"tasks": [{"task": "mnli", "path": str(SAMPLES / "mnli.en.jsonl")}]},
        "targets": [
            {
                "name": "xnli",
                "task": "mnli",
                "train": str(SAMPLES / "mnli.en.jsonl"),
                "eval_task": "xnli",
                "eval": str(SAMPLES / "xnli" / "dev-{lang}.tsv"),
            }
        ],
    }


def test_tiny_config_loads_with_paths_from_its_folder() -> None:
    exp = load_experiment(CONFIGS / "tiny.yaml")
    assert exp.model == "tiny"
    assert exp.output_dir == (REPO / "runs" / "tiny").resolve()
    assert exp.intermediate is not None and exp.intermediate.tasks[0].path == SAMPLES / "mnli.en.jsonl"
    assert sorted(exp.targets[0].eval_files()) == ["de", "en", "es", "sw"]
    assert exp.conditions() == ["baseline", "english", "synthetic"]


def test_paper_config_parses_with_recipe_hyperparameters() -> None:
    exp = load_experiment(CONFIGS / "xlmr_large_paper.yaml", check_files=False, check_device=False)
    assert exp.model == "xlm-roberta-large"
    assert exp.intermediate is not None and len(exp.intermediate.tasks) == 9
    hp = exp.hparams
    assert (hp.lr, hp.batch_size, hp.qa_batch_size, hp.warmup, hp.weight_decay) == (1e-5, 32, 16, 0.1, 0.01)
    assert (hp.max_length, hp.qa_max_length, hp.retrieval_max_length) == (256, 384, 512)
    assert hp.device_batch_size == 4


def test_defaults_follow_the_recipe(tmp_path: Path) -> None:
    exp = parse_experiment(_base(tmp_path), tmp_path)
    assert exp.hparams.lr == 1e-5 and exp.hparams.effective_batch("pair") == 32
    assert exp.hparams.length_for("qa") == 384 and exp.hparams.length_for("retrieval") == 512
    assert exp.seeds == [1] and exp.mixed_precision == "no"


def test_all_problems_are_reported_in_one_error(tmp_path: Path) -> None:
    raw = _base(tmp_path)
    raw["intermediate"]["tasks"].append({"task": "nosuchformat", "path": str(SAMPLES / "mnli.en.jsonl")})
    raw["intermediate"]["tasks"].append({"task": "squad", "path": str(tmp_path / "missing.json")})
    raw["intermediate"]["synthetic"] = {"shards": [str(tmp_path)], "ratio": 0.5}
    raw["mixed_precision"] = "bf16"
    raw["hparams"] = {"lr": -1}
    raw["targets"][0]["eval_langs"] = ["sw", "yo"]
    with pytest.raises(ConfigError) as err:
        parse_experiment(raw, tmp_path, check_device=True)
    message = str(err.value)
    assert "no yo in xnli" in message
    assert "unknown task format 'nosuchformat'" in message
    assert "missing.json does not exist" in message
    assert "no manifest" in message
    assert "lr" in message
    import torch

    if not torch.cuda.is_available():
        assert "bf16 is not supported on CPU here, use mixed_precision: no" in message
    assert message.count("\n  - ") >= 5


def test_eval_language_the_task_lacks(tmp_path: Path) -> None:
    raw = _base(tmp_path)
    raw["targets"][0]["eval_langs"] = ["sw", "yo", "qu"]
    with pytest.raises(ConfigError) as err:
        parse_experiment(raw, tmp_path)
    assert "no yo, qu in xnli" in str(err.value)


def test_missing_eval_file_for_an_asked_language(tmp_path: Path) -> None:
    raw = _base(tmp_path)
    raw["targets"][0]["eval_langs"] = ["en", "fr"]
    with pytest.raises(ConfigError, match=r"eval files missing .*fr"):
        parse_experiment(raw, tmp_path)


def test_corrupted_shard_is_caught_before_training(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shutil.copytree(SAMPLES / "synthetic" / "mnli", shards)
    victim = next(shards.glob("*/*/*.parquet"))
    victim.write_bytes(victim.read_bytes()[:-10])
    raw = _base(tmp_path)
    raw["intermediate"]["synthetic"] = {"shards": [str(shards)], "langs": ["es"], "ratio": 0.3}
    with pytest.raises(ConfigError, match="checksum mismatch"):
        parse_experiment(raw, tmp_path)


def test_other_shard_schema_version_is_refused(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shutil.copytree(SAMPLES / "synthetic" / "mnli", shards)
    manifest = shards / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"schema_version": 1', '"schema_version": 99'))
    raw = _base(tmp_path)
    raw["intermediate"]["synthetic"] = {"shards": [str(shards)], "ratio": 0.3}
    with pytest.raises(ConfigError, match="schema version 99"):
        parse_experiment(raw, tmp_path)


def test_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    raw = _base(tmp_path)
    raw["learning_rate"] = 3
    raw["intermediate"]["sampling"] = {"method": "roundrobin"}
    raw["intermediate"]["synthetic"] = {"shards": [str(SAMPLES / "synthetic" / "mnli")], "langs": ["xx"]}
    with pytest.raises(ConfigError) as err:
        parse_experiment(raw, tmp_path)
    message = str(err.value)
    assert "learning_rate" in message and "roundrobin" not in message.split("sampling")[0]
    assert "proportional" in message and "unknown language code(s) xx" in message


def test_conditions_strip_phases(tmp_path: Path) -> None:
    raw = _base(tmp_path)
    raw["intermediate"]["synthetic"] = {"shards": [str(SAMPLES / "synthetic" / "mnli")], "ratio": 0.5}
    exp = parse_experiment(raw, tmp_path)
    assert exp.for_condition("baseline").intermediate is None
    english = exp.for_condition("english").intermediate
    assert english is not None and english.synthetic is None
    assert exp.intermediate is not None and exp.intermediate.synthetic is not None


def test_yaml_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_experiment(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(["a", "list"]))
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_experiment(bad)
