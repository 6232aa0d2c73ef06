"""What a job asks for (the body of POST /v1/jobs, stored with the job) and the pipeline config it becomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from generator.errors import ConfigError
from generator.languages import get_language
from generator.pipeline.config import SOURCE_LANG, CodeSwitchOptions, GenerateConfig, Method
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


class JobRequest(BaseModel):
    """A generation job over an uploaded dataset."""

    model_config = ConfigDict(extra="forbid", strict=True)

    dataset_id: str = Field(description="Id returned by POST /v1/datasets.")
    task: str | None = Field(
        default=None, description="Task format; defaults to the dataset's, and must match it when given."
    )
    langs: list[TargetLanguage] = Field(min_length=1, description="Target languages (XTREME-R codes).")
    methods: list[Method] = Field(
        default_factory=_translate_only, min_length=1, description="translate and/or codeswitch."
    )
    backend: str | None = Field(
        default=None,
        description="Backend for the translate method (GET /v1/backends); default from settings.",
    )
    backend_options: dict[str, Any] = Field(
        default_factory=dict, description="Backend options over the configured ones."
    )
    codeswitch: CodeSwitchParams = Field(default_factory=CodeSwitchParams)
    rows_per_shard: int = Field(default=500, ge=1, le=1_000_000, description="Input rows per shard.")
    seed: int = Field(default=0, description="Random seed; the same job gives the same shards.")


def job_out_dir(settings: Settings, job_id: str) -> Path:
    """Where a job's shards and manifest go."""
    return settings.data_dir / "jobs" / job_id / "shards"


def generate_config(
    settings: Settings, request: JobRequest, task: str, source: Path, out: Path
) -> GenerateConfig:
    """The pipeline config of a job (ConfigError listing every problem)."""
    backend = request.backend or settings.default_backend
    return GenerateConfig.build(
        task=task,
        input=source,
        langs=request.langs,
        methods=request.methods,
        backend=backend,
        backend_options={**settings.options_for(backend), **request.backend_options},
        codeswitch=CodeSwitchOptions(**request.codeswitch.model_dump()),
        out=out,
        rows_per_shard=request.rows_per_shard,
        cache_path=settings.resolved_cache_path() if settings.use_cache else None,
        executor=settings.executor,
        ray_address=settings.ray_address or None,
        seed=request.seed,
    )
