"""What can be asked for: languages, task formats and translation backends."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from generator.languages import LANGUAGES

router = APIRouter(prefix="/v1", tags=["catalogue"])


class LanguageOut(BaseModel):
    code: str
    name: str
    script: str
    flores: str
    m2m100: str | None
    tier: str
    in_xlmr: bool
    tasks: list[str]


class TaskOut(BaseModel):
    name: str
    kind: str
    family: str
    labels: list[str]
    description: str
    extensions: list[str]


class BackendOut(BaseModel):
    name: str
    description: str
    installed: bool
    install: str
    load_options: dict[str, Any]
    call_options: dict[str, Any]


@router.get("/languages", summary="The XTREME-R languages with MT codes, resource tier and tasks")
async def languages() -> list[LanguageOut]:
    return [
        LanguageOut(
            code=lang.code,
            name=lang.name,
            script=lang.script,
            flores=lang.flores,
            m2m100=lang.m2m100,
            tier=lang.tier,
            in_xlmr=lang.in_xlmr,
            tasks=list(lang.tasks),
        )
        for lang in LANGUAGES.values()
    ]


@router.get("/tasks", summary="Task file formats the generator reads and writes")
async def tasks() -> list[TaskOut]:
    from generator.tasks import FORMATS

    return [
        TaskOut(
            name=fmt.name,
            kind=fmt.kind,
            family=fmt.family,
            labels=list(fmt.labels),
            description=fmt.description,
            extensions=list(fmt.extensions),
        )
        for fmt in FORMATS.values()
    ]


@router.get(
    "/backends",
    summary="Translation backends, whether they are installed, and their load-time and call-time options",
)
async def backends() -> list[BackendOut]:
    from generator.backends import describe_backends

    return [BackendOut(**entry) for entry in describe_backends()]
