"""The console in headless Chromium against a served app with a real Apertium eng→spa job."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.service.conftest import add_key, needs_apertium
from tests.service.processes import base_env, free_port, start, stop, wait_until_up
from tests.service.test_jobs import SQUAD
from tests.service.ui.browser import AXE, LAUNCH_ARGS, chromium_path, missing_or_skip

pytestmark = pytest.mark.slow
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@dataclass
class Served:
    url: str
    key: str
    job_id: str
    shots: Path | None


def _hostile_squad(dest: Path) -> Path:
    """The sample SQuAD file with markup in one question."""
    data = json.loads(SQUAD.read_text(encoding="utf-8"))
    data["data"][0]["paragraphs"][0]["qas"][0]["question"] = f"{HOSTILE} What?"
    dest.write_text(json.dumps(data), encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    missing_or_skip()
    needs_apertium()
    root = tmp_path_factory.mktemp("console")
    data = root / "data"
    env = base_env(XSTILTS_DATA_DIR=str(data), XSTILTS_WORKER_POLL_SECONDS="0.1")
    log = root / "service.log"
    add_key(data, "console", owner="alice")  # also creates the schema
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secret = add_key(data, "browser", owner="alice")["Authorization"].removeprefix("Bearer ")
    process = start([sys.executable, "-m", "xstilts", "serve", "--port", str(port)], env, log)
    try:
        wait_until_up(url, process, log)
        headers = {"Authorization": f"Bearer {secret}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
            source = _hostile_squad(root / "<script>x.json")
            up = client.post(
                "/v1/datasets", data={"task": "squad"}, files={"file": (source.name, source.read_bytes())}
            )
            assert up.status_code == 201, up.text
            body = {
                "dataset_id": up.json()["id"],
                "langs": ["es"],
                "profile": "apertium",
                "rows_per_shard": 2,
            }
            job = client.post("/v1/jobs", json=body)
            assert job.status_code == 202, job.text
            job_id = job.json()["id"]
            deadline = time.monotonic() + 120
            while client.get(f"/v1/jobs/{job_id}").json()["state"] != "succeeded":
                assert time.monotonic() < deadline, client.get(f"/v1/jobs/{job_id}").text
                time.sleep(0.2)
        shots = os.environ.get("XSTILTS_SCREENSHOTS")
        yield Served(url, secret, job_id, Path(shots) if shots else None)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), headless=True, args=LAUNCH_ARGS
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """A signed-in tab."""
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(f"{served.url}/ui/login")
    tab.get_by_label("API key").fill(served.key)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(f"{served.url}/ui/")
    yield tab
    tab.close()
    assert errors == [], f"script errors: {errors}"


def _shot(page: Any, served: Served, name: str) -> None:
    if served.shots is not None:
        served.shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(served.shots / f"{name}.png"))


def _no_serious_axe_violations(page: Any) -> None:
    # Evaluated over the debugging protocol: the page's CSP (rightly) refuses an injected script tag.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("async () => await axe.run(document)")
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"axe violations: {serious}"


def test_jobs_page_shows_progress_and_the_key_stays_in_the_tab(page: Any, served: Served) -> None:
    card = page.locator(f'article[data-job="{served.job_id}"]')
    card.wait_for()
    assert card.locator(".state").text_content() == "succeeded"
    rows = card.locator(".rows").first.text_content()
    done, total = (int(n) for n in rows.split(" / "))
    assert done == total > 0
    assert card.locator("svg.chart rect.kept").count() == 1
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("sessionStorage.getItem('xstilts.key')") == served.key
    _shot(page, served, "jobs")
    _no_serious_axe_violations(page)


def test_job_page_shows_request_manifest_and_card(page: Any, served: Served) -> None:
    page.goto(f"{served.url}/ui/jobs/{served.job_id}")
    page.locator("#downloads button").first.wait_for()
    assert json.loads(page.locator("#request").text_content())["langs"] == ["es"]
    assert json.loads(page.locator("#manifest").text_content())["complete"] is True
    # The card is fetched after the download buttons appear.
    page.wait_for_function("document.getElementById('card').textContent.trim() !== ''")
    assert "No dataset card." not in page.locator("#card").text_content()
    with page.expect_download() as download:
        page.get_by_role("button", name="manifest.json").click()
    assert json.loads(Path(download.value.path()).read_text())["complete"] is True
    _no_serious_axe_violations(page)


def _shown_spans(text: str, answers: list[dict[str, Any]]) -> list[str]:
    """The answer texts at their offsets, as the console marks them (sorted, overlaps left out)."""
    spans = sorted((a["start"], a["start"] + len(a["text"])) for a in answers)
    shown, at = [], 0
    for begin, end in spans:
        if begin >= at and end <= len(text):
            shown.append(text[begin:end])
            at = end
    return shown


def _api(served: Served, path: str, **params: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {served.key}"}
    response = httpx.get(f"{served.url}{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_examples_highlight_the_stored_answer_spans_and_filter(page: Any, served: Served) -> None:
    page.goto(f"{served.url}/ui/jobs/{served.job_id}/examples")
    page.locator("article.pair").first.wait_for()
    stored = _api(served, f"/v1/jobs/{served.job_id}/examples", limit=10)["examples"]
    articles = page.locator("article.pair")
    assert articles.count() == len(stored)
    for i, example in enumerate(stored):
        sides = articles.nth(i).locator(".side")
        english = example["english"]
        assert sides.nth(0).locator("mark").all_text_contents() == _shown_spans(
            english["context"], english["answers"]
        )
        marked = sides.nth(1).locator("mark").all_text_contents()
        assert marked == _shown_spans(example["context"], example["answers"]) and marked
        assert example["projection"] in articles.nth(i).locator(".meta").text_content()
    assert page.evaluate("window.__pwned") is None, "markup in the data ran"
    assert page.locator("#examples img, #examples script").count() == 0
    hostile = [ex for ex in stored if HOSTILE in ex["english"]["question"]]
    assert hostile, "the example with markup in its question was kept"
    assert any(HOSTILE in q for q in page.locator(".question").all_text_contents())
    _shot(page, served, "examples")
    _no_serious_axe_violations(page)

    threshold = sorted(ex["confidence"] for ex in stored)[len(stored) // 2]
    expected = _api(served, f"/v1/jobs/{served.job_id}/examples", min_confidence=threshold)["total"]
    assert expected > 0
    page.get_by_label("Min confidence").fill(str(threshold))
    page.get_by_role("button", name="Apply").click()
    page.wait_for_function(f"document.querySelector('#count').textContent.endsWith('of {expected}')")
    assert articles.count() == min(expected, 10)


def test_narrow_screen_has_no_horizontal_scroll(browser: Any, page: Any, served: Served) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/ui/", f"/ui/jobs/{served.job_id}", f"/ui/jobs/{served.job_id}/examples", "/ui/new"):
        page.goto(f"{served.url}{path}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide at 375 px"
    _no_serious_axe_violations(page)


def test_new_job_form_uploads_and_submits(page: Any, served: Served, tmp_path: Path) -> None:
    page.goto(f"{served.url}/ui/new")
    page.locator("#j-langs input[value=es]").wait_for()
    assert page.locator("#u-task option[value=squad]").count() == 1
    assert page.locator("#j-profile option").all_text_contents() == ["apertium (apertium)"]
    source = _hostile_squad(tmp_path / "<img src=x onerror=alert(1)>.json")
    page.get_by_label("Task format").select_option("squad")
    page.get_by_label("Task file").set_input_files(str(source))
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Uploaded ").wait_for()
    chosen = page.locator("#j-dataset option:checked").text_content()
    assert "onerror" in chosen and page.evaluate("window.__pwned") is None
    page.get_by_label("Spanish (es)").check()
    page.get_by_role("button", name="Create job").click()
    page.wait_for_url(f"{served.url}/ui/jobs/*")
    job_id = page.url.rsplit("/", 1)[1]
    assert _api(served, f"/v1/jobs/{job_id}")["request"]["langs"] == ["es"]
    _no_serious_axe_violations(page)


def test_a_wrong_key_is_refused_and_no_key_means_the_login_page(browser: Any, served: Served) -> None:
    tab = browser.new_page()
    try:
        tab.goto(f"{served.url}/ui/")
        tab.wait_for_url(f"{served.url}/ui/login")
        tab.get_by_label("API key").fill("xst_wrong_key")
        tab.get_by_role("button", name="Sign in").click()
        tab.get_by_text("That key is not valid.").wait_for()
        assert tab.evaluate("sessionStorage.length") == 0 and tab.evaluate("document.cookie") == ""
    finally:
        tab.close()
