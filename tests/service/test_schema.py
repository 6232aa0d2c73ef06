"""Property-based requests from the OpenAPI schema, with keys of every scope and without: no 5xx, responses conform."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from service.app import create_app
from service.settings import Settings
from tests.service.conftest import add_key

DATA_DIR = Path(tempfile.mkdtemp(prefix="xstilts-schema-"))
KEYS = {scope: add_key(DATA_DIR, scope, scope=scope) for scope in ("read", "write", "admin")}

app = create_app(
    Settings(
        data_dir=DATA_DIR,
        rate_limit_per_minute=0,
        auth_failures_per_minute=0,
        use_cache=False,
        max_texts=8,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Whether a schema-valid request can be served depends on what is installed (backend language
# pairs, lexicons) and on the key's scope, so a 422 for e.g. en->sw on Apertium or a 403 for a
# read key is right; every other check applies.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture(scope="module", autouse=True)
def _clean_data_dir() -> object:
    yield
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def _lexicons_ready() -> None:
    """Every installed lexicon loaded and used once up front (the first switch into a large one builds
    its indexes for seconds), so no generated request runs into the client's read timeout."""
    from random import Random

    from generator.codeswitch.config import CodeSwitchConfig
    from generator.codeswitch.switching import switch_text
    from generator.lexicons.installed import available_lexicons
    from service.codeswitching import LexiconStore

    langs = tuple(sorted({info.lang for info in available_lexicons()}))
    for lang, lexicon in LexiconStore(None).get(langs).items():
        switch_text("The house is red.", {lang: lexicon}, CodeSwitchConfig(langs=(lang,)), Random(0))


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_with_a_write_key(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=KEYS["write"], excluded_checks=EXCLUDED)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_with_a_read_key(case: schemathesis.Case) -> None:
    response = case.call_and_validate(headers=KEYS["read"], excluded_checks=EXCLUDED)
    declared = case.operation.method.upper()
    writes = (
        case.path.startswith("/v1") and case.method.upper() == declared and declared in ("POST", "DELETE")
    )
    if writes:
        assert response.status_code == 403, response.text


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_with_an_admin_key(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=KEYS["admin"], excluded_checks=EXCLUDED)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_without_a_key_answers_401_on_every_v1_route(case: schemathesis.Case) -> None:
    # Without a key even an unsupported method is 401: the API does not tell which routes exist.
    response = case.call_and_validate(excluded_checks=[*EXCLUDED, schemathesis.checks.unsupported_method])
    if case.path.startswith("/v1"):
        assert response.status_code == 401, response.text
