"""Generation jobs: submit (202), list, status with progress and drop counts, cancel, manifest and shards."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from generator.errors import ConfigError, ShardError
from generator.pipeline.config import SOURCE_LANG
from generator.shards import MANIFEST, Manifest, load_manifest
from service.datasets import Dataset, dataset_path
from service.db import as_utc
from service.deps import DatabaseDep, DbDep, MetricsDep, SettingsDep, TranslatorsDep
from service.errors import ErrorResponse, NotFoundError, ServiceError
from service.jobs.models import Job, JobState
from service.jobs.spec import JobRequest, generate_config, job_out_dir
from service.jobs.store import cancel_job, create_job, get_job, job_progress, list_jobs, refresh_job_gauge
from service.settings import Settings
from service.translators import ConfiguredTranslators

# Largest page offset; keeps the value within a 64-bit SQL integer.
MAX_OFFSET = 2**62

router = APIRouter(prefix="/v1", tags=["jobs"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "No such job (or shard file, or no manifest yet)"}
}
MEDIA_TYPES = {".parquet": "application/vnd.apache.parquet", ".json": "application/json"}


class JobLinks(BaseModel):
    self: str
    manifest: str
    shards: str = Field(description="Prefix of the shard downloads; append a path from the manifest.")


def links(job_id: str) -> JobLinks:
    base = f"/v1/jobs/{job_id}"
    return JobLinks(self=base, manifest=f"{base}/manifest", shards=f"{base}/shards/")


class JobCreated(BaseModel):
    id: str
    state: JobState
    links: JobLinks


class ProgressOut(BaseModel):
    task: str
    lang: str
    method: str
    done_rows: int = Field(description="Input rows processed.")
    total_rows: int
    kept: int
    dropped: int
    drops: dict[str, int] = Field(description="Dropped examples by reason (from finished shards).")


class CountsOut(BaseModel):
    kept: int
    dropped: int
    drops: dict[str, int] = Field(description="Dropped examples by reason, all languages and methods.")


class JobSummary(BaseModel):
    id: str
    state: JobState
    dataset_id: str
    created_at: datetime
    updated_at: datetime
    error: str | None
    links: JobLinks


class JobOut(JobSummary):
    request: dict[str, Any]
    attempts: int = Field(description="Times a worker has claimed the job.")
    lease_owner: str | None = Field(description="The worker running the job (or that ran it last).")
    lease_expires_at: datetime | None
    heartbeat_at: datetime | None
    progress: list[ProgressOut] = Field(description="Per task x language x method.")
    counts: CountsOut


class JobPage(BaseModel):
    jobs: list[JobSummary]
    total: int
    limit: int
    offset: int


def _invalid(code: str, field: str, message: str) -> ServiceError:
    return ServiceError(422, code, f"field '{field}': {message}", field)


def _summary(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "state": job.state,
        "dataset_id": job.dataset_id,
        "created_at": as_utc(job.created_at),
        "updated_at": as_utc(job.updated_at),
        "error": job.error,
        "links": links(job.id),
    }


def _manifest(settings: Settings, job_id: str) -> Manifest | None:
    out = job_out_dir(settings, job_id)
    return load_manifest(out) if (out / MANIFEST).is_file() else None


def _check_languages(body: JobRequest, backend: str, translators: ConfiguredTranslators, kind: str) -> None:
    """422 naming the field when a language cannot be served by the backend or by a lexicon."""
    if "translate" in body.methods:
        from generator.backends import BACKENDS

        if backend not in BACKENDS:
            raise _invalid(
                "unknown_backend", "backend", f"unknown backend '{backend}'; use one of {', '.join(BACKENDS)}"
            )
        try:
            translator = translators.get(backend, body.backend_options).translator
        except ConfigError as exc:
            raise _invalid("invalid_options", "backend_options", str(exc)) from exc
        for i, lang in enumerate(body.langs):
            if not translator.supports(SOURCE_LANG, lang):
                raise _invalid(
                    "unsupported_language",
                    f"langs.{i}",
                    f"backend '{backend}' ({translator.model_id}) cannot translate {SOURCE_LANG}->{lang}; "
                    "drop the language, use the codeswitch method, or pick another backend (GET /v1/backends)",
                )
    if "codeswitch" in body.methods:
        from generator.lexicons.installed import available_lexicons

        if kind == "retrieval":
            raise _invalid(
                "unsupported_method", "methods", "retrieval data is not code-switched; use translate"
            )
        installed = {info.lang for info in available_lexicons()}
        for i, lang in enumerate(body.langs):
            if lang not in installed:
                raise _invalid(
                    "missing_lexicon",
                    f"langs.{i}",
                    f"no English->{lang} lexicon is installed for code-switching "
                    f"(install dict-freedict-eng-* or add a MUSE en-{lang}.txt file); installed: "
                    f"{', '.join(sorted(installed)) or 'none'}",
                )


@router.post(
    "/jobs",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Submit a generation job over an uploaded dataset (runs in the background)",
)
def submit_job(
    body: JobRequest,
    session: DbDep,
    db: DatabaseDep,
    settings: SettingsDep,
    translators: TranslatorsDep,
    metrics: MetricsDep,
) -> JobCreated:
    from generator.tasks import FORMATS

    dataset = session.get(Dataset, body.dataset_id)
    if dataset is None:
        raise _invalid(
            "unknown_dataset",
            "dataset_id",
            f"no dataset '{body.dataset_id}'; upload one with POST /v1/datasets",
        )
    task = body.task or dataset.task
    if task != dataset.task:
        raise _invalid(
            "task_mismatch", "task", f"dataset '{dataset.id}' was uploaded as {dataset.task}, not {task}"
        )
    backend = body.backend or settings.default_backend
    _check_languages(body, backend, translators, FORMATS[task].kind)
    resolved = body.model_copy(update={"task": task, "backend": backend})
    try:
        generate_config(
            settings, resolved, task, dataset_path(settings, dataset), job_out_dir(settings, "new")
        )
    except ConfigError as exc:
        raise ServiceError(422, "invalid_request", str(exc)) from exc
    units = [(task, lang, method) for lang in resolved.langs for method in resolved.methods]
    job = create_job(session, resolved.model_dump(mode="json"), dataset.id, units, dataset.examples)
    session.commit()
    refresh_job_gauge(metrics, db)
    return JobCreated(id=job.id, state="queued", links=links(job.id))


@router.get("/jobs", summary="Jobs, newest first, optionally of one state")
def jobs(
    session: DbDep,
    state: Annotated[JobState | None, Query(description="Only jobs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> JobPage:
    rows, total = list_jobs(session, state, limit, offset)
    return JobPage(
        jobs=[JobSummary(**_summary(job)) for job in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/jobs/{job_id}",
    summary="A job's state, progress per task x language x method, drop counts, error",
    responses=NOT_FOUND,
)
def job_status(job_id: str, session: DbDep, settings: SettingsDep) -> JobOut:
    job = get_job(session, job_id)
    try:
        manifest = _manifest(settings, job_id)
    except ShardError:
        manifest = None
    unit_drops = manifest.drops() if manifest else {}
    progress = [
        ProgressOut(
            task=p.task,
            lang=p.lang,
            method=p.method,
            done_rows=p.done_rows,
            total_rows=p.total_rows,
            kept=p.kept,
            dropped=p.dropped,
            drops=unit_drops.get(f"{p.task}/{p.lang}/{p.method}", {}),
        )
        for p in job_progress(session, job_id)
    ]
    totals: dict[str, int] = {}
    for entry in progress:
        for reason, count in entry.drops.items():
            totals[reason] = totals.get(reason, 0) + count
    counts = CountsOut(
        kept=sum(p.kept for p in progress), dropped=sum(p.dropped for p in progress), drops=totals
    )
    return JobOut(
        **_summary(job),
        request=job.request,
        attempts=job.attempts,
        lease_owner=job.lease_owner,
        lease_expires_at=as_utc(job.lease_expires_at),
        heartbeat_at=as_utc(job.heartbeat_at),
        progress=progress,
        counts=counts,
    )


@router.delete(
    "/jobs/{job_id}",
    summary="Cancel a queued or running job (409 once it has finished); finished shards are kept",
    responses={**NOT_FOUND, 409: {"model": ErrorResponse, "description": "The job has already finished"}},
)
def cancel(job_id: str, session: DbDep, db: DatabaseDep, metrics: MetricsDep) -> JobSummary:
    job = cancel_job(session, job_id)
    session.commit()
    refresh_job_gauge(metrics, db)
    return JobSummary(**_summary(job))


@router.get(
    "/jobs/{job_id}/manifest",
    summary="The job's shard manifest (rows, checksums, drops, provenance)",
    responses=NOT_FOUND,
)
def manifest(job_id: str, session: DbDep, settings: SettingsDep) -> dict[str, Any]:
    job = get_job(session, job_id)
    found = _manifest(settings, job_id)
    if found is None:
        raise NotFoundError(
            f"job '{job_id}' has no manifest yet (state {job.state}); it appears with the first finished shard"
        )
    return found.model_dump(mode="json")


@router.get(
    "/jobs/{job_id}/shards/{path:path}",
    summary="Download a shard file (a path listed in the manifest)",
    response_class=FileResponse,
    responses=NOT_FOUND,
)
def shard(job_id: str, path: str, session: DbDep, settings: SettingsDep) -> FileResponse:
    get_job(session, job_id)
    root = job_out_dir(settings, job_id).resolve()
    target = (root / path).resolve()
    inside = target.is_relative_to(root) and target != root
    if (
        not inside
        or any(part.startswith(".") for part in target.relative_to(root).parts)
        or not target.is_file()
    ):
        raise NotFoundError(f"job '{job_id}' has no shard file '{path}'; the manifest lists the shard paths")
    return FileResponse(
        target,
        media_type=MEDIA_TYPES.get(Path(target).suffix, "application/octet-stream"),
        filename=target.name,
    )
