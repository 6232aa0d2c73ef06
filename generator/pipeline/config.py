"""What a generation run is asked to do: `GenerateConfig`, its code-switching options and output settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.errors import ConfigError
from generator.filters import FilterConfig
from generator.projection.config import ProjectionConfig
from generator.quality.qe_config import QEConfig

SOURCE_LANG = "en"
Method = Literal["translate", "codeswitch"]
# Settings that change what a shard holds: a directory's shards must all agree on them.
OUTPUT_FIELDS = (
    "task",
    "input",
    "backend",
    "backend_options",
    "codeswitch",
    "rows_per_shard",
    "filters",
    "projection",
    "qe",
    "seed",
)


class CodeSwitchOptions(BaseModel):
    """Code-switching settings of a generation run (CoSDA-ML style, FreeDict/MUSE lexicons)."""

    model_config = ConfigDict(extra="forbid")

    token_ratio: float = Field(default=0.5, ge=0.0, le=1.0)
    sentence_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    mix: Literal["one", "many"] = "one"
    sense: Literal["main", "weighted", "uniform"] = Field(
        default="main", description="main: best-ranked translation; weighted: drawn by rank score; uniform"
    )
    function_words: bool = Field(default=False, description="Switch function words (articles, ...) too")
    lexicon_files: dict[str, Path] = Field(
        default_factory=dict, description="MUSE lexicon file per language; FreeDict otherwise"
    )


class GenerateConfig(BaseModel):
    """One generation run; every problem is reported at once when it is built with `GenerateConfig.build`."""

    model_config = ConfigDict(extra="forbid")

    task: str
    input: Path
    langs: list[str]
    methods: list[Method] = ["translate"]
    backend: str = "apertium"
    backend_options: dict[str, Any] = Field(default_factory=dict)
    codeswitch: CodeSwitchOptions = CodeSwitchOptions()
    out: Path
    rows_per_shard: int = Field(default=500, ge=1)
    batch_size: int = Field(default=64, ge=1)
    cache_path: Path | None = None
    filters: FilterConfig = FilterConfig()
    projection: ProjectionConfig = ProjectionConfig()
    qe: QEConfig = QEConfig()
    skip_invalid: bool = False
    executor: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    seed: int = 0

    @model_validator(mode="after")
    def _check(self) -> GenerateConfig:
        from generator.backends.registry import BACKENDS
        from generator.languages import LANGUAGES
        from generator.tasks import FORMATS

        problems = []
        if self.task not in FORMATS:
            problems.append(f"unknown task '{self.task}'; choose one of {', '.join(sorted(FORMATS))}")
        unknown = [code for code in self.langs if code not in LANGUAGES]
        if unknown:
            problems.append(f"unknown language code(s) {', '.join(unknown)}; use XTREME-R codes")
        if not self.langs:
            problems.append("no target languages; pass XTREME-R codes such as es,sw,yo")
        if SOURCE_LANG in self.langs:
            problems.append("'en' is the source language; pick target languages other than en")
        if not self.methods:
            problems.append("no methods; pass translate and/or codeswitch")
        if "translate" in self.methods and self.backend not in BACKENDS:
            problems.append(f"unknown backend '{self.backend}'; choose one of {', '.join(BACKENDS)}")
        bad_files = [lang for lang in self.codeswitch.lexicon_files if lang not in self.langs]
        if bad_files:
            problems.append(f"lexicon files given for {', '.join(bad_files)}, which are not among langs")
        if problems:
            raise ValueError("; ".join(problems))
        self.langs = list(dict.fromkeys(self.langs))
        self.methods = list(dict.fromkeys(self.methods))
        return self

    @classmethod
    def build(cls, **values: Any) -> GenerateConfig:
        """Validate `values`, raising one ConfigError that lists every problem."""
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                message = str(err["msg"]).removeprefix("Value error, ")
                problems.append(f"{where}: {message}" if where else message)
            raise ConfigError("invalid generation config: " + "; ".join(problems)) from None

    def output_settings(self) -> dict[str, Any]:
        """The settings that decide shard contents (compared on resume)."""
        dumped = self.model_dump(mode="json")
        return {key: dumped[key] for key in OUTPUT_FIELDS}
