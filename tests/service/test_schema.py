"""Property-based requests from the OpenAPI schema: no 5xx, responses conform to the schema."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from service.app import create_app
from service.settings import Settings

DATA_DIR = Path(__file__).resolve().parent / ".schema-data"

app = create_app(Settings(data_dir=DATA_DIR, rate_limit_per_minute=0, use_cache=False, max_texts=8))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _clean_data_dir() -> object:
    yield
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # Whether a schema-valid request can be served depends on what is installed (backend language
    # pairs, lexicons), so a 422 for e.g. en->sw on Apertium is right; every other check applies.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
