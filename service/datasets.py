"""Uploaded English task files: validated with the task readers on arrival, stored with a checksum.

A dataset lives in `<data_dir>/datasets/<id>/<file name>`. An upload is written to a private
`.incoming-*` folder first and only moved into place once it has been read without error, so a
rejected or interrupted upload leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from generator.errors import InputError
from service.db import Base, newest_first_page, utcnow
from service.errors import NotFoundError, ServiceError
from service.settings import Settings
from service.structure import check_shape
from service.tenancy import Caller

CHUNK_BYTES = 1 << 20
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Dataset(Base):
    """One uploaded task file."""

    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    examples: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # The owner of the key that uploaded it; NULL when authentication was off (then only admin sees it).
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True, default=None)


def datasets_root(settings: Settings) -> Path:
    return settings.data_dir / "datasets"


def dataset_path(settings: Settings, dataset: Dataset) -> Path:
    """The stored task file of `dataset`."""
    return datasets_root(settings) / dataset.id / dataset.filename


def safe_filename(name: str | None, task: str) -> str:
    """A file name without folders or unusual characters, keeping the extension readers may look at."""
    base = Path(name or "").name
    cleaned = _UNSAFE.sub("_", base).lstrip(".")[:120]
    return cleaned or f"{task}.data"


def _copy(source: BinaryIO, target: Path, limit: int, quota: int) -> tuple[str, int]:
    """Stream the upload to `target`; 413 past `limit` bytes or past the owner's whole `quota` (0: none)."""
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        while block := source.read(CHUNK_BYTES):
            size += len(block)
            if size > limit:
                raise ServiceError(
                    413,
                    "body_too_large",
                    f"uploaded file is larger than {limit} bytes; split it or raise XSTILTS_MAX_UPLOAD_BYTES",
                    "file",
                )
            if quota and size > quota:
                raise ServiceError(
                    413,
                    "larger_than_quota",
                    f"uploaded file is larger than the whole disk quota of {quota} bytes per owner; "
                    "split it or ask the operator to raise XSTILTS_DISK_QUOTA_BYTES",
                    "file",
                )
            digest.update(block)
            out.write(block)
    return digest.hexdigest(), size


def _count_examples(task: str, path: Path, filename: str) -> int:
    from generator.tasks import read_examples

    try:
        result = read_examples(task, path)
    except InputError as err:
        raise ServiceError(
            422,
            "invalid_dataset",
            f"uploaded file '{filename}' is not a valid {task} file: {err.where}: field '{err.field}': "
            f"{err.problem}; fix the record (or check the declared task) and upload again",
            "file",
        ) from None
    if not result.examples:
        raise ServiceError(
            422, "empty_dataset", f"uploaded file '{filename}' holds no {task} examples", "file"
        )
    return len(result.examples)


def store_upload(
    session: Session,
    settings: Settings,
    task: str,
    filename: str | None,
    source: BinaryIO,
    owner: str | None = None,
    room: int | None = None,
) -> Dataset:
    """Validate and store an uploaded task file; 422 (nothing stored) when it does not read as `task`.

    `room` is what the owner's disk quota has left (None: no quota); a larger file is 507.
    """
    from generator.tasks import FORMATS

    if task not in FORMATS:
        raise ServiceError(
            422,
            "unknown_task",
            f"field 'task': unknown task format '{task}'; GET /v1/tasks lists them",
            "task",
        )
    name = safe_filename(filename, task)
    root = datasets_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    dataset_id = str(uuid.uuid4())
    incoming = root / f".incoming-{dataset_id}"
    incoming.mkdir()
    try:
        sha256, size = _copy(source, incoming / name, settings.max_upload_bytes, settings.disk_quota_bytes)
        if room is not None and size > room:
            raise ServiceError(
                507,
                "quota_exceeded",
                f"uploaded file of {size} bytes does not fit in the {room} bytes left of this key's owner's "
                f"{settings.disk_quota_bytes}-byte disk quota; free space with DELETE /v1/datasets/{{id}} "
                "and DELETE /v1/jobs/{id}?purge=true",
                "file",
            )
        check_shape(incoming / name, name, settings.upload_max_depth, settings.upload_max_records)
        examples = _count_examples(task, incoming / name, name)
        incoming.rename(root / dataset_id)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    row = Dataset(
        id=dataset_id,
        task=task,
        filename=name,
        sha256=sha256,
        size_bytes=size,
        examples=examples,
        owner=owner,
    )
    session.add(row)
    session.flush()
    return row


def discard_upload(session: Session, settings: Settings, row: Dataset) -> None:
    """Undo a stored upload whose request turned out to be a retry (row rolled back, file removed)."""
    session.rollback()
    shutil.rmtree(datasets_root(settings) / row.id, ignore_errors=True)


def sweep_incoming(settings: Settings, min_age_s: float) -> list[Path]:
    """Remove the `.incoming-*` folders of uploads a killed process left, untouched for `min_age_s`."""
    root = datasets_root(settings)
    cutoff = time.time() - min_age_s
    removed = []
    for folder in root.glob(".incoming-*") if root.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def visible_dataset(session: Session, dataset_id: str, caller: Caller) -> Dataset | None:
    """The dataset when it exists and `caller` may see it, else None (another owner's is not told apart)."""
    row = session.get(Dataset, dataset_id)
    return row if row is not None and caller.can_see(row.owner) else None


def get_dataset(session: Session, dataset_id: str, caller: Caller) -> Dataset:
    row = visible_dataset(session, dataset_id, caller)
    if row is None:
        raise NotFoundError(f"no dataset with id '{dataset_id}'; GET /v1/datasets lists them")
    return row


def list_datasets(session: Session, limit: int, offset: int, caller: Caller) -> tuple[list[Dataset], int]:
    """A page of the datasets `caller` may see, newest first, and their count."""
    return newest_first_page(session, Dataset, limit, offset, *caller.visible(Dataset.owner))
