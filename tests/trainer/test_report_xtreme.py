"""The report's XTREME-R view: all ten tasks, category scores and the overall, as evaluate.py averages."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.benchmark import XTREME_R_LANGUAGES
from trainer.metrics import Scores
from trainer.report.aggregate import build_report
from trainer.report.render import render_markdown, write_report


def _run(shift: float) -> Scores:
    scores: Scores = {}
    for task, langs in XTREME_R_LANGUAGES.items():
        for i, lang in enumerate(langs):
            base = 40.0 + shift + (i % 3)
            if task in ("xquad", "mlqa", "tydiqa"):
                cell = {"exact_match": base - 10, "f1": base + 10, "em_f1": base}
            elif task == "lareqa":
                cell = {"map@20": base, "questions": 1190.0}
            elif task in ("udpos", "panx"):
                cell = {"f1": base, "accuracy": 90.0}
            elif task == "mewslix":
                cell = {"map@20": base}
            else:
                cell = {"accuracy": base}
            scores.setdefault(task, {})[lang] = cell
    # Diagnostic scores before retrieval fine-tuning are shown but not averaged into XTREME-R's numbers.
    scores["lareqa_frozen"] = {
        lang: {"map@20": 1.0, "questions": 1190.0} for lang in XTREME_R_LANGUAGES["lareqa"]
    }
    return scores


def _mean(task: str, shift: float) -> float:
    langs = XTREME_R_LANGUAGES[task]
    return sum(40.0 + shift + (i % 3) for i in range(len(langs))) / len(langs)


def test_ten_tasks_categories_and_overall(tmp_path: Path) -> None:
    report = build_report(
        {"baseline": [_run(0.0)], "english": [_run(2.0)]}, meta={"model_selection": "last epoch"}
    )
    assert report.coverage is not None and report.coverage.complete
    assert report.coverage.complete_categories == [
        "classification",
        "structured_prediction",
        "question_answering",
        "retrieval",
    ]
    base = {task: _mean(task, 0.0) for task in XTREME_R_LANGUAGES}
    assert report.task_averages["baseline"]["xquad"].mean == pytest.approx(base["xquad"])
    assert report.task_averages["baseline"]["lareqa_frozen"].mean == 1.0
    assert report.overall["baseline"].mean == pytest.approx(sum(base.values()) / 10)
    categories = report.categories["baseline"]
    assert categories["retrieval"].mean == pytest.approx(
        (base["tatoeba"] + base["mewslix"] + base["lareqa"]) / 3
    )
    assert categories["classification"].mean == pytest.approx((base["xnli"] + base["xcopa"]) / 2)
    (comparison,) = report.comparisons
    assert comparison.overall.value == pytest.approx(2.0)
    assert comparison.categories["question_answering"].value == pytest.approx(2.0)
    text = render_markdown(report)
    assert "## XTREME-R scores" in text and "the overall is XTREME-R's" in text
    assert (
        "| baseline |" in text and "structured prediction" in text and "Model selection: last epoch" in text
    )
    write_report(report, tmp_path)
    assert '"categories"' in (tmp_path / "report.json").read_text(encoding="utf-8")


def test_partial_runs_say_what_is_missing() -> None:
    scores = {t: v for t, v in _run(0.0).items() if t in ("xnli", "udpos", "lareqa", "lareqa_frozen")}
    del scores["xnli"]["sw"]
    report = build_report({"baseline": [scores]}, meta={})
    assert report.coverage is not None
    assert report.coverage.missing_tasks == ["panx", "tatoeba", "xcopa", "mewslix", "xquad", "mlqa", "tydiqa"]
    assert report.coverage.missing_languages["xnli"] == ["sw"]
    assert report.categories["baseline"] == {}
    # The overall runs over the three XTREME-R tasks present, not over lareqa_frozen.
    expected = (
        _mean("udpos", 0.0) + _mean("lareqa", 0.0) + 40.0 + sum(i % 3 for i in range(15) if i != 9) / 14
    ) / 3
    assert report.overall["baseline"].mean == pytest.approx(expected)
    text = render_markdown(report)
    assert "Over the 3 of 10 XTREME-R tasks run (missing: panx, tatoeba" in text
    assert "xnli (1)" in text
