"""Generation jobs: submit (202), list, status with progress and drop counts, cancel, manifest and shards."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, status
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from generator.card import CARD, render_card
from generator.errors import ConfigError, ShardError
from generator.pipeline.config import SOURCE_LANG
from generator.shards import MANIFEST, Manifest, load_manifest
from service.datasets import dataset_path, visible_dataset
from service.db import as_utc
from service.deps import CallerDep, DatabaseDep, DbDep, MetricsDep, SettingsDep, TranslatorsDep
from service.errors import ErrorResponse, NotFoundError, ServiceError
from service.idempotency import Idempotency, IdempotencyHeader, fingerprint
from service.jobs.models import Job, JobState
from service.jobs.spec import JobRequest, generate_config, job_out_dir, job_profile
from service.jobs.store import cancel_job, create_job, get_job, job_progress, list_jobs, refresh_job_gauge
from service.redaction import public_manifest, public_model_id, redact_text
from service.retention import check_job_quota, purge_job
from service.settings import Settings
from service.translators import ConfiguredTranslators
from service.wellformed import CheckedRoute

# Largest page offset; keeps the value within a 64-bit SQL integer.
MAX_OFFSET = 2**62

router = APIRouter(prefix="/v1", tags=["jobs"], route_class=CheckedRoute)

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
        "error": redact_text(job.error) if job.error else None,
        "links": links(job.id),
    }


def _manifest(settings: Settings, job_id: str) -> Manifest | None:
    out = job_out_dir(settings, job_id)
    return load_manifest(out) if (out / MANIFEST).is_file() else None


def _check_languages(
    body: JobRequest, settings: Settings, translators: ConfiguredTranslators, kind: str
) -> None:
    """422 naming the field when a language cannot be served by the backend profile or by a lexicon."""
    if "translate" in body.methods:
        choice = job_profile(settings, body)
        translator = translators.get(choice).translator
        for i, lang in enumerate(body.langs):
            if not translator.supports(SOURCE_LANG, lang):
                raise _invalid(
                    "unsupported_language",
                    f"langs.{i}",
                    f"profile '{choice.name}' ({choice.backend}, {public_model_id(translator.model_id)}) "
                    f"cannot translate {SOURCE_LANG}->{lang}; drop the language, use the codeswitch "
                    "method, or pick another profile (GET /v1/profiles)",
                )
    if "codeswitch" in body.methods:
        from generator.lexicons.installed import lexicon_languages

        if kind == "retrieval":
            raise _invalid(
                "unsupported_method", "methods", "retrieval data is not code-switched; use translate"
            )
        installed = lexicon_languages()  # file names only: validation reads no dictionary
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
    responses={
        409: {"model": ErrorResponse, "description": "Idempotency-Key sent before with another request"},
        507: {"model": ErrorResponse, "description": "The owner's disk quota is used up"},
    },
)
def submit_job(
    body: JobRequest,
    session: DbDep,
    db: DatabaseDep,
    settings: SettingsDep,
    translators: TranslatorsDep,
    metrics: MetricsDep,
    caller: CallerDep,
    idempotency_key: IdempotencyHeader = None,
) -> JobCreated:
    from generator.tasks import FORMATS

    once = Idempotency(session, caller, "jobs", idempotency_key)
    digest = fingerprint(body.model_dump(mode="json"))
    if (earlier := once.earlier(digest)) is not None:
        job = get_job(session, earlier, caller)
        return JobCreated(id=job.id, state=cast(JobState, job.state), links=links(job.id))

    dataset = visible_dataset(session, body.dataset_id, caller)
    if dataset is None:
        raise _invalid(
            "unknown_dataset",
            "dataset_id",
            f"no dataset '{body.dataset_id}'; upload one with POST /v1/datasets",
        )
    check_job_quota(session, settings, caller.owner)
    task = body.task or dataset.task
    if task != dataset.task:
        raise _invalid(
            "task_mismatch", "task", f"dataset '{dataset.id}' was uploaded as {dataset.task}, not {task}"
        )
    profile = body.profile or settings.default_profile
    _check_languages(body, settings, translators, FORMATS[task].kind)
    resolved = body.model_copy(update={"task": task, "profile": profile})
    try:
        generate_config(
            settings, resolved, task, dataset_path(settings, dataset), job_out_dir(settings, "new")
        )
    except ConfigError as exc:
        raise ServiceError(422, "invalid_request", str(exc)) from exc
    units = [(task, lang, method) for lang in resolved.langs for method in resolved.methods]
    job = create_job(
        session, resolved.model_dump(mode="json"), dataset.id, units, dataset.examples, caller.owner
    )
    once.remember(digest, job.id)
    session.commit()
    refresh_job_gauge(metrics, db)
    return JobCreated(id=job.id, state="queued", links=links(job.id))


@router.get(
    "/jobs", summary="The caller's jobs (an admin key: every one), newest first, optionally of one state"
)
def jobs(
    session: DbDep,
    caller: CallerDep,
    state: Annotated[JobState | None, Query(description="Only jobs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> JobPage:
    rows, total = list_jobs(session, state, limit, offset, caller)
    return JobPage(
        jobs=[JobSummary(**_summary(job)) for job in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/jobs/{job_id}",
    summary="A job's state, progress per task x language x method, drop counts, error",
    responses=NOT_FOUND,
)
def job_status(job_id: str, session: DbDep, settings: SettingsDep, caller: CallerDep) -> JobOut:
    job = get_job(session, job_id, caller)
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
    response_model=JobSummary,
    summary="Cancel a queued or running job (409 once it has finished; shards are kept), or with "
    "purge=true delete a finished job with its shards (204; 409 while it is not finished)",
    responses={
        **NOT_FOUND,
        204: {"description": "Purged: the job, its progress and its shards are deleted"},
        409: {"model": ErrorResponse, "description": "Cancel: the job has finished. Purge: it has not"},
    },
)
def cancel(
    job_id: str,
    session: DbDep,
    db: DatabaseDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    caller: CallerDep,
    purge: Annotated[
        bool, Query(description="Delete the finished job and its files instead of cancelling it.")
    ] = False,
) -> Any:
    if purge:
        purge_job(session, settings, job_id, caller)
        session.commit()
        refresh_job_gauge(metrics, db)
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    job = cancel_job(session, job_id, caller)
    session.commit()
    refresh_job_gauge(metrics, db)
    return JobSummary(**_summary(job))


def _served_manifest(settings: Settings, job: Job) -> Manifest:
    found = _manifest(settings, job.id)
    if found is None:
        raise NotFoundError(
            f"job '{job.id}' has no manifest yet (state {job.state}); it appears with the first finished shard"
        )
    return found


@router.get(
    "/jobs/{job_id}/manifest",
    summary="The job's shard manifest (rows, checksums, drops, provenance; no server paths)",
    responses=NOT_FOUND,
)
def manifest(job_id: str, session: DbDep, settings: SettingsDep, caller: CallerDep) -> dict[str, Any]:
    return public_manifest(_served_manifest(settings, get_job(session, job_id, caller)))


@router.get(
    "/jobs/{job_id}/shards/{path:path}",
    summary="Download a shard file (a path listed in the manifest, manifest.json or the README.md dataset card)",
    response_class=FileResponse,
    responses=NOT_FOUND,
)
def shard(job_id: str, path: str, session: DbDep, settings: SettingsDep, caller: CallerDep) -> Response:
    job = get_job(session, job_id, caller)
    missing = NotFoundError(f"job '{job_id}' has no shard file '{path}'; the manifest lists the shard paths")
    found = _manifest(settings, job_id)
    if found is None:
        raise missing
    if path == MANIFEST:
        return JSONResponse(public_manifest(found))
    if path == CARD:  # rendered from the public manifest: no server location can appear
        card = render_card(Manifest.model_validate(public_manifest(found)))
        return PlainTextResponse(card, media_type="text/markdown")
    if path not in {s.path for s in found.shards}:
        raise missing
    root = job_out_dir(settings, job.id).resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise missing
    return FileResponse(
        target,
        media_type=MEDIA_TYPES.get(Path(target).suffix, "application/octet-stream"),
        filename=target.name,
    )
