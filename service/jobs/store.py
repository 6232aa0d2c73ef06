"""The job store: create, list, get and cancel jobs; leases that workers claim, renew and give back.

Claiming is a compare-and-set: a worker reads candidate jobs (queued, or running with an expired
lease), then updates one `WHERE id = ? AND attempts = <as read> AND <still claimable>`. `attempts`
grows by one on every claim, so of two workers racing for the same job exactly one update matches
a row; the other sees rowcount 0 and tries the next candidate. This needs no row locks and behaves
the same on SQLite and Postgres. Every later write of the worker (heartbeat, progress, finish) is
conditional on the same (owner, attempt) pair, so a worker that lost its lease cannot touch the job;
the attempt is also the lease token that fences the job's shard directory (`generator.fencing`).
A claim that ended through no fault of the job (shutdown, a lease lost to a pause, transient
backend trouble) is refunded (`free_attempts`), so a job fails for good only after
`max_attempts` claims whose workers died or failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Update, and_, func, or_, select, update
from sqlalchemy.orm import Session

from service.db import Database, newest_first_page, utcnow
from service.errors import NotFoundError, ServiceError
from service.jobs.models import JOB_STATES, Job, JobProgress, JobState
from service.metrics import Metrics
from service.tenancy import Caller

CLAIM_CANDIDATES = 8


@dataclass(frozen=True)
class Lease:
    """A claimed job as its worker holds it: (owner, attempt) identifies this lease."""

    job_id: str
    owner: str
    attempt: int
    request: dict[str, Any]
    dataset_id: str


def _rows(session: Session, statement: Update) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def _claimable(now: datetime) -> Any:
    return or_(Job.state == "queued", and_(Job.state == "running", Job.lease_expires_at < now))


def _held(lease: Lease) -> Any:
    return and_(
        Job.id == lease.job_id,
        Job.lease_owner == lease.owner,
        Job.attempts == lease.attempt,
        Job.state == "running",
    )


# --- API side -----------------------------------------------------------------------------------


def create_job(
    session: Session,
    request: dict[str, Any],
    dataset_id: str,
    units: Sequence[tuple[str, str, str]],
    total_rows: int,
    owner: str | None = None,
) -> Job:
    """A queued job of `owner` with a zeroed progress row per (task, lang, method)."""
    job = Job(state="queued", request=request, dataset_id=dataset_id, attempts=0, owner=owner)
    session.add(job)
    session.flush()
    for task, lang, method in units:
        session.add(JobProgress(job_id=job.id, task=task, lang=lang, method=method, total_rows=total_rows))
    session.flush()
    return job


def get_job(session: Session, job_id: str, caller: Caller) -> Job:
    """The job when `caller` may see it; 404 otherwise (another owner's job is not told apart)."""
    job = session.get(Job, job_id)
    if job is None or not caller.can_see(job.owner):
        raise NotFoundError(f"no job with id '{job_id}'; GET /v1/jobs lists them")
    return job


def list_jobs(
    session: Session, state: JobState | None, limit: int, offset: int, caller: Caller
) -> tuple[list[Job], int]:
    """A page of the jobs `caller` may see, newest first, optionally of one state, and their count."""
    where = [Job.state == state] if state else []
    return newest_first_page(session, Job, limit, offset, *where, *caller.visible(Job.owner))


def job_progress(session: Session, job_id: str) -> list[JobProgress]:
    rows = session.scalars(
        select(JobProgress)
        .where(JobProgress.job_id == job_id)
        .order_by(JobProgress.task, JobProgress.lang, JobProgress.method)
    )
    return list(rows)


def cancel_job(session: Session, job_id: str, caller: Caller) -> Job:
    """Cancel a queued or running job `caller` may see (its worker stops at the next batch); 409 once it has finished."""
    job = get_job(session, job_id, caller)
    changed = _rows(
        session,
        update(Job)
        .where(Job.id == job_id, Job.state.in_(("queued", "running")))
        .values(state="cancelled", lease_expires_at=None, updated_at=utcnow()),
    )
    session.refresh(job)
    if not changed:
        raise ServiceError(
            409,
            "job_finished",
            f"job '{job_id}' has already {job.state}; only queued or running jobs can be cancelled",
            "job_id",
        )
    return job


def count_by_state(session: Session) -> dict[str, int]:
    """Jobs per state, every state present (zero when none)."""
    counts: dict[str, int] = dict.fromkeys(JOB_STATES, 0)
    for state, count in session.execute(select(Job.state, func.count()).group_by(Job.state)):
        counts[state] = int(count)
    return counts


def refresh_job_gauge(metrics: Metrics, db: Database) -> None:
    """Set the jobs-by-state gauge from the job store (which any worker process may have changed)."""
    with db.session() as session:
        counts = count_by_state(session)
    for state, count in counts.items():
        metrics.jobs.labels(state).set(count)


# --- worker side (each call is its own short transaction) ---------------------------------------


def claim(db: Database, worker_id: str, lease_seconds: float, max_attempts: int) -> Lease | None:
    """Take the oldest queued job, or a running one whose lease expired; None when there is none.

    A job whose lease expired after `max_attempts` claims is failed instead of being run again.
    """
    now = utcnow()
    with db.session() as session:
        candidates = session.execute(
            select(Job.id, Job.state, Job.attempts, Job.free_attempts)
            .where(_claimable(now))
            .order_by(Job.created_at, Job.id)
            .limit(CLAIM_CANDIDATES)
        ).all()
    for job_id, state, attempts, free in candidates:
        with db.session() as session:
            guard = and_(Job.id == job_id, Job.attempts == attempts, _claimable(now))
            if state == "running" and attempts - free >= max_attempts:
                _rows(
                    session,
                    update(Job)
                    .where(guard)
                    .values(
                        state="failed",
                        lease_expires_at=None,
                        updated_at=now,
                        error=f"the job's worker stopped heartbeating on each of {attempts - free} attempts "
                        "(crashed or killed, e.g. out of memory); see the worker logs, then resubmit",
                    ),
                )
                continue
            won = _rows(
                session,
                update(Job)
                .where(guard)
                .values(
                    state="running",
                    lease_owner=worker_id,
                    lease_expires_at=now + timedelta(seconds=lease_seconds),
                    heartbeat_at=now,
                    attempts=attempts + 1,
                    updated_at=now,
                    error=None,
                ),
            )
            if won:
                job = session.get_one(Job, job_id)
                return Lease(job_id, worker_id, attempts + 1, dict(job.request), job.dataset_id)
    return None


def heartbeat(db: Database, lease: Lease, lease_seconds: float) -> bool:
    """Extend the lease; False when it is no longer ours (cancelled, or expired and taken over)."""
    now = utcnow()
    with db.session() as session:
        return bool(
            _rows(
                session,
                update(Job)
                .where(_held(lease))
                .values(lease_expires_at=now + timedelta(seconds=lease_seconds), heartbeat_at=now),
            )
        )


def record_progress(
    db: Database,
    lease: Lease,
    lease_seconds: float,
    unit: tuple[str, str, str],
    done_rows: int,
    total_rows: int,
    kept: int,
    dropped: int,
) -> bool:
    """Store the totals of one (task, lang, method) and extend the lease; False when the lease is lost."""
    now = utcnow()
    task, lang, method = unit
    with db.session() as session:
        held = _rows(
            session,
            update(Job)
            .where(_held(lease))
            .values(
                lease_expires_at=now + timedelta(seconds=lease_seconds), heartbeat_at=now, updated_at=now
            ),
        )
        if not held:
            return False
        row = session.get(JobProgress, (lease.job_id, task, lang, method))
        if row is None:
            row = JobProgress(job_id=lease.job_id, task=task, lang=lang, method=method)
            session.add(row)
        row.done_rows, row.total_rows, row.kept, row.dropped = done_rows, total_rows, kept, dropped
    return True


def finish(db: Database, lease: Lease, state: JobState, error: str | None = None) -> bool:
    """Record the outcome of a leased job; False when the lease was lost meanwhile (nothing written)."""
    with db.session() as session:
        return bool(
            _rows(
                session,
                update(Job)
                .where(_held(lease))
                .values(state=state, error=error, lease_expires_at=None, updated_at=utcnow()),
            )
        )


def release(db: Database, lease: Lease, error: str | None = None) -> bool:
    """Hand a running job back to the queue without charging the attempt (worker shutting down,
    transient trouble named in `error`); another worker resumes it."""
    with db.session() as session:
        return bool(
            _rows(
                session,
                update(Job)
                .where(_held(lease))
                .values(
                    state="queued",
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=utcnow(),
                    free_attempts=Job.free_attempts + 1,
                    error=error,
                ),
            )
        )


def retry_or_fail(db: Database, lease: Lease, error: str, max_attempts: int) -> JobState | None:
    """After a failed attempt: back to the queue while charged attempts remain, else failed for good.

    Returns the state written, or None when the lease was lost meanwhile (nothing written)."""
    with db.session() as session:
        job = session.get(Job, lease.job_id)
        if job is None:
            return None
        final = job.attempts - job.free_attempts >= max_attempts
        state: JobState = "failed" if final else "queued"
        message = error if final else f"attempt {job.attempts} failed, retrying: {error}"
        values: dict[str, Any] = {
            "state": state,
            "error": message,
            "lease_expires_at": None,
            "updated_at": utcnow(),
        }
        if not final:
            values["lease_owner"] = None
        return state if _rows(session, update(Job).where(_held(lease)).values(**values)) else None


def refund(db: Database, lease: Lease) -> bool:
    """Do not charge a claim whose lease was lost while its worker was paused (it resumed and stopped)."""
    with db.session() as session:
        return bool(
            _rows(
                session,
                update(Job)
                .where(
                    Job.id == lease.job_id, Job.attempts > lease.attempt, Job.state.in_(("queued", "running"))
                )
                .values(free_attempts=Job.free_attempts + 1),
            )
        )
