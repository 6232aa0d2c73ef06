"""The console's page shells: public, strict CSP on every /ui response, no inline script or style."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service.ui.headers import CSP
from service.ui.router import HERE, STATIC

PAGES = ["/ui/", "/ui/login", "/ui/new", "/ui/jobs/abc123", "/ui/jobs/abc123/examples"]
REQUIRED_CSP = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_with_strict_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    for directive in REQUIRED_CSP:
        assert directive in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    html = response.text
    assert '<script src="/ui/static/console.js" defer></script>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, "no inline script"
    assert re.search(r"\sstyle=|<style", html) is None, "no inline style"
    assert re.search(r"\son[a-z]+=", html) is None, "no inline event handler"


def test_static_files_carry_the_headers_and_api_does_not(client: TestClient) -> None:
    script = client.get("/ui/static/console.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.headers["content-security-policy"] == CSP
    assert script.headers["x-content-type-options"] == "nosniff"
    assert client.get("/ui/static/console.css").headers["content-type"].startswith("text/css")
    assert "content-security-policy" not in client.get("/healthz").headers
    assert client.get("/ui", follow_redirects=False).headers["location"] == "/ui/"


def test_job_id_in_the_path_cannot_inject_markup(client: TestClient) -> None:
    for path in ("/ui/jobs/<img src=x onerror=alert(1)>", "/ui/jobs/a%22b", "/ui/jobs/x'y/examples"):
        response = client.get(path)
        assert response.status_code == 422 and "<img" not in response.text.replace("\\u003c", "")


def test_pages_hold_no_data_and_need_no_key(client: TestClient) -> None:
    # The shells are the same for every caller: the key lives in the browser, data comes from /v1.
    body = client.get("/ui/jobs/abc123").text
    assert 'data-job-id="abc123"' in body and "Authorization" not in body
    assert client.get("/v1/jobs").status_code == 200  # auth off here; with keys the API answers 401


def test_console_script_inserts_text_only() -> None:
    source = (STATIC / "console.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "localStorage"):
        assert sink not in source, f"console.js uses {sink}"
    assert "sessionStorage" in source and '"Authorization"' in source
    for template in (HERE / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, template.name


def test_every_input_has_a_label(client: TestClient) -> None:
    for path in PAGES:
        html = client.get(path).text
        ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        assert set(ids) <= labelled, f"{path}: unlabelled {set(ids) - labelled}"
