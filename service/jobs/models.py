"""Job tables: one row per job (state, request, lease) and one per task x language x method of progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
JOB_STATES: tuple[JobState, ...] = ("queued", "running", "succeeded", "failed", "cancelled")


def new_job_id() -> str:
    return str(uuid.uuid4())


class Job(Base):
    """A generation job. `attempts` counts claims and doubles as the lease's version for compare-and-set."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_job_id)
    state: Mapped[str] = mapped_column(String(16), index=True, default="queued")
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    dataset_id: Mapped[str] = mapped_column(String(36), ForeignKey("datasets.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(200), nullable=True, default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Claims that ended through no fault of the job (handed back on shutdown, lease lost to a paused
    # worker that resumed, transient backend trouble): `attempts - free_attempts` is what counts
    # against the job's maximum.
    free_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    # The owner of the key that submitted it; NULL when authentication was off (then only admin sees it).
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True, default=None)


class JobProgress(Base):
    """Progress of one (task, language, method) of a job: input rows done of total, kept and dropped."""

    __tablename__ = "job_progress"

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    task: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    method: Mapped[str] = mapped_column(String(16), primary_key=True)
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    kept: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
