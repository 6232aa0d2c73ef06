from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import shared_file
from xstilts.cli import app


def test_projection_bench_verb_prints_every_baseline_method() -> None:
    xquad = shared_file("xquad/xquad.en.json").parent
    result = CliRunner().invoke(
        app, ["projection-bench", "--xquad", str(xquad), "--langs", "el", "--limit", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "| el | fuzzy | 5 |" in result.output and "| el | auto | 5 |" in result.output
    assert "auto: the shipped calibration" in result.output


def test_projection_bench_verb_holds_each_language_out_of_its_calibration() -> None:
    xquad = shared_file("xquad/xquad.en.json").parent
    result = CliRunner().invoke(
        app, ["projection-bench", "--xquad", str(xquad), "--langs", "de,el", "--limit", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "each language held out" in result.output and "| de | auto | 5 |" in result.output


def test_projection_bench_verb_names_a_bad_model_folder(tmp_path: Path) -> None:
    xquad = shared_file("xquad/xquad.en.json").parent
    result = CliRunner().invoke(app, ["projection-bench", "--xquad", str(xquad), "--model", str(tmp_path)])
    assert result.exit_code == 2
    assert "xstilts models import" in result.output
