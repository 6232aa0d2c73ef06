"""`xstilts grid` end to end on CPU: three conditions on the samples, report and charts written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from xstilts.cli import app

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "trainer" / "configs" / "tiny.yaml"


def _lean_config(tmp_path: Path, tiny_model: Path) -> Path:
    """tiny.yaml with absolute paths, the session's tiny model, and a few steps per phase."""
    raw: dict[str, Any] = yaml.safe_load(TINY.read_text(encoding="utf-8"))

    def absolute(value: str) -> str:
        return str((TINY.parent / value).resolve())

    raw["model"] = str(tiny_model)
    raw["output_dir"] = str(tmp_path / "unused")
    inter = raw["intermediate"]
    inter["tasks"] = [{"task": "mnli", "path": absolute(inter["tasks"][0]["path"])}]
    inter["synthetic"]["shards"] = [absolute(p) for p in inter["synthetic"]["shards"]]
    xnli = next(t for t in raw["targets"] if t["name"] == "xnli")
    xnli["train"], xnli["eval"] = absolute(xnli["train"]), absolute(xnli["eval"])
    raw["targets"] = [xnli]
    raw["retrieval"] = [
        {
            "task": "tatoeba",
            "dir": absolute(raw["retrieval"][0]["dir"]),
            "langs": ["sw", "de"],
            "max_pairs": 16,
            "optional": True,
        }
    ]
    raw["hparams"].update({"max_steps": 3, "max_length": 48, "max_eval_examples": 9})
    path = tmp_path / "lean.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.slow
def test_grid_runs_three_conditions_and_writes_the_report(tmp_path: Path, tiny_model: Path) -> None:
    config = _lean_config(tmp_path, tiny_model)
    out = tmp_path / "grid"
    result = CliRunner().invoke(app, ["grid", str(config), "--seeds", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = out / "report"
    assert f"report: {report / 'report.md'}" in result.output
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert data["conditions"] == ["baseline", "english", "synthetic"]
    assert set(data["languages"]) >= {"xnli"}
    markdown = (report / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("#") and "- xnli headlines the dev split" in markdown
    assert data["meta"]["data"]["xnli"]["eval"]["sw"]["source"].endswith("samples/trainer/xnli/dev-sw.tsv")
    assert data["meta"]["data"]["xnli"]["train"]["en"]["layout"] == "raw"
    assert list((report / "charts").glob("*.png"))
    for condition in ("baseline", "english", "synthetic"):
        scores = json.loads((out / f"{condition}-seed1" / "scores.json").read_text(encoding="utf-8"))
        assert sorted(scores["xnli"]) == ["de", "en", "es", "sw"]
        assert 0 <= scores["xnli"]["sw"]["accuracy"] <= 100
    reads = json.loads((out / "synthetic-seed1" / "data.json").read_text(encoding="utf-8"))
    assert [(r["task"], r["role"]) for r in reads][:2] == [("mnli", "intermediate"), ("xnli", "train")]
    assert {r["lang"]: r["examples"] for r in reads if r["role"] == "eval"} == dict.fromkeys(
        ["de", "en", "es", "sw"], 9
    )
    assert not (out / "baseline-seed1" / "intermediate").exists()
    assert (out / "synthetic-seed1" / "intermediate" / "model" / "heads.json").is_file()
    predictions = out / "english-seed1" / "predictions" / "xnli" / "test-sw.tsv"
    assert len(predictions.read_text(encoding="utf-8").splitlines()) == 9
    # Per-example scores: their mean is the language's accuracy; the comparisons have bootstrap intervals.
    per_example = json.loads((out / "english-seed1" / "examples" / "xnli" / "sw.json").read_text())
    english = json.loads((out / "english-seed1" / "scores.json").read_text())
    assert len(per_example) == 9
    assert sum(per_example.values()) / 9 == pytest.approx(english["xnli"]["sw"]["accuracy"])
    vs_baseline = data["comparisons"][0]
    assert sorted(vs_baseline["intervals"]["xnli"]) == ["de", "en", "es", "sw"]
    interval = vs_baseline["intervals"]["xnli"]["sw"]
    assert interval["low"] <= interval["delta"] <= interval["high"] and interval["examples"] == 9
    assert "Deltas with 95 % bootstrap intervals" in markdown

    again = CliRunner().invoke(app, ["evaluate", str(config), "--checkpoint", str(out / "english-seed1")])
    assert again.exit_code == 0, again.output
    rescored = json.loads(again.output[again.output.index("{") :])
    stored = json.loads((out / "english-seed1" / "scores.json").read_text(encoding="utf-8"))
    assert rescored["xnli"] == stored["xnli"]


def test_config_errors_stop_the_cli_before_training(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"model": "tiny", "output_dir": "out", "targets": [{"name": "xnli"}]}))
    result = CliRunner().invoke(app, ["train", str(bad)])
    assert result.exit_code == 2
    assert "problem(s)" in result.output and "targets.0.task" in result.output
    assert not (tmp_path / "out").exists()


def test_tiny_model_command_builds_a_loadable_model(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Hola mundo, el perro vive en la casa.\nHabari dunia, mbwa anaishi nyumbani.\n" * 5)
    result = CliRunner().invoke(
        app, ["tiny-model", str(tmp_path / "m"), "--corpus", str(corpus), "--vocab-size", "300"]
    )
    assert result.exit_code == 0, result.output
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "m")
    model = AutoModel.from_pretrained(tmp_path / "m")
    assert model.config.num_hidden_layers == 2 and model.config.vocab_size == len(tokenizer)
    pieces = tokenizer.tokenize("el perro mbwa")
    assert tokenizer.unk_token not in pieces
