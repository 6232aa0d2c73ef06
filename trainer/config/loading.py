"""Reading and validating an experiment YAML.

Every problem is found before training starts and reported together in one `ConfigError`:
structure and types, unknown task formats, missing files, files that do not read in their layout,
training and evaluation data without gold labels (with where the gold is), evaluation languages a
task does not cover or a file does not hold, shard directories without a manifest or with corrupted
shards, and a mixed-precision mode the device cannot run.

Relative paths are resolved against the folder that holds the YAML file, so a config works from
any working directory (`trainer/configs/tiny.yaml` names `../../samples/trainer/...`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from generator.errors import ConfigError
from trainer.config.experiment import Experiment
from trainer.config.phases import TargetConfig
from trainer.config.retrieval import RetrievalConfig


def _format_errors(err: ValidationError) -> list[str]:
    out = []
    for item in err.errors():
        where = ".".join(str(p) for p in item["loc"] if not str(p).startswith("<")) or "(top level)"
        message = str(item["msg"]).removeprefix("Value error, ")
        out.append(f"{where}: {message}")
    return out


def parse_experiment(
    raw: dict[str, Any],
    base: Path,
    *,
    source: str = "config",
    check_files: bool = True,
    check_device: bool = True,
) -> Experiment:
    """Validate a parsed YAML mapping; every problem found is listed in one ConfigError."""
    context = {"base": str(base), "check_files": check_files, "check_device": check_device}
    try:
        exp = Experiment.model_validate(copy.deepcopy(raw), context=context)
    except ValidationError as err:
        problems = _format_errors(err) + _entry_problems(raw, context, check_files)
        raise ConfigError(f"{source}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems)) from None
    problems = exp.intermediate.problems(check_files) if exp.intermediate is not None else []
    problems += [p for t in exp.targets for p in t.problems(check_files)]
    problems += [p for r in exp.retrieval for p in r.problems(check_files)]
    problems += _synthetic_problems(exp)
    if problems:
        raise ConfigError(f"{source}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return exp


def _entry_problems(raw: dict[str, Any], context: dict[str, Any], check_files: bool) -> list[str]:
    """Evaluation-language and file problems of the well-formed targets and retrievals of a config
    that failed elsewhere, so one run of the validator reports them too."""
    out: list[str] = []
    kinds: tuple[tuple[str, type[TargetConfig] | type[RetrievalConfig]], ...] = (
        ("targets", TargetConfig),
        ("retrieval", RetrievalConfig),
    )
    for key, model in kinds:
        entries = raw.get(key)
        for entry in entries if isinstance(entries, list) else []:
            try:
                out += model.model_validate(copy.deepcopy(entry), context=context).problems(check_files)
            except ValidationError:
                continue
    return out


def _synthetic_problems(exp: Experiment) -> list[str]:
    inter = exp.intermediate
    if inter is None or inter.synthetic is None:
        return []
    from generator.shards import load_manifest

    formats = {t.task for t in inter.tasks}
    found: set[str] = set()
    for directory in inter.synthetic.shards:
        if (directory / "manifest.json").is_file():
            found |= {s.task for s in load_manifest(directory).shards}
    if found and not found & formats:
        return [
            f"intermediate.synthetic: the shards hold {', '.join(sorted(found))}, "
            f"none of the intermediate tasks ({', '.join(sorted(formats))})"
        ]
    return []


def load_experiment(path: str | Path, *, check_files: bool = True, check_device: bool = True) -> Experiment:
    """Read and validate an experiment YAML; relative paths are taken from the YAML file's folder."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"{path}: no such config file; pass an experiment YAML such as trainer/configs/tiny.yaml"
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping with at least model, output_dir, targets")
    return parse_experiment(
        raw, path.resolve().parent, source=str(path), check_files=check_files, check_device=check_device
    )
