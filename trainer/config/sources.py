"""Where an experiment's data comes from: files (paths resolved against the config's folder),
Hugging Face dataset splits (`{hf: ...}`), and synthetic shard directories."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)

from generator.errors import ConfigError
from trainer.hf.registry import hf_format, is_mixed
from trainer.hf.spec import HfSpec


class StrictModel(BaseModel):
    """A config model that rejects unknown keys."""

    model_config = ConfigDict(extra="forbid")


def validation_context(info: ValidationInfo) -> dict[str, Any]:
    """What `parse_experiment` passes to the validators: base folder, check_files, check_device."""
    return info.context or {}


def resolve_path(value: Path, info: ValidationInfo, what: str, *, must_exist: bool = True) -> Path:
    """An absolute path (relative ones against the config's folder), checked to exist when asked."""
    ctx = validation_context(info)
    path = value if value.is_absolute() else Path(ctx.get("base", ".")) / value
    path = Path(path).resolve()
    if must_exist and ctx.get("check_files", True) and not path.exists():
        raise ValueError(
            f"{what} {path} does not exist; fix the path (relative paths start at the config's folder)"
        )
    return path


def task_format(name: str) -> Any:
    """The registered task format `name`; ValueError listing the known ones otherwise."""
    from generator.tasks import FORMATS

    formats = FORMATS if isinstance(FORMATS, dict) else {f.name: f for f in FORMATS}
    if name not in formats:
        raise ValueError(f"unknown task format {name!r}; use one of: {', '.join(sorted(formats))}")
    return formats[name]


def task_kind(name: str) -> str:
    """The example kind (qa, pair, choice, tagging, retrieval) of a task format."""
    return str(task_format(name).kind)


def check_same_format(task: str, spec: HfSpec, where: str) -> None:
    """`spec`'s rows must be of the kind and label set of the format `task`."""
    from generator.tasks import get_format

    given, wanted = get_format(hf_format(spec)), get_format(task)
    if (given.kind, given.labels) != (wanted.kind, wanted.labels):
        raise ValueError(
            f"{where}: {spec.describe()} holds {given.name} data ({given.kind}), not {task}; "
            f"set the task format to {given.name} or name a dataset of {task}"
        )


def known_hf(spec: HfSpec) -> HfSpec:
    """`spec` when it names a supported dataset; ValueError (for the validator) otherwise."""
    try:
        hf_format(spec)
    except ConfigError as err:
        raise ValueError(str(err)) from None
    return spec


class HfRef(StrictModel):
    """A Hugging Face dataset split in place of a file: `{hf: {id, config, split, revision}}`."""

    hf: HfSpec

    @field_validator("hf")
    @classmethod
    def _supported(cls, value: HfSpec) -> HfSpec:
        known_hf(cls._filled(value, "en"))
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


class SyntheticConfig(StrictModel):
    """Translated / code-switched shards mixed into the intermediate tasks of the same format."""

    shards: list[Path] = Field(min_length=1)
    langs: list[str] = Field(default_factory=list)
    methods: list[str] = Field(default_factory=list)
    ratio: float = Field(default=0.5, gt=0.0, lt=1.0, description="synthetic share of intermediate examples")

    @field_validator("shards")
    @classmethod
    def _verified(cls, value: list[Path], info: ValidationInfo) -> list[Path]:
        from generator.shards import verify

        resolved = [resolve_path(p, info, "shard directory") for p in value]
        if not validation_context(info).get("check_files", True):
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
