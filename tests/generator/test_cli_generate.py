"""`xstilts generate` and `xstilts inspect` through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.shards import load_manifest
from tests.generator.test_pipeline import N_QUESTIONS, write_squad

runner = CliRunner()
needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None, reason="needs apertium + apertium-eng-spa"
)


@needs_apertium
def test_generate_then_inspect(tmp_path: Path) -> None:
    source = write_squad(tmp_path / "squad.json")
    out = tmp_path / "out"
    args = ["generate", "--task", "squad", "--input", str(source), "--langs", "es", "--out", str(out)]
    result = runner.invoke(app, [*args, "--rows-per-shard", "4", "--backend-option", "batch_size=50"])
    assert result.exit_code == 0, result.output
    assert "Generated squad shards" in result.output
    manifest = load_manifest(out)
    assert manifest.complete and len(manifest.shards) == 2
    assert manifest.config["backend_options"] == {"batch_size": 50}
    assert sum(s.input_rows for s in manifest.shards) == N_QUESTIONS

    again = runner.invoke(app, [*args, "--rows-per-shard", "4", "--backend-option", "batch_size=50"])
    assert again.exit_code == 0
    assert "0 written, 2 already done" in again.output

    shown = runner.invoke(app, ["inspect", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "schema v1" in shown.output and "apertium" in shown.output
    assert "verified: 2 shards, checksums match" in shown.output

    shard = out / manifest.shards[0].path
    shard.write_bytes(shard.read_bytes()[:-10])
    broken = runner.invoke(app, ["inspect", str(out)])
    assert broken.exit_code == 1
    assert "checksum mismatch" in broken.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--langs", "es,qq"], "unknown language code(s) qq"),
        (["--langs", "es", "--backend-option", "novalue"], "write key=value"),
        (["--langs", "es", "--model", "/nowhere"], "backend 'apertium' options"),
    ],
)
def test_errors_are_one_red_line_with_exit_code_2(tmp_path: Path, extra: list[str], message: str) -> None:
    source = write_squad(tmp_path / "squad.json")
    result = runner.invoke(
        app, ["generate", "--task", "squad", "--input", str(source), "--out", str(tmp_path / "o"), *extra]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")


def test_inspect_of_a_directory_without_manifest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(tmp_path)])
    assert result.exit_code == 2
    assert "no manifest" in result.output


def test_bad_input_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": [{"paragraphs": [{"context": "x", "qas": [{"id": "1"}]}]}]}', encoding="utf-8")
    result = runner.invoke(
        app,
        ["generate", "--task", "squad", "--input", str(bad), "--langs", "es", "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 2
    assert "bad.json" in result.output


def test_generate_passes_codeswitch_sense_and_function_words(tmp_path: Path) -> None:
    if not Path("/usr/share/dictd/freedict-eng-spa.index").exists():
        pytest.skip("needs dict-freedict-eng-spa")
    source = write_squad(tmp_path / "squad.json")
    args = ["generate", "--task", "squad", "--input", str(source), "--langs", "es", "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--method", "codeswitch", "--sense", "weighted", "--function-words"])
    assert result.exit_code == 0, result.output
    options = load_manifest(tmp_path).config["codeswitch"]
    assert (options["sense"], options["function_words"]) == ("weighted", True)
    wrong = runner.invoke(app, [*args, "--method", "codeswitch", "--sense", "best"])
    assert wrong.exit_code == 2 and "sense" in wrong.output
