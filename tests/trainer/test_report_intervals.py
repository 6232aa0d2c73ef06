"""Bootstrap intervals of a report's comparisons, read from the run folders' per-example scores."""

from __future__ import annotations

from pathlib import Path

from trainer.example_scores import EXAMPLES_DIR, read_example_scores, write_example_scores
from trainer.metrics import Scores
from trainer.report.aggregate import build_report
from trainer.report.intervals import add_intervals, interval_answers
from trainer.report.render import render_markdown

N = 100


def _run(root: Path, it_correct: int, qu_correct: int) -> tuple[Path, Scores]:
    """A run folder whose xcopa it / qu examples are right for the first `*_correct` of N."""
    examples = root / EXAMPLES_DIR
    for lang, correct in (("it", it_correct), ("qu", qu_correct)):
        write_example_scores(examples, "xcopa", lang, {f"q{i}": 100.0 * (i < correct) for i in range(N)})
    return root, {
        "xcopa": {lang: {"accuracy": 100.0 * c / N} for lang, c in (("it", it_correct), ("qu", qu_correct))}
    }


def test_a_clear_gain_is_gained_and_an_equal_language_is_not(tmp_path: Path) -> None:
    folders: dict[str, dict[int, Path]] = {"baseline": {}, "english": {}}
    runs: dict[str, list[Scores]] = {"baseline": [], "english": []}
    for seed, (base_it, eng_it) in enumerate([(40, 90), (45, 92), (42, 88)], start=1):
        for condition, it in (("baseline", base_it), ("english", eng_it)):
            folder, scores = _run(tmp_path / f"{condition}-seed{seed}", it, 55)
            folders[condition][seed] = folder
            runs[condition].append(scores)
    report = build_report(runs, meta={})
    add_intervals(report, folders)
    comparison = report.comparisons[0]
    assert comparison.intervals["xcopa"]["it"].verdict == "gained"
    assert comparison.intervals["xcopa"]["it"].low > 30
    assert comparison.intervals["xcopa"]["qu"].verdict == "no detectable change"
    assert comparison.intervals["xcopa"]["qu"].delta == 0
    # qu is a low-resource language XLM-R never saw: its group is reported apart.
    assert comparison.group_intervals["unseen"].delta == 0
    answer = interval_answers(report)[0]
    assert "unseen by XLM-R +0.0" in answer and "1 task-language pairs gained, 0 hurt" in answer
    markdown = render_markdown(report)
    assert "| english vs baseline | xcopa/it |" in markdown and "gained it; hurt none" in markdown


def test_a_run_without_per_example_scores_gets_no_interval(tmp_path: Path) -> None:
    folder, scores = _run(tmp_path / "baseline-seed1", 50, 50)
    runs = {"baseline": [scores], "english": [scores]}
    report = build_report(runs, meta={})
    add_intervals(report, {"baseline": {1: folder}, "english": {1: tmp_path / "missing"}})
    assert report.comparisons[0].intervals == {} and interval_answers(report) == []
    assert read_example_scores(tmp_path / "missing", "xcopa", "it") is None
