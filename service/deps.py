"""FastAPI dependencies as `Annotated` aliases; routes declare what they need by type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.codeswitching import CodeSwitchRunner
from service.db import Database
from service.metrics import Metrics
from service.settings import Settings
from service.state import Services
from service.tenancy import Caller
from service.translators import ConfiguredTranslators, TranslationRunner


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_database(services: ServicesDep) -> Database:
    return services.db


def get_session(services: ServicesDep) -> Iterator[Session]:
    """A session per request, committed when the route returns without error.

    `DbDep` ends it before the response is sent (scope "function"), so a client that got its answer
    finds the write committed on its next request, and a failed commit is an error response.
    """
    with services.db.session() as session:
        yield session


def get_translators(services: ServicesDep) -> ConfiguredTranslators:
    return services.translators


def get_runner(services: ServicesDep) -> TranslationRunner:
    return services.runner


def get_switcher(services: ServicesDep) -> CodeSwitchRunner:
    return services.switcher


def get_metrics(services: ServicesDep) -> Metrics:
    return services.metrics


def get_caller(request: Request) -> Caller:
    """The caller `AuthMiddleware` identified from the request's headers."""
    caller = getattr(request.state, "caller", None)
    if not isinstance(caller, Caller):
        raise RuntimeError(f"no caller for {request.url.path}: AuthMiddleware does not cover this route")
    return caller


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
DbDep = Annotated[Session, Depends(get_session, scope="function")]
TranslatorsDep = Annotated[ConfiguredTranslators, Depends(get_translators)]
TranslationDep = Annotated[TranslationRunner, Depends(get_runner)]
CodeSwitchDep = Annotated[CodeSwitchRunner, Depends(get_switcher)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
CallerDep = Annotated[Caller, Depends(get_caller)]
