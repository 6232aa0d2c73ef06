"""Dataset uploads: English task files validated on arrival and stored with a checksum."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from pydantic import BaseModel, Field

from service.datasets import Dataset, discard_upload, get_dataset, list_datasets, store_upload
from service.db import as_utc
from service.deps import CallerDep, DbDep, SettingsDep
from service.errors import ErrorResponse, ServiceError
from service.idempotency import Idempotency, IdempotencyHeader, fingerprint
from service.retention import delete_dataset, upload_room
from service.wellformed import CheckedRoute

# Largest page offset; keeps the value within a 64-bit SQL integer.
MAX_OFFSET = 2**62

router = APIRouter(prefix="/v1", tags=["datasets"], route_class=CheckedRoute)

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse, "description": "No such dataset"}}


class DatasetOut(BaseModel):
    id: str
    task: str
    filename: str
    sha256: str
    size_bytes: int
    examples: int = Field(description="Examples read from the file.")
    created_at: datetime

    @classmethod
    def of(cls, row: Dataset) -> DatasetOut:
        return cls(
            id=row.id,
            task=row.task,
            filename=row.filename,
            sha256=row.sha256,
            size_bytes=row.size_bytes,
            examples=row.examples,
            created_at=as_utc(row.created_at),
        )


class DatasetPage(BaseModel):
    datasets: list[DatasetOut]
    total: int
    limit: int
    offset: int


@router.post(
    "/datasets",
    status_code=status.HTTP_201_CREATED,
    summary="Upload an English task file (validated with the task reader; nothing is stored if it is bad)",
    responses={
        409: {"model": ErrorResponse, "description": "Idempotency-Key sent before with another file"},
        507: {"model": ErrorResponse, "description": "The owner's disk quota has no room for the file"},
    },
)
def upload_dataset(
    task: Annotated[str, Form(description="Task format of the file (GET /v1/tasks), e.g. 'squad'.")],
    file: Annotated[UploadFile, File(description="The task file.")],
    session: DbDep,
    settings: SettingsDep,
    caller: CallerDep,
    idempotency_key: IdempotencyHeader = None,
) -> DatasetOut:
    once = Idempotency(session, caller, "datasets", idempotency_key)
    room = upload_room(session, settings, caller.owner)
    row = store_upload(session, settings, task, file.filename, file.file, caller.owner, room)
    digest = fingerprint({"task": row.task, "filename": row.filename, "sha256": row.sha256})
    try:
        earlier = once.earlier(digest)
    except ServiceError:
        discard_upload(session, settings, row)
        raise
    if earlier is None:
        once.remember(digest, row.id)
        return DatasetOut.of(row)
    discard_upload(session, settings, row)
    return DatasetOut.of(get_dataset(session, earlier, caller))


@router.get("/datasets", summary="The caller's uploaded datasets (an admin key: every one), newest first")
def datasets(
    session: DbDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DatasetPage:
    rows, total = list_datasets(session, limit, offset, caller)
    return DatasetPage(datasets=[DatasetOut.of(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/datasets/{dataset_id}", summary="One uploaded dataset", responses=NOT_FOUND)
def dataset(dataset_id: str, session: DbDep, caller: CallerDep) -> DatasetOut:
    return DatasetOut.of(get_dataset(session, dataset_id, caller))


@router.delete(
    "/datasets/{dataset_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an uploaded dataset and its file (409 while a job uses it)",
    responses={
        **NOT_FOUND,
        409: {"model": ErrorResponse, "description": "Jobs still use the dataset; purge them first"},
    },
)
def remove_dataset(dataset_id: str, session: DbDep, settings: SettingsDep, caller: CallerDep) -> Response:
    delete_dataset(session, settings, dataset_id, caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
