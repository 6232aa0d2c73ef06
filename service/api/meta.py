"""What can be asked for: languages, task formats, translation backends and the server's backend profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from generator.languages import LANGUAGES
from service.deps import SettingsDep
from service.profiles import describe_profiles
from service.wellformed import CheckedRoute

router = APIRouter(prefix="/v1", tags=["catalogue"], route_class=CheckedRoute)


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
    call_options: dict[str, Any] = Field(
        description="JSON schema of the call-time options a request may set for a profile of this backend."
    )


class ProfileOut(BaseModel):
    name: str
    backend: str
    description: str
    default: bool = Field(description="Used when a request names no profile.")
    installed: bool = Field(description="Whether the backend's software is installed on the server.")
    call_options: dict[str, Any] = Field(description="The profile's call-time options, defaults filled in.")
    call_options_schema: dict[str, Any] = Field(
        description="JSON schema of the call-time options a request may override."
    )


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
    summary="Translation backends, whether they are installed, and the call-time options requests may set",
)
async def backends() -> list[BackendOut]:
    from generator.backends import describe_backends

    return [BackendOut(**entry) for entry in describe_backends()]


@router.get(
    "/profiles",
    summary="The backend profiles this server offers: what a request may name as `profile`",
)
async def profiles(settings: SettingsDep) -> list[ProfileOut]:
    return [ProfileOut(**entry) for entry in describe_profiles(settings.backends, settings.default_profile)]
