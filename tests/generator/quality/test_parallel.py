import json
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.example import Answer, Example
from generator.quality.parallel import parallel_from_shards, read_parallel_squad
from generator.shards import ShardStore


def _squad(path: Path, context: str, answer: str, qid: str = "q1") -> Path:
    qa = {"id": qid, "question": "?", "answers": [{"text": answer, "answer_start": context.index(answer)}]}
    data = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": context, "qas": [qa]}]}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_spans_pair_by_question_id(tmp_path: Path) -> None:
    en = _squad(tmp_path / "en.json", "It opened in 1999 downtown.", "1999")
    de = _squad(tmp_path / "de.json", "Es öffnete 1999 im Zentrum.", "1999")
    (item,) = read_parallel_squad(en, de, "de")
    assert item.source[item.start : item.end] == "1999" and item.target[item.gold_start :].startswith("1999")
    other = _squad(tmp_path / "x.json", "Nothing here.", "here", qid="other")
    with pytest.raises(ConfigError, match="shares no question id"):
        read_parallel_squad(en, other, "de")
    with pytest.raises(ConfigError, match="missing"):
        read_parallel_squad(en, tmp_path / "absent.json", "de")


def test_silver_spans_come_from_shards(tmp_path: Path) -> None:
    en = _squad(tmp_path / "en.json", "It opened in 1999 downtown.", "1999")
    ex = Example(
        id="q1", task="squad", kind="qa", lang="es", context="Abrió en 1999 en el centro.", question="?"
    )
    ex.answers, ex.method = [Answer("1999", 9)], "translate"
    ShardStore(tmp_path / "out", {}, {}).write("squad", "es", "translate", 0, [ex], input_rows=1)
    (item,) = parallel_from_shards(en, tmp_path / "out", "es")
    assert (item.gold, item.gold_start, item.target) == ("1999", 9, ex.context)
