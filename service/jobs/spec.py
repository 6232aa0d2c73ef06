"""What a job asks for (the body of POST /v1/jobs, stored with the job) and the pipeline config it becomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from generator.errors import ConfigError
from generator.languages import get_language
from generator.pipeline.config import SOURCE_LANG, CodeSwitchOptions, GenerateConfig, Method
from service.profiles import ProfileChoice, choose_profile
from service.settings import Settings


def _target_language(code: str) -> str:
    try:
        resolved = get_language(code).code
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    if resolved == SOURCE_LANG:
        raise ValueError("'en' is the source language; pick target languages other than en")
    return resolved


TargetLanguage = Annotated[str, AfterValidator(_target_language)]


def _distinct(values: list[str]) -> list[str]:
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed more than once; name each once")
    return values


def _translate_only() -> list[Method]:
    return ["translate"]


class CodeSwitchParams(BaseModel):
    """Code-switching settings (CoSDA-ML style) for the codeswitch method."""

    model_config = ConfigDict(extra="forbid", strict=True)

    token_ratio: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Share of translatable tokens switched."
    )
    sentence_ratio: float = Field(default=1.0, ge=0.0, le=1.0, description="Share of sentences switched.")
    mix: Literal["one", "many"] = Field(
        default="one", description="'one' language per sentence or 'many' within a sentence."
    )
    sense: Literal["main", "weighted", "uniform"] = Field(
        default="main",
        description="'main': the best-ranked translation; 'weighted': drawn by rank score; 'uniform': any.",
    )
    function_words: bool = Field(
        default=False, description="Switch function words (articles, prepositions, auxiliaries) too."
    )


class JobRequest(BaseModel):
    """A generation job over an uploaded dataset."""

    model_config = ConfigDict(extra="forbid", strict=True)

    dataset_id: str = Field(description="Id returned by POST /v1/datasets.")
    task: str | None = Field(
        default=None, description="Task format; defaults to the dataset's, and must match it when given."
    )
    langs: Annotated[list[TargetLanguage], AfterValidator(_distinct)] = Field(
        min_length=1, description="Target languages (XTREME-R codes), each once."
    )
    methods: Annotated[list[Method], AfterValidator(_distinct)] = Field(
        default_factory=_translate_only, min_length=1, description="translate and/or codeswitch, each once."
    )
    profile: str | None = Field(
        default=None,
        description="Backend profile of the translate method (GET /v1/profiles); default from settings.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Call-time options of the profile's backend over the profile's own (GET /v1/profiles "
        "lists them per profile); load-time options are the operator's and refused.",
    )
    codeswitch: CodeSwitchParams = Field(default_factory=CodeSwitchParams)
    rows_per_shard: int = Field(default=500, ge=1, le=1_000_000, description="Input rows per shard.")
    seed: int = Field(default=0, description="Random seed; the same job gives the same shards.")


def job_out_dir(settings: Settings, job_id: str) -> Path:
    """Where a job's shards and manifest go."""
    return settings.data_dir / "jobs" / job_id / "shards"


def job_profile(settings: Settings, request: JobRequest) -> ProfileChoice:
    """The job's backend profile with its call-time options; 422 naming the option otherwise."""
    name = request.profile or settings.default_profile
    return choose_profile(settings.backends, name, request.options, "options")


def generate_config(
    settings: Settings, request: JobRequest, task: str, source: Path, out: Path
) -> GenerateConfig:
    """The pipeline config of a job (ConfigError listing every problem; 422 for a refused option)."""
    choice = job_profile(settings, request)
    return GenerateConfig.build(
        task=task,
        input=source,
        langs=request.langs,
        methods=request.methods,
        backend=choice.backend,
        backend_options=choice.generator_options(),
        codeswitch=CodeSwitchOptions(**request.codeswitch.model_dump()),
        out=out,
        rows_per_shard=request.rows_per_shard,
        cache_path=settings.resolved_cache_path() if settings.use_cache else None,
        executor=settings.executor,
        ray_address=settings.ray_address or None,
        seed=request.seed,
    )
