"""Hugging Face rows built on the real features of the last loading scripts (../shared/data/xtreme-r/
hf_schemas) from the real files: every supported config's converter finds its columns, XQuAD rows
without a title read, stripped google/xtreme answers are realigned and counted into the report."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import datasets
import pytest

from generator.tasks import read_examples
from generator.tasks.realign import Realigner
from tests.conftest import shared_file
from trainer.config.loading import parse_experiment
from trainer.hf.loading import examples_from_dataset
from trainer.hf.registry import SOURCES, resolve
from trainer.hf.spec import HfSpec
from trainer.reading import DataLog, read_task_data
from trainer.report.render import data_section

ROW_NAMES = ("text_a", "text_b", "label", "id_key", "lang_key", "context", "question", "tags", "tokens")


def schema(hub_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        shared_file(f"xtreme-r/hf_schemas/{hub_id.replace('/', '__')}.json").read_text()
    )
    return data


def features(hub_id: str, config: str) -> datasets.Features:
    data = schema(hub_id)
    return datasets.Features.from_dict(data["feature_schemas"][data["configs"][config]["features"]])


def columns_read(converter: Any) -> set[str]:
    """The row columns a converter reads (optional ones included)."""
    names: set[str] = set()
    for f in fields(converter):
        value = getattr(converter, f.name)
        if f.name == "choices":
            names |= {value} if isinstance(value, str) else set(value)
        elif f.name in ROW_NAMES and isinstance(value, str):
            names.add(value)
    kind = type(converter).__name__
    names |= {"SquadRows": {"id", "context", "question", "answers"}, "KeyedChoiceRows": {"id", "question",
              "choices", "answerKey"}}.get(kind, set())  # fmt: skip
    return names


@pytest.mark.parametrize("hub_id", sorted({source.ids[0] for source in SOURCES}))
def test_every_published_config_has_the_columns_its_converter_reads(hub_id: str) -> None:
    data = schema(hub_id)
    used = [c for c in data["configs"] if any(s.ids[0] == hub_id and s.config_match(c) for s in SOURCES)]
    used = used or ([None] if any(s.ids[0] == hub_id and s.config is None for s in SOURCES) else [])
    assert used, f"no config of {hub_id} is supported"
    for config in used:
        key = config or next(iter(data["configs"]))
        published = data["configs"][key]
        source = resolve(HfSpec(id=hub_id, config=config, split=next(iter(published["splits"]))))
        have = set(data["feature_schemas"][published["features"]])
        missing = columns_read(source.schema) - have - {"title"}
        assert not missing, f"{hub_id} {config}: no column {missing}"
        if source.format == "udpos":
            assert len(source.lang(source.config_match(config), {})) == 2, config


def stripped_rows(path: Path, *, title: bool) -> list[dict[str, Any]]:
    """SQuAD JSON as google/xtreme's loader yields it: contexts and answers stripped, offsets kept."""
    rows = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                row = {
                    "id": qa["id"],
                    "context": paragraph["context"].strip(),
                    "question": qa["question"].strip(),
                    "answers": {
                        "answer_start": [a["answer_start"] for a in qa["answers"]],
                        "text": [a["text"].strip() for a in qa["answers"]],
                    },
                }
                rows.append(({"title": article.get("title", "").strip()} if title else {}) | row)
    return rows


def published(tmp_path: Path, rows: list[dict[str, Any]], schema_features: datasets.Features) -> Any:
    table = {key: [row[key] for row in rows] for key in rows[0]}
    data = tmp_path / "data.parquet"
    datasets.Dataset.from_dict(table, features=schema_features).to_parquet(str(data))
    return datasets.load_dataset(
        "parquet", data_files=str(data), split="train", cache_dir=str(tmp_path / "c")
    )


def test_xquad_rows_without_title_read_as_the_file_does(tmp_path: Path) -> None:
    path = shared_file("xquad/xquad.de.json")
    rows = stripped_rows(path, title=False)
    spec = HfSpec(id="google/xtreme", config="XQuAD.de", split="validation")
    got = examples_from_dataset(spec, published(tmp_path, rows, features("google/xtreme", "XQuAD.de")))
    expected = read_examples("xquad", path).examples
    assert len(got) == 1190 and {e.title for e in got} == {""} and {e.lang for e in got} == {"de"}
    assert [(e.id, e.answers) for e in got] == [(e.id, e.answers) for e in expected]


@pytest.fixture(scope="module")
def tydiqa(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = shared_file("xtreme-r/raw/tydiqa/goldp-v1.1-by-language")
    rows = [row for path in sorted(folder.glob("*_dev.json")) for row in stripped_rows(path, title=True)]
    return published(tmp_path_factory.mktemp("tydiqa"), rows, features("google/xtreme", "tydiqa"))


def test_stripped_tydiqa_answers_are_realigned_and_counted_per_language(tydiqa: Any) -> None:
    realigner = Realigner()
    spec = HfSpec(id="google/xtreme", config="tydiqa", split="validation", lang="ar")
    got = examples_from_dataset(spec, tydiqa, realigner=realigner)
    truth = read_examples(
        "tydiqa", shared_file("xtreme-r/raw/tydiqa/goldp-v1.1-by-language/arabic_tydiqa_dev.json")
    )
    assert len(got) == 921 and {e.lang for e in got} == {"ar"}
    assert [[a.text for a in e.answers] for e in got] == [
        [a.text.strip() for a in e.answers] for e in truth.examples
    ]
    assert all(e.context[a.start : a.start + len(a.text)] == a.text for e in got for a in e.answers)
    assert realigner.report() == {"ar": {"answers": 1620, "moved": 742, "dropped": 0, "questions_dropped": 0}}


def test_realignment_counts_reach_the_report(tydiqa: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "load_dataset", lambda *args, **kwargs: tydiqa)
    log = DataLog()
    spec = HfSpec(id="google/xtreme", config="tydiqa", split="validation")
    examples = read_task_data("tydiqa", spec, train=False, lang="fi", log=log, role="eval", name="tydiqa")
    assert len(examples) == 782
    section = "\n".join(data_section(log.summary()))
    assert "tydiqa headlines the validation split" in section
    assert "| tydiqa | eval | fi | 1309 | 520 | 0 | 0 |" in section


def test_hf_tydiqa_as_a_target_trains_on_its_english_rows(tmp_path: Path) -> None:
    target = {
        "name": "tydiqa",
        "task": "tydiqa",
        "train": {"hf": {"id": "google/xtreme", "config": "tydiqa", "split": "train"}},
        "eval": {"hf": {"id": "google/xtreme", "config": "tydiqa", "split": "validation"}},
    }
    raw = {"model": "tiny", "output_dir": str(tmp_path), "targets": [target]}
    exp = parse_experiment(raw, tmp_path)
    assert exp.targets[0].train_source == HfSpec(
        id="google/xtreme", config="tydiqa", split="train", lang="en"
    )
    assert exp.targets[0].eval_files()["sw"].lang == "sw"
