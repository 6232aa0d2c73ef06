"""A job's generated examples, page by page and filtered, each beside its English source."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from generator.errors import ShardError
from generator.shards import MANIFEST, load_manifest
from service.datasets import dataset_path, visible_dataset
from service.deps import CallerDep, DbDep, SettingsDep
from service.errors import ErrorResponse, NotFoundError, ServiceError
from service.examples import EnglishSources, RowFilter, facets, read_page
from service.jobs.spec import job_out_dir
from service.jobs.store import get_job
from service.wellformed import CheckedRoute

router = APIRouter(prefix="/v1", tags=["jobs"], route_class=CheckedRoute)

# The English examples of recently browsed datasets, shared by the requests of this process.
ENGLISH = EnglishSources()
NAME = r"^[A-Za-z0-9_.-]{1,64}$"


class ExamplesQuery(BaseModel):
    """Which examples to show: task, language, method, projection, minimum confidence, page."""

    model_config = ConfigDict(extra="forbid")

    task: str | None = Field(default=None, pattern=NAME, description="Only this task format.")
    lang: str | None = Field(default=None, pattern=NAME, description="Only this target language.")
    method: Literal["translate", "codeswitch"] | None = Field(default=None, description="Only this method.")
    projection: str | None = Field(
        default=None, pattern=NAME, description="Only examples whose spans were projected by this method."
    )
    min_confidence: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Only examples with at least this projection confidence."
    )
    offset: int = Field(default=0, ge=0, le=2**62)
    limit: int = Field(default=20, ge=1, le=100)


class AnswerOut(BaseModel):
    text: str
    start: int = Field(description="Character offset of the answer in `context`.")


class SwitchOut(BaseModel):
    source: str
    target: str
    lang: str


class ExampleFields(BaseModel):
    id: str
    lang: str
    title: str
    context: str
    question: str
    answers: list[AnswerOut]
    is_impossible: bool
    text_a: str
    text_b: str
    choices: list[str]
    label: int
    tokens: list[str]
    tags: list[str]


class ExampleOut(ExampleFields):
    method: str
    projection: str = Field(description="How the answer spans or tags were carried over ('' for none).")
    confidence: float
    switched: list[SwitchOut]
    english: ExampleFields | None = Field(description="The English example it was made from, when found.")


class FacetsOut(BaseModel):
    tasks: list[str]
    langs: list[str]
    methods: list[str]
    projections: list[str]


class ExamplePage(BaseModel):
    examples: list[ExampleOut]
    total: int = Field(description="Examples matching the filters.")
    offset: int
    limit: int
    facets: FacetsOut = Field(description="Values the filters can take for this job.")


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in ExampleFields.model_fields if name in row}


@router.get(
    "/jobs/{job_id}/examples",
    summary="A page of the job's generated examples (filtered), each beside its English source",
    responses={404: {"model": ErrorResponse, "description": "No such job, or no manifest yet"}},
)
def examples(
    job_id: str,
    query: Annotated[ExamplesQuery, Query()],
    session: DbDep,
    settings: SettingsDep,
    caller: CallerDep,
) -> ExamplePage:
    job = get_job(session, job_id, caller)
    out = job_out_dir(settings, job.id)
    if not (out / MANIFEST).is_file():
        raise NotFoundError(f"job '{job.id}' has no shards yet (state {job.state}); they appear as it runs")
    where = RowFilter(query.task, query.lang, query.method, query.projection, query.min_confidence)
    try:
        manifest = load_manifest(out)
        rows, total = read_page(out, manifest, where, query.offset, query.limit)
    except ShardError as exc:
        raise ServiceError(409, "unreadable_shards", f"job '{job.id}': {exc}") from exc
    dataset = visible_dataset(session, job.dataset_id, caller)
    english: dict[str, dict[str, Any]] = {}
    if dataset is not None and rows:
        english = ENGLISH.by_id(dataset.task, dataset_path(settings, dataset))
    found = facets(manifest)
    return ExamplePage(
        examples=[
            ExampleOut(
                **row, english=ExampleFields(**_fields(english[row["id"]])) if row["id"] in english else None
            )
            for row in rows
        ],
        total=total,
        offset=query.offset,
        limit=query.limit,
        facets=FacetsOut(
            tasks=found.tasks, langs=found.langs, methods=found.methods, projections=found.projections
        ),
    )
