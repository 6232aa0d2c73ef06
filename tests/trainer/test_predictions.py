"""Prediction files round-trip and match the layout XTREME's evaluate.py reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import ConfigError, InputError
from trainer.predictions import (
    Predictions,
    prediction_path,
    read_prediction_file,
    read_predictions,
    write_predictions,
)

CASES: list[tuple[str, str, Predictions]] = [
    ("xnli", "sw", ["entailment", "neutral", "contradiction"]),
    ("pawsx", "de", ["1", "0"]),
    ("xcopa", "qu", [0, 1, 1]),
    ("udpos", "yo", [["NOUN", "VERB", "PUNCT"], [], ["PRON"]]),
    ("wikiann", "jv", [["B-PER", "I-PER", "O"], ["O"]]),
    ("mlqa", "zh", {"q1": "北京", "q2": "", "q3": "l'école « ici »"}),
    ("tatoeba", "tl", [3, 0, 17]),
    ("bucc", "fr", [("fr-000001", "en-000042"), ("fr-000002", "en-000007")]),
    ("mewslix", "ta", {"m1": ["Q42", "Q1"], "m2": []}),
    ("lareqa", "ar", {"q1": ["c9", "c3", "c1"]}),
]


@pytest.mark.parametrize(("task", "lang", "predictions"), CASES, ids=[c[0] for c in CASES])
def test_round_trip(tmp_path: Path, task: str, lang: str, predictions: Predictions) -> None:
    path = write_predictions(tmp_path, task, lang, predictions)
    assert path == prediction_path(tmp_path, task, lang)
    assert read_predictions(tmp_path, task, lang) == predictions
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_layout_matches_xtreme(tmp_path: Path) -> None:
    assert prediction_path(tmp_path, "WikiANN", "en") == tmp_path / "panx" / "test-en.tsv"
    assert prediction_path(tmp_path, "bucc", "zh") == tmp_path / "bucc2018" / "test-zh.tsv"
    assert prediction_path(tmp_path, "xquad", "th").name == "test-th.json"
    assert prediction_path(tmp_path, "xcopa", "ht").name == "test-ht.jsonl"
    udpos = write_predictions(tmp_path, "udpos", "af", [["ADJ", "NOUN"], ["DET"]])
    assert udpos.read_text(encoding="utf-8") == "ADJ\nNOUN\n\nDET\n\n"
    xcopa = write_predictions(tmp_path, "xcopa", "et", [1, 0])
    assert [json.loads(line)["label"] for line in xcopa.read_text().splitlines()] == [1, 0]
    bucc = write_predictions(tmp_path, "bucc2018", "de", [("de-1", "en-9")])
    assert bucc.read_text() == "de-1\ten-9\n"


def test_write_rejects_unwritable_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="prediction 1: label 'a b\\\\n'"):
        write_predictions(tmp_path, "xnli", "en", ["ok", "a b\n"])
    with pytest.raises(ConfigError, match="sentence 0: tag ''"):
        write_predictions(tmp_path, "udpos", "en", [["NOUN", ""]])
    with pytest.raises(ConfigError, match="non-negative integer"):
        write_predictions(tmp_path, "tatoeba", "de", [1, -2])
    with pytest.raises(ConfigError, match="no prediction format for task 'squad'"):
        prediction_path(tmp_path, "squad", "en")
    assert not (tmp_path / "xnli").exists() or not list((tmp_path / "xnli").iterdir())


def test_read_errors_name_file_and_line(tmp_path: Path) -> None:
    bad_index = tmp_path / "tatoeba.tsv"
    bad_index.write_text("1\nx\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"tatoeba\.tsv: line 2: field 'index'"):
        read_prediction_file(bad_index, "tatoeba")
    bad_pair = tmp_path / "bucc.tsv"
    bad_pair.write_text("de-1 en-9\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: field 'pair'"):
        read_prediction_file(bad_pair, "bucc")
    bad_json = tmp_path / "qa.json"
    bad_json.write_text('{"q1": ["not", "a string"]}', encoding="utf-8")
    with pytest.raises(InputError, match="id 'q1': field 'prediction'"):
        read_prediction_file(bad_json, "xquad")
    with pytest.raises(ConfigError, match="is missing"):
        read_predictions(tmp_path, "xnli", "en")
