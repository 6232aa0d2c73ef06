"""The experiment YAML: model, intermediate tasks, synthetic shards, targets, retrieval, hyperparameters.

Every problem is found before training starts and reported together in one `ConfigError`:
structure and types, unknown task formats, missing files, evaluation languages a task does not
cover, shard directories without a manifest or with corrupted shards, and a mixed-precision mode
the device cannot run.

Relative paths are resolved against the folder that holds the YAML file, so a config works from
any working directory (`trainer/configs/tiny.yaml` names `../../samples/trainer/...`).
`model: tiny` means "build the tiny random XLM-R under `<output_dir>/tiny-xlmr`", for CPU demos.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from generator.errors import ConfigError
from trainer.hf_data import HfSpec, hf_format, is_mixed

TINY_MODEL = "tiny"
Condition = Literal["baseline", "english", "synthetic"]
CONDITIONS: tuple[Condition, ...] = ("baseline", "english", "synthetic")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _ctx(info: ValidationInfo) -> dict[str, Any]:
    return info.context or {}


def _resolve(value: Path, info: ValidationInfo, what: str, *, must_exist: bool = True) -> Path:
    """An absolute path (relative ones against the config's folder), checked to exist when asked."""
    ctx = _ctx(info)
    path = value if value.is_absolute() else Path(ctx.get("base", ".")) / value
    path = Path(path).resolve()
    if must_exist and ctx.get("check_files", True) and not path.exists():
        raise ValueError(
            f"{what} {path} does not exist; fix the path (relative paths start at the config's folder)"
        )
    return path


def _task_format(name: str) -> Any:
    from generator.tasks import FORMATS

    formats = FORMATS if isinstance(FORMATS, dict) else {f.name: f for f in FORMATS}
    if name not in formats:
        raise ValueError(f"unknown task format {name!r}; use one of: {', '.join(sorted(formats))}")
    return formats[name]


def task_kind(name: str) -> str:
    """The example kind (qa, pair, choice, tagging, retrieval) of a task format."""
    return str(_task_format(name).kind)


def _same_format(task: str, spec: HfSpec, where: str) -> None:
    """`spec`'s rows must be of the kind and label set of the format `task`."""
    from generator.tasks import get_format

    given, wanted = get_format(hf_format(spec)), get_format(task)
    if (given.kind, given.labels) != (wanted.kind, wanted.labels):
        raise ValueError(
            f"{where}: {spec.describe()} holds {given.name} data ({given.kind}), not {task}; "
            f"set the task format to {given.name} or name a dataset of {task}"
        )


def _known_hf(spec: HfSpec) -> HfSpec:
    try:
        hf_format(spec)
    except ConfigError as err:
        raise ValueError(str(err)) from None
    return spec


class HfRef(_Strict):
    """A Hugging Face dataset split in place of a file: `{hf: {id, config, split, revision}}`."""

    hf: HfSpec

    @field_validator("hf")
    @classmethod
    def _supported(cls, value: HfSpec) -> HfSpec:
        _known_hf(cls._filled(value, "en"))
        return value

    @staticmethod
    def _filled(spec: HfSpec, lang: str) -> HfSpec:
        """`spec` with `{lang}` / `{Language}` in its config replaced by the code / English name."""
        from generator.languages import LANGUAGES

        if spec.config is None:
            return spec
        name = LANGUAGES[lang].name if lang in LANGUAGES else lang
        config = spec.config.replace("{lang}", lang).replace("{Language}", name)
        return spec.model_copy(update={"config": config})

    def for_language(self, lang: str) -> HfSpec:
        """The spec for one language: `{lang}` / `{Language}` in the config filled in, rows of `lang`
        only when one split mixes languages."""
        spec = self._filled(self.hf, lang)
        return spec.model_copy(update={"lang": lang}) if is_mixed(spec) else spec

    def templated(self) -> bool:
        return "{lang}" in (self.hf.config or "") or "{Language}" in (self.hf.config or "")


def _source_tag(value: Any) -> str:
    return "<hf>" if isinstance(value, dict | HfRef) else "<path>"


def _eval_tag(value: Any) -> str:
    if isinstance(value, HfRef) or (isinstance(value, dict) and set(value) == {"hf"}):
        return "<hf>"
    return "<pattern>" if isinstance(value, str) else "<langs>"


# Union members are tagged `<...>`; the tags are left out of the locations in error messages.
SourceField = Annotated[
    Annotated[Path, Tag("<path>")] | Annotated[HfRef, Tag("<hf>")], Discriminator(_source_tag)
]
EvalField = Annotated[
    Annotated[dict[str, SourceField], Tag("<langs>")]
    | Annotated[str, Tag("<pattern>")]
    | Annotated[HfRef, Tag("<hf>")],
    Discriminator(_eval_tag),
]
DataSource = Path | HfSpec


class TaskData(_Strict):
    """One intermediate task: a task format and the English file (`path`) or dataset (`hf`) to read."""

    task: str
    path: Path | None = None
    hf: HfSpec | None = None
    name: str | None = None
    max_examples: int | None = Field(default=None, ge=1)

    @field_validator("task")
    @classmethod
    def _known_task(cls, value: str) -> str:
        kind = task_kind(value)
        if kind == "retrieval":
            raise ValueError(
                f"{value} is a retrieval format; list it under `retrieval`, not as a task to train"
            )
        return value

    @field_validator("path")
    @classmethod
    def _exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _resolve(value, info, "task file")

    @field_validator("hf")
    @classmethod
    def _supported(cls, value: HfSpec | None) -> HfSpec | None:
        return None if value is None else _known_hf(value)

    @model_validator(mode="after")
    def _one_source(self) -> TaskData:
        if self.path is None and self.hf is None:
            raise ValueError(f"task {self.task}: give `path` (a file) or `hf` (a Hugging Face dataset)")
        if self.path is not None and self.hf is not None:
            raise ValueError(f"task {self.task}: give either `path` or `hf`, not both")
        if self.hf is not None:
            _same_format(self.task, self.hf, f"task {self.task}")
        return self

    @property
    def source(self) -> DataSource:
        """The file or dataset split to read."""
        source = self.path if self.hf is None else self.hf
        assert source is not None
        return source

    @property
    def key(self) -> str:
        """The head this task trains (defaults to the format name)."""
        return self.name or self.task


class SamplingConfig(_Strict):
    """How the intermediate tasks share the steps: by size, by size^(1/T), or evenly."""

    method: Literal["proportional", "temperature", "uniform"] = "proportional"
    temperature: float = Field(default=2.0, gt=0)


class SyntheticConfig(_Strict):
    """Translated / code-switched shards mixed into the intermediate tasks of the same format."""

    shards: list[Path] = Field(min_length=1)
    langs: list[str] = Field(default_factory=list)
    methods: list[str] = Field(default_factory=list)
    ratio: float = Field(default=0.5, gt=0.0, lt=1.0, description="synthetic share of intermediate examples")

    @field_validator("shards")
    @classmethod
    def _verified(cls, value: list[Path], info: ValidationInfo) -> list[Path]:
        from generator.shards import verify

        resolved = [_resolve(p, info, "shard directory") for p in value]
        if not _ctx(info).get("check_files", True):
            return resolved
        problems = [problem for directory in resolved for problem in verify(directory)]
        if problems:
            raise ValueError("; ".join(problems))
        return resolved

    @field_validator("langs")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        from generator.languages import parse_languages

        try:
            return [lang.code for lang in parse_languages(value)] if value else []
        except ConfigError as err:
            raise ValueError(str(err)) from None


class IntermediateConfig(_Strict):
    """Phase 1: one or more English tasks (multi-task when several), optionally with synthetic data."""

    tasks: list[TaskData] = Field(min_length=1)
    sampling: SamplingConfig = SamplingConfig()
    synthetic: SyntheticConfig | None = None
    epochs: float = Field(default=2.0, gt=0)

    @model_validator(mode="after")
    def _synthetic_matches(self) -> IntermediateConfig:
        keys = [t.key for t in self.tasks]
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"intermediate task names repeat ({keys}); give repeated formats a distinct `name`"
            )
        return self


class TargetConfig(_Strict):
    """Phase 2: an English training file, then zero-shot evaluation per language."""

    name: str
    task: str
    train: SourceField
    eval_task: str | None = None
    eval: EvalField
    eval_langs: list[str] | None = None
    optional: bool = False
    epochs: float | None = Field(default=None, gt=0)

    @field_validator("task", "eval_task")
    @classmethod
    def _known_task(cls, value: str | None) -> str | None:
        if value is not None:
            _task_format(value)
        return value

    @field_validator("train")
    @classmethod
    def _exists(cls, value: Path | HfRef, info: ValidationInfo) -> Path | HfRef:
        return value if isinstance(value, HfRef) else _resolve(value, info, "target training file")

    @field_validator("eval")
    @classmethod
    def _eval_paths(
        cls, value: dict[str, Path | HfRef] | str | HfRef, info: ValidationInfo
    ) -> dict[str, Path | HfRef] | str | HfRef:
        if isinstance(value, HfRef):
            if not value.templated() and not is_mixed(value.hf):
                raise ValueError(
                    f"eval {value.hf.describe()} is one language; put {{lang}} or {{Language}} in its "
                    "config (PAN-X.{lang}, udpos.{Language}) or list the languages under `eval`"
                )
            return value
        if isinstance(value, str):
            if "{lang}" not in value:
                raise ValueError(
                    f"eval pattern {value!r} has no {{lang}} placeholder; e.g. data/xnli.{{lang}}.tsv"
                )
            base = Path(_ctx(info).get("base", "."))
            pattern = value if Path(value).is_absolute() else str(base / value)
            return pattern
        return {
            lang: p if isinstance(p, HfRef) else _resolve(p, info, "eval file", must_exist=False)
            for lang, p in value.items()
        }

    @model_validator(mode="after")
    def _hf_formats(self) -> TargetConfig:
        if isinstance(self.train, HfRef):
            _same_format(self.task, self.train.hf, f"target {self.name} train")
        refs = [self.eval] if isinstance(self.eval, HfRef) else []
        refs += [r for r in self.eval.values() if isinstance(r, HfRef)] if isinstance(self.eval, dict) else []
        for ref in refs:
            _same_format(self.eval_format, ref.for_language("en"), f"target {self.name} eval")
        return self

    @property
    def eval_format(self) -> str:
        return self.eval_task or self.task

    @property
    def train_source(self) -> DataSource:
        """The English training file or dataset split."""
        return self.train.hf if isinstance(self.train, HfRef) else self.train

    def covered_languages(self) -> list[str] | None:
        """The XTREME-R languages this target covers, or None when it is not an XTREME-R task."""
        from generator.languages import languages_for_task

        try:
            return [lang.code for lang in languages_for_task(self.name)]
        except ConfigError:
            return None

    def eval_files(self) -> dict[str, DataSource]:
        """Evaluation file or dataset split per language: the configured languages, or every covered
        one with a file (with a `hf` pattern: every covered one)."""
        covered = self.covered_languages()
        files: dict[str, DataSource]
        if isinstance(self.eval, dict):
            files = {
                lang: src.for_language(lang) if isinstance(src, HfRef) else src
                for lang, src in self.eval.items()
            }
        elif isinstance(self.eval, HfRef):
            from generator.languages import LANGUAGES

            langs = self.eval_langs or covered or list(LANGUAGES)
            files = {lang: self.eval.for_language(lang) for lang in langs}
        else:
            from generator.languages import LANGUAGES

            candidates = self.eval_langs or covered or list(LANGUAGES)
            paths = {lang: Path(self.eval.replace("{lang}", lang)) for lang in candidates}
            if self.eval_langs is None:
                paths = {lang: path for lang, path in paths.items() if path.is_file()}
            files = dict(paths)
        if self.eval_langs is not None:
            files = {lang: path for lang, path in files.items() if lang in self.eval_langs}
        return files

    def problems(self, check_files: bool) -> list[str]:
        """Evaluation languages the task lacks and evaluation files that are missing."""
        out = []
        covered = self.covered_languages()
        asked = (
            self.eval_langs
            if self.eval_langs is not None
            else (list(self.eval) if isinstance(self.eval, dict) else [])
        )
        if covered is not None:
            lacking = [lang for lang in asked if lang not in covered]
            if lacking:
                out.append(
                    f"target {self.name}: no {', '.join(lacking)} in {self.name}; it covers {' '.join(covered)}"
                )
        if isinstance(self.eval, dict) and self.eval_langs:
            absent = [lang for lang in self.eval_langs if lang not in self.eval]
            if absent:
                out.append(f"target {self.name}: eval_langs {absent} have no entry under `eval`")
        if check_files and not self.optional:
            files = self.eval_files()
            missing = [
                f"{lang}: {path}"
                for lang, path in files.items()
                if isinstance(path, Path) and not path.is_file()
            ]
            if missing:
                out.append(f"target {self.name}: eval files missing ({'; '.join(missing)})")
            if not files:
                out.append(f"target {self.name}: no evaluation file found for pattern {self.eval}")
        return out


class RetrievalConfig(_Strict):
    """A retrieval evaluation (Tatoeba) run on the encoder directly, without training."""

    task: Literal["tatoeba"] = "tatoeba"
    dir: Path
    langs: list[str] | None = None
    max_pairs: int | None = Field(default=None, ge=1)
    layer: int | None = None
    optional: bool = False

    @field_validator("dir")
    @classmethod
    def _exists(cls, value: Path, info: ValidationInfo) -> Path:
        return _resolve(value, info, "retrieval data folder", must_exist=False)

    def problems(self, check_files: bool) -> list[str]:
        from generator.languages import languages_for_task

        out = []
        covered = [lang.code for lang in languages_for_task(self.task)]
        lacking = [lang for lang in self.langs or [] if lang not in covered]
        if lacking:
            out.append(
                f"retrieval {self.task}: no {', '.join(lacking)} in {self.task}; it covers {' '.join(covered)}"
            )
        if check_files and not self.optional and not self.dir.is_dir():
            out.append(f"retrieval {self.task}: folder {self.dir} does not exist")
        return out


class Hyperparameters(_Strict):
    """The recipe's defaults (Phang et al. 2020): lr 1e-5, effective batch 32 (16 for QA), warmup 10%."""

    lr: float = Field(default=1e-5, gt=0)
    batch_size: int = Field(
        default=32, ge=1, description="effective batch for classification, choice, tagging"
    )
    qa_batch_size: int = Field(default=16, ge=1, description="effective batch for extractive QA")
    grad_accum: int = Field(
        default=1, ge=1, description="per-device batch = effective / (grad_accum x devices)"
    )
    max_length: int = Field(default=256, ge=16)
    qa_max_length: int = Field(default=384, ge=32)
    retrieval_max_length: int = Field(default=512, ge=16)
    doc_stride: int = Field(default=128, ge=1)
    max_answer_length: int = Field(default=30, ge=1)
    n_best: int = Field(default=20, ge=1)
    epochs: float = Field(default=3.0, gt=0, description="target-task epochs unless a target sets its own")
    max_steps: int | None = Field(default=None, ge=1, description="cap on optimiser steps per phase")
    warmup: float = Field(default=0.1, ge=0, lt=1)
    weight_decay: float = Field(default=0.01, ge=0)
    max_grad_norm: float = Field(default=1.0, gt=0)
    eval_batch_size: int = Field(default=64, ge=1)
    max_train_examples: int | None = Field(default=None, ge=1)
    max_eval_examples: int | None = Field(default=None, ge=1)
    checkpoint_every: int = Field(default=0, ge=0, description="optimiser steps between checkpoints; 0: none")
    log_every: int = Field(default=50, ge=1)

    @model_validator(mode="after")
    def _divisible(self) -> Hyperparameters:
        bad = [
            n
            for n, b in (("batch_size", self.batch_size), ("qa_batch_size", self.qa_batch_size))
            if b % self.grad_accum
        ]
        if bad:
            raise ValueError(f"{', '.join(bad)} must be a multiple of grad_accum ({self.grad_accum})")
        if self.doc_stride >= self.qa_max_length // 2:
            raise ValueError(
                f"doc_stride {self.doc_stride} must be under half of qa_max_length {self.qa_max_length}"
            )
        return self

    def effective_batch(self, kind: str) -> int:
        return self.qa_batch_size if kind == "qa" else self.batch_size

    def length_for(self, kind: str) -> int:
        return {"qa": self.qa_max_length, "retrieval": self.retrieval_max_length}.get(kind, self.max_length)


class Experiment(_Strict):
    """One experiment: the model, the phases, the evaluation and where results go."""

    name: str = "experiment"
    model: str
    tokenizer: str | None = None
    output_dir: Path
    seeds: list[int] = Field(default_factory=lambda: [1], min_length=1)
    mixed_precision: Literal["no", "fp16", "bf16"] = "no"
    intermediate: IntermediateConfig | None = None
    targets: list[TargetConfig] = Field(default_factory=list)
    retrieval: list[RetrievalConfig] = Field(default_factory=list)
    hparams: Hyperparameters = Hyperparameters()

    @field_validator("model", "tokenizer")
    @classmethod
    def _model_path(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or value == TINY_MODEL:
            return value
        base = Path(_ctx(info).get("base", "."))
        local = Path(value) if Path(value).is_absolute() else base / value
        if local.exists():
            return str(local.resolve())
        if value.startswith((".", "/", "~")) and _ctx(info).get("check_files", True):
            raise ValueError(f"model folder {local} does not exist; build it or give a model id")
        return value

    @field_validator("output_dir")
    @classmethod
    def _output(cls, value: Path, info: ValidationInfo) -> Path:
        return _resolve(value, info, "output folder", must_exist=False)

    @field_validator("mixed_precision")
    @classmethod
    def _device_supports(cls, value: str, info: ValidationInfo) -> str:
        if value == "no" or not _ctx(info).get("check_device", True):
            return value
        import torch

        if not torch.cuda.is_available():
            raise ValueError(f"{value} is not supported on CPU here, use mixed_precision: no")
        if value == "bf16" and not torch.cuda.is_bf16_supported():
            raise ValueError("bf16 is not supported on this GPU, use mixed_precision: fp16 or no")
        return value

    @model_validator(mode="after")
    def _something_to_do(self) -> Experiment:
        if not self.targets and not self.retrieval:
            raise ValueError("nothing to evaluate: add at least one entry under `targets` or `retrieval`")
        names = [t.name for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"target names repeat ({names}); each target needs its own name")
        return self

    @property
    def tokenizer_path(self) -> str:
        return self.tokenizer or self.model

    def for_condition(self, condition: Condition) -> Experiment:
        """This experiment as one grid condition: no intermediate, English only, or English + synthetic."""
        exp = self.model_copy(deep=True)
        if condition == "baseline":
            exp.intermediate = None
        elif condition == "english" and exp.intermediate is not None:
            exp.intermediate.synthetic = None
        elif condition == "synthetic" and (exp.intermediate is None or exp.intermediate.synthetic is None):
            raise ConfigError("the synthetic condition needs `intermediate.synthetic` in the config")
        return exp

    def conditions(self) -> list[Condition]:
        """The grid conditions this config supports."""
        if self.intermediate is None:
            return ["baseline"]
        return list(CONDITIONS) if self.intermediate.synthetic is not None else ["baseline", "english"]


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
    problems = [p for t in exp.targets for p in t.problems(check_files)]
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
