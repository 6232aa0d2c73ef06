"""The phases of an experiment: intermediate tasks (phase 1) and targets (phase 2, with their zero-shot
evaluation files per language); retrieval evaluations are in `trainer.config.retrieval`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from generator.errors import ConfigError
from trainer.config.files import file_problems, layout_problem, split_problems
from trainer.config.sources import (
    DataSource,
    EvalField,
    HfRef,
    SourceField,
    StrictModel,
    SyntheticConfig,
    check_same_format,
    known_hf,
    resolve_path,
    task_format,
    task_kind,
    validation_context,
)
from trainer.hf.registry import is_mixed
from trainer.hf.spec import HfSpec

FileLayout = Literal["xtreme-r", "raw", "hf"]


class TaskData(StrictModel):
    """One intermediate task: a task format and the English file (`path`, in `layout`: detected when
    not given) or dataset (`hf`) to read."""

    task: str
    path: Path | None = None
    hf: HfSpec | None = None
    layout: FileLayout | None = None
    name: str | None = None
    max_examples: int | None = Field(default=None, ge=1)
    skip_examples: int = Field(
        default=0,
        ge=0,
        description="examples at the start of the file left out (e.g. those a target trains on)",
    )

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
        return None if value is None else resolve_path(value, info, "task file")

    @field_validator("hf")
    @classmethod
    def _supported(cls, value: HfSpec | None) -> HfSpec | None:
        return None if value is None else known_hf(value)

    @model_validator(mode="after")
    def _one_source(self) -> TaskData:
        if self.path is None and self.hf is None:
            raise ValueError(f"task {self.task}: give `path` (a file) or `hf` (a Hugging Face dataset)")
        if self.path is not None and self.hf is not None:
            raise ValueError(f"task {self.task}: give either `path` or `hf`, not both")
        if self.hf is not None:
            check_same_format(self.task, self.hf, f"task {self.task}")
        problem = layout_problem(f"task {self.task}", self.layout, self.hf is not None)
        if problem:
            raise ValueError(problem)
        return self

    def problems(self, check_files: bool) -> list[str]:
        """A training file or split without gold, or one that does not read."""
        where = f"task {self.key}"
        if self.hf is not None:
            return split_problems(where, self.hf)
        if check_files and self.path is not None and self.path.is_file():
            return file_problems(where, self.task, self.path, layout=self.layout, lang=None)
        return []

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


class SamplingConfig(StrictModel):
    """How the intermediate tasks share the steps: by size, by size^(1/T), or evenly."""

    method: Literal["proportional", "temperature", "uniform"] = "proportional"
    temperature: float = Field(default=2.0, gt=0)


class IntermediateConfig(StrictModel):
    """Phase 1: one or more English tasks (multi-task when several), optionally with synthetic data."""

    tasks: list[TaskData] = Field(min_length=1)
    sampling: SamplingConfig = SamplingConfig()
    synthetic: SyntheticConfig | None = None
    epochs: float = Field(default=2.0, gt=0)

    def problems(self, check_files: bool) -> list[str]:
        return [problem for task in self.tasks for problem in task.problems(check_files)]

    @model_validator(mode="after")
    def _synthetic_matches(self) -> IntermediateConfig:
        keys = [t.key for t in self.tasks]
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"intermediate task names repeat ({keys}); give repeated formats a distinct `name`"
            )
        return self


class TargetStage(StrictModel):
    """An English task the target's model (encoder and head) is trained on first, e.g. SIQA before COPA."""

    task: str
    train: SourceField
    epochs: float | None = Field(default=None, gt=0)
    lr: float | None = Field(default=None, gt=0)
    max_examples: int | None = Field(default=None, ge=1)
    layout: FileLayout | None = None

    @field_validator("task")
    @classmethod
    def _known_task(cls, value: str) -> str:
        task_format(value)
        return value

    @field_validator("train")
    @classmethod
    def _resolved(cls, value: Path | HfRef, info: ValidationInfo) -> Path | HfRef:
        # Checked with the target's files (`TargetConfig.problems`), so an optional target may lack it.
        return (
            value if isinstance(value, HfRef) else resolve_path(value, info, "stage file", must_exist=False)
        )

    @property
    def source(self) -> DataSource:
        return self.train.hf if isinstance(self.train, HfRef) else self.train


class TargetConfig(StrictModel):
    """Phase 2: an English training file, then zero-shot evaluation per language.

    `before` trains the target's model on other English tasks first, in order, with the target's
    head carried from stage to stage (XTREME-R's XCOPA: SIQA, then COPA); `epochs` and `lr`
    override the experiment's for this target (a stage's own override its target's). `dev` (an
    English dev file in the `eval_task` format) selects the model among the epoch ends;
    `target_dev` (dev files per language, like `eval`) gives the oracle scores apart.
    `layout` is the layout of the evaluation files, `train_layout` that of the training file (each
    detected when not given); evaluation files without gold are refused before anything trains.
    """

    name: str
    task: str
    train: SourceField
    train_layout: FileLayout | None = None
    eval_task: str | None = None
    eval: EvalField
    layout: FileLayout | None = None
    eval_langs: list[str] | None = None
    optional: bool = False
    epochs: float | None = Field(default=None, gt=0)
    lr: float | None = Field(default=None, gt=0)
    before: list[TargetStage] = Field(default_factory=list)
    dev: SourceField | None = None
    target_dev: EvalField | None = None

    @field_validator("task", "eval_task")
    @classmethod
    def _known_task(cls, value: str | None) -> str | None:
        if value is not None:
            task_format(value)
        return value

    @field_validator("train", "dev")
    @classmethod
    def _exists(cls, value: Path | HfRef | None, info: ValidationInfo) -> Path | HfRef | None:
        if value is None or isinstance(value, HfRef):
            return value
        return resolve_path(
            value, info, f"target {info.field_name} file", must_exist=info.field_name == "train"
        )

    @field_validator("eval", "target_dev")
    @classmethod
    def _eval_paths(
        cls, value: dict[str, Path | HfRef] | str | HfRef | None, info: ValidationInfo
    ) -> dict[str, Path | HfRef] | str | HfRef | None:
        if value is None:
            return None
        if isinstance(value, HfRef):
            if not value.templated() and not is_mixed(value.hf):
                raise ValueError(
                    f"eval {value.hf.describe()} is one language; put {{lang}} or {{Language}} in its "
                    "config (PAN-X.{lang}, udpos.{Language}) or list the languages under `eval`"
                )
            return value
        if isinstance(value, str):
            if "{lang}" not in value and "{language}" not in value:
                raise ValueError(
                    f"eval pattern {value!r} has no {{lang}} (or {{language}}) placeholder; e.g. "
                    "data/xnli.{lang}.tsv, tydiqa-goldp-dev-{language}.json"
                )
            base = Path(validation_context(info).get("base", "."))
            pattern = value if Path(value).is_absolute() else str(base / value)
            return pattern
        return {
            lang: p if isinstance(p, HfRef) else resolve_path(p, info, "eval file", must_exist=False)
            for lang, p in value.items()
        }

    @model_validator(mode="after")
    def _hf_formats(self) -> TargetConfig:
        for stage in self.before:
            if task_kind(stage.task) != task_kind(self.task):
                raise ValueError(
                    f"target {self.name}: stage {stage.task} is {task_kind(stage.task)} data, the target "
                    f"{task_kind(self.task)}; a stage must train the same kind of head"
                )
        if isinstance(self.train, HfRef):
            check_same_format(self.task, self.train.hf, f"target {self.name} train")
        refs = [self.eval] if isinstance(self.eval, HfRef) else []
        refs += [r for r in self.eval.values() if isinstance(r, HfRef)] if isinstance(self.eval, dict) else []
        for ref in refs:
            check_same_format(self.eval_format, ref.for_language("en"), f"target {self.name} eval")
        sources = list(self.eval.values()) if isinstance(self.eval, dict) else [self.eval]
        problems = [
            layout_problem(f"target {self.name} train", self.train_layout, isinstance(self.train, HfRef))
        ]
        if self.layout is not None:
            problems += [
                layout_problem(f"target {self.name} eval", self.layout, isinstance(s, HfRef)) for s in sources
            ]
        found = [problem for problem in problems if problem]
        if found:
            raise ValueError("; ".join(dict.fromkeys(found)))
        return self

    @property
    def eval_format(self) -> str:
        return self.eval_task or self.task

    @property
    def train_source(self) -> DataSource:
        """The English training file or dataset split (of a split mixing languages, its English rows)."""
        return self.train.for_language("en") if isinstance(self.train, HfRef) else self.train

    @property
    def dev_source(self) -> DataSource | None:
        """The English dev file or dataset split that selects the model, if any."""
        return self.dev.hf if isinstance(self.dev, HfRef) else self.dev

    def target_dev_files(self) -> dict[str, DataSource]:
        """Target-language dev files per language (the oracle's), for the languages evaluated."""
        if self.target_dev is None:
            return {}
        files = self.model_copy(update={"eval": self.target_dev}).eval_files()
        evaluated = self.eval_files()
        return {
            lang: src
            for lang, src in files.items()
            if lang in evaluated and not (isinstance(src, Path) and not src.is_file())
        }

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
            paths = {lang: Path(fill_language(self.eval, lang)) for lang in candidates}
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
            if isinstance(self.dev, Path) and not self.dev.is_file():
                out.append(f"target {self.name}: dev file {self.dev} does not exist")
            for stage in self.before:
                if isinstance(stage.train, Path) and not stage.train.is_file():
                    out.append(
                        f"target {self.name}: stage {stage.task} training file {stage.train} does not exist"
                    )
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
        return out + self.data_problems(check_files)

    def data_problems(self, check_files: bool) -> list[str]:
        """Training and evaluation data that does not read, is of another language, or has no gold."""
        out: list[str] = []
        train = self.train_source
        if isinstance(train, HfSpec):
            out += split_problems(f"target {self.name} train", train)
        elif check_files and train.is_file():
            out += file_problems(
                f"target {self.name} train",
                self.task,
                train,
                layout=self.train_layout,
                lang="en",
                mixed_only=True,
            )
        for lang, source in sorted(self.eval_files().items()):
            where = f"target {self.name} eval {lang}"
            if isinstance(source, HfSpec):
                out += split_problems(where, source)
            elif check_files and source.is_file():
                out += file_problems(where, self.eval_format, source, layout=self.layout, lang=lang)
        return out


def fill_language(pattern: str, lang: str) -> str:
    """An eval file pattern for one language: `{lang}` its code, `{language}` its English name in
    lower case (TyDiQA's tydiqa-goldp-dev-{language}.json)."""
    from generator.languages import LANGUAGES

    name = LANGUAGES[lang].name.lower() if lang in LANGUAGES else lang
    return pattern.replace("{lang}", lang).replace("{language}", name)
