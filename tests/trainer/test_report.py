"""Report aggregates, deltas and answers worked out by hand on a small three-condition grid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import ConfigError
from trainer.metrics import Scores
from trainer.report.aggregate import Report, build_report
from trainer.report.render import render_markdown, write_report


def _scores(xnli_en: float, xnli_sw: float, pos_en: float, pos_yo: float) -> Scores:
    return {
        "xnli": {"en": {"accuracy": xnli_en}, "sw": {"accuracy": xnli_sw}},
        "udpos": {"en": {"f1": pos_en, "accuracy": pos_en + 1}, "yo": {"f1": pos_yo, "accuracy": pos_yo + 1}},
    }


# en is high resource, sw mid (1.6 GiB CC-100), yo low (unseen by XLM-R).
RUNS: dict[str, list[Scores]] = {
    "baseline": [_scores(80, 60, 90, 40), _scores(82, 62, 92, 42)],
    "en_intermediate": [_scores(84, 63, 90, 43), _scores(86, 65, 92, 45)],
    "en_synthetic_intermediate": [_scores(84, 66, 91, 47), _scores(86, 68, 93, 49)],
}


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(RUNS, meta={"model": "tiny-xlmr", "seeds": [0, 1]})


def test_cells_and_averages(report: Report) -> None:
    cell = report.cells["baseline"]["udpos"]["yo"]["f1"]
    assert (cell.mean, cell.n) == (41.0, 2)
    assert cell.std == pytest.approx(2**0.5)  # sample std of 40, 42
    # Baseline per seed: xnli (80+60)/2 = 70, udpos (90+40)/2 = 65 -> 67.5; seed 1: 72, 67 -> 69.5.
    assert report.task_averages["baseline"]["xnli"].mean == pytest.approx(71.0)
    assert report.overall["baseline"].mean == pytest.approx(68.5)
    assert report.overall["baseline"].std == pytest.approx(2**0.5)
    # Tiers: high = mean over tasks of en, (80+90)/2 and (82+92)/2 -> 86; mid = sw 61; low = yo 41.
    tiers = report.tier_averages["baseline"]
    assert {t: s.mean for t, s in tiers.items()} == pytest.approx({"high": 86.0, "mid": 61.0, "low": 41.0})
    assert report.languages == {"xnli": ["en", "sw"], "udpos": ["en", "yo"]}
    assert report.primary == {"xnli": "accuracy", "udpos": "f1"}


def test_comparisons_and_answers(report: Report) -> None:
    pairs = [(c.condition, c.reference) for c in report.comparisons]
    assert pairs == [
        ("en_intermediate", "baseline"),
        ("en_synthetic_intermediate", "baseline"),
        ("en_synthetic_intermediate", "en_intermediate"),
    ]
    english, _, synthetic = report.comparisons
    # en_intermediate overall: seed 0 (73.5 + 66.5)/2 = 70, seed 1 72 -> 71; 71 - 68.5 = +2.5.
    assert english.overall.value == pytest.approx(2.5)
    assert english.tiers["low"].value == pytest.approx(3.0)  # 44 - 41
    assert english.tiers["low"].se == pytest.approx(2**0.5)  # sqrt(2/2 + 2/2)
    assert synthetic.tiers["low"].value == pytest.approx(4.0)  # 48 - 44
    assert english.languages["udpos"] == pytest.approx({"en": 0.0, "yo": 3.0})
    assert english.gained == {"xnli": ["en", "sw"], "udpos": ["yo"]}
    assert report.answers[0] == (
        "English intermediate training changed the low-resource average by +3.0 points vs no intermediate "
        "training (standard error 1.4; beyond twice the seed noise; 1 of 1 low-resource task-language pairs "
        "gained; overall +2.5)."
    )
    assert report.answers[2].startswith(
        "English + synthetic intermediate training changed the low-resource average by +4.0 points vs "
        "English intermediate training"
    )


def test_losses_single_seed_and_missing_language() -> None:
    runs: dict[str, list[Scores]] = {
        "base": [
            {
                "xnli": {"en": {"accuracy": 80.0}, "ur": {"accuracy": 50.0}},
                "xcopa": {"qu": {"accuracy": 60.0}},
            }
        ],
        "mine": [
            {"xnli": {"en": {"accuracy": 79.0}}, "xcopa": {"qu": {"accuracy": 55.0}, "xx": {"accuracy": 1.0}}}
        ],
    }
    report = build_report(runs, meta={})
    assert report.languages == {"xnli": ["en"], "xcopa": ["qu"]}
    assert any("xnli: ur left out of the averages" in note for note in report.notes)
    assert any(note.startswith("xx: not XTREME-R languages") for note in report.notes)
    (mine,) = report.comparisons
    assert mine.tiers["low"].value == pytest.approx(-5.0)
    assert mine.lost == {"xnli": ["en"], "xcopa": ["qu"]}
    assert report.answers == [
        # Overall: base (80 + 60) / 2 = 70, mine (79 + 55) / 2 = 67.
        "Mine changed the low-resource average by -5.0 points vs base (no seed-noise estimate: run at least "
        "two seeds per condition; 0 of 1 low-resource task-language pairs gained; overall -3.0)."
    ]
    assert report.overall["base"].std is None


def test_invalid_runs() -> None:
    with pytest.raises(
        ConfigError, match=r"condition 'b', run 0, xnli/en/accuracy: 800.0 is not a score in percent"
    ):
        build_report(
            {"a": [{"xnli": {"en": {"accuracy": 80.0}}}], "b": [{"xnli": {"en": {"accuracy": 800.0}}}]},
            meta={},
        )
    with pytest.raises(ConfigError, match="has no runs"):
        build_report({"a": []}, meta={})
    with pytest.raises(ConfigError, match="name its kind"):
        build_report({"a": [{"mytask": {"en": {"f1": 1.0}}}]}, meta={})
    report = build_report({"a": [{"mytask": {"en": {"f1": 1.0}}}]}, meta={}, kinds={"mytask": "qa"})
    assert report.primary == {"mytask": "f1"}
    assert "Only one condition" in report.answers[0]


def test_write_report_files(report: Report, tmp_path: Path) -> None:
    paths = write_report(report, tmp_path)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in paths)
    assert names == [
        "charts/delta-udpos.png",
        "charts/delta-xnli.png",
        "charts/summary.png",
        "report.json",
        "report.md",
    ]
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["baseline"] == "baseline"
    assert data["meta"] == {"model": "tiny-xlmr", "seeds": [0, 1]}
    assert data["overall"]["en_intermediate"]["mean"] == pytest.approx(71.0)
    assert data["comparisons"][0]["tiers"]["low"]["value"] == pytest.approx(3.0)
    assert "python" in data["versions"]
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert markdown == render_markdown(report)
    assert report.answers[0] in markdown
    assert "| yo | low | 41.0 ± 1.4 | 44.0 ± 1.4 | 48.0 ± 1.4 | +3.0 | +7.0 |" in markdown
    for png in (p for p in paths if p.suffix == ".png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
