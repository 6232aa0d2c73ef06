"""Retention: deleting datasets and finished jobs with their files, the TTL sweep, per-owner disk quotas.

Everything is per owner, as `service.tenancy` defines it: a key deletes and is charged for its
owner's datasets and jobs only (an admin key for everyone's). Rows go first where another row may
still point at them (a dataset), files first where nothing does (a finished job), so a crash in
between leaves at worst a row the next purge or sweep removes, or an orphaned upload folder.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Delete, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.datasets import Dataset, datasets_root, get_dataset
from service.db import Database, as_utc, utcnow
from service.errors import ServiceError
from service.jobs.models import Job, JobProgress
from service.jobs.store import get_job
from service.metrics import Metrics
from service.settings import Settings
from service.tenancy import Caller

log = logging.getLogger(__name__)

FINISHED = ("succeeded", "failed", "cancelled")
# Jobs named in a 409 for a dataset still in use.
SHOWN_JOBS = 5


def jobs_root(settings: Settings) -> Path:
    return settings.data_dir / "jobs"


def dir_bytes(path: Path) -> int:
    """Bytes of the files under `path` (0 when it does not exist)."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(folder) / name).lstat().st_size
            except FileNotFoundError:  # deleted while we walked
                continue
    return total


def _owned(column: InstrumentedAttribute[str | None], owner: str | None) -> ColumnElement[bool]:
    return column.is_(None) if owner is None else column == owner


def _deleted(session: Session, statement: Delete) -> int:
    return int(cast(CursorResult[Any], session.execute(statement)).rowcount)


@dataclass(frozen=True)
class Usage:
    """Disk bytes an owner holds: uploads and job outputs."""

    datasets: int
    jobs: int

    @property
    def total(self) -> int:
        return self.datasets + self.jobs


def owner_usage(session: Session, settings: Settings, owner: str | None) -> Usage:
    """What `owner` (None: data made while authentication was off) holds on disk."""
    uploaded = session.scalar(
        select(func.coalesce(func.sum(Dataset.size_bytes), 0)).where(_owned(Dataset.owner, owner))
    )
    job_ids = session.scalars(select(Job.id).where(_owned(Job.owner, owner)))
    outputs = sum(dir_bytes(jobs_root(settings) / job_id) for job_id in job_ids)
    return Usage(int(uploaded or 0), outputs)


def _quota_message(settings: Settings, usage: Usage) -> str:
    return (
        f"this key's owner holds {usage.total} bytes ({usage.datasets} in uploads, {usage.jobs} in job "
        f"outputs) of its {settings.disk_quota_bytes}-byte quota; free space with DELETE "
        "/v1/datasets/{id} and DELETE /v1/jobs/{id}?purge=true, or ask the operator to raise "
        "XSTILTS_DISK_QUOTA_BYTES"
    )


def upload_room(session: Session, settings: Settings, owner: str | None) -> int | None:
    """Bytes `owner` may still upload (None: no quota); 507 when the quota is used up already."""
    if not settings.disk_quota_bytes:
        return None
    usage = owner_usage(session, settings, owner)
    room = settings.disk_quota_bytes - usage.total
    if room <= 0:
        raise ServiceError(507, "quota_exceeded", _quota_message(settings, usage), "file")
    return room


def check_job_quota(session: Session, settings: Settings, owner: str | None) -> None:
    """507 when `owner` has used up its quota (a job's shards would add to it)."""
    if not settings.disk_quota_bytes:
        return
    usage = owner_usage(session, settings, owner)
    if usage.total >= settings.disk_quota_bytes:
        raise ServiceError(507, "quota_exceeded", _quota_message(settings, usage))


def _may_still_write(job: Job, now: datetime, lease_seconds: float) -> bool:
    """A cancelled job's worker writes until its next renewal, at most a lease after its last heartbeat."""
    beat = as_utc(job.heartbeat_at)
    return job.state == "cancelled" and beat is not None and now - beat < timedelta(seconds=lease_seconds)


def _delete_job(session: Session, settings: Settings, job_id: str) -> bool:
    """Remove a finished job's folder, then its rows; False when it is gone or no longer finished."""
    shutil.rmtree(jobs_root(settings) / job_id, ignore_errors=True)
    session.execute(delete(JobProgress).where(JobProgress.job_id == job_id))
    return bool(_deleted(session, delete(Job).where(Job.id == job_id, Job.state.in_(FINISHED))))


def purge_job(session: Session, settings: Settings, job_id: str, caller: Caller) -> None:
    """Delete a finished job `caller` may see, its shards and its record; 409 while it may still run."""
    job = get_job(session, job_id, caller)
    if job.state not in FINISHED:
        raise ServiceError(
            409,
            "job_not_finished",
            f"job '{job_id}' is {job.state}; cancel it first (DELETE /v1/jobs/{job_id}), then purge it",
            "job_id",
        )
    if _may_still_write(job, utcnow(), settings.lease_seconds):
        raise ServiceError(
            409,
            "job_stopping",
            f"job '{job_id}' was cancelled and its worker may still be stopping; purge it again shortly",
            "job_id",
            {"Retry-After": str(max(1, round(settings.lease_seconds)))},
        )
    _delete_job(session, settings, job_id)


def _delete_dataset_row(session: Session, dataset_id: str) -> bool:
    """Delete the row and commit, unless a job uses it (the job table's foreign key decides); False then."""
    try:
        removed = _deleted(session, delete(Dataset).where(Dataset.id == dataset_id))
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return bool(removed)


def delete_dataset(session: Session, settings: Settings, dataset_id: str, caller: Caller) -> None:
    """Delete a dataset `caller` may see and its file (committed); 409 naming the jobs still using it."""
    get_dataset(session, dataset_id, caller)
    users = list(session.scalars(select(Job.id).where(Job.dataset_id == dataset_id).order_by(Job.id)))
    if users or not _delete_dataset_row(session, dataset_id):
        users = users or list(session.scalars(select(Job.id).where(Job.dataset_id == dataset_id)))  # a race
        shown = ", ".join(users[:SHOWN_JOBS]) + (" ..." if len(users) > SHOWN_JOBS else "")
        raise ServiceError(
            409,
            "dataset_in_use",
            f"dataset '{dataset_id}' is used by {len(users)} job(s) ({shown}); purge them first with "
            "DELETE /v1/jobs/{id}?purge=true (cancel unfinished ones before)",
            "dataset_id",
        )
    shutil.rmtree(datasets_root(settings) / dataset_id, ignore_errors=True)


@dataclass(frozen=True)
class Swept:
    jobs: int
    datasets: int


def sweep(db: Database, settings: Settings, now: datetime | None = None) -> Swept:
    """Delete finished jobs older than `job_ttl_hours` and unused uploads older than `upload_ttl_hours`."""
    now = now or utcnow()
    jobs = datasets = 0
    if settings.job_ttl_hours:
        cutoff = now - timedelta(hours=settings.job_ttl_hours)
        with db.session() as session:
            expired = list(
                session.scalars(select(Job).where(Job.state.in_(FINISHED), Job.updated_at < cutoff))
            )
        for job in expired:
            if _may_still_write(job, now, settings.lease_seconds):
                continue
            with db.session() as session:
                jobs += _delete_job(session, settings, job.id)
    if settings.upload_ttl_hours:
        cutoff = now - timedelta(hours=settings.upload_ttl_hours)
        unused = ~exists().where(Job.dataset_id == Dataset.id)
        with db.session() as session:
            old = list(session.scalars(select(Dataset.id).where(Dataset.created_at < cutoff, unused)))
        for dataset_id in old:
            with db.session() as session:
                gone = _delete_dataset_row(session, dataset_id)
            if gone:
                shutil.rmtree(datasets_root(settings) / dataset_id, ignore_errors=True)
                datasets += 1
    if jobs or datasets:
        log.info("retention: deleted %d finished job(s) and %d upload(s) past their TTL", jobs, datasets)
    return Swept(jobs, datasets)


def record_disk_use(metrics: Metrics, settings: Settings) -> None:
    """Set the disk gauges: bytes of uploads, job outputs and translation memory, and free bytes."""
    cache = settings.resolved_cache_path()
    cache_bytes = sum(
        path.stat().st_size
        for path in (cache, cache.with_name(cache.name + "-wal"), cache.with_name(cache.name + "-shm"))
        if path.is_file()
    )
    for kind, size in (
        ("datasets", dir_bytes(datasets_root(settings))),
        ("jobs", dir_bytes(jobs_root(settings))),
        ("cache", cache_bytes),
    ):
        metrics.disk_used.labels(kind).set(size)
    metrics.disk_free.set(shutil.disk_usage(settings.data_dir).free)


def run_sweep(db: Database, settings: Settings, metrics: Metrics) -> None:
    """One retention pass and a fresh reading of the disk gauges."""
    swept = sweep(db, settings)
    metrics.retention_deleted.labels("job").inc(swept.jobs)
    metrics.retention_deleted.labels("dataset").inc(swept.datasets)
    record_disk_use(metrics, settings)
