"""Hugging Face dataset rows to Examples: each published schema gives what the file readers give."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import datasets
import pytest
from datasets import ClassLabel, Features, Sequence, Value

from generator.errors import ConfigError, InputError
from generator.example import Example
from generator.tasks import read_examples
from generator.tasks.realign import Realigner
from generator.tasks.tagging import NER, UPOS
from trainer.config.loading import parse_experiment
from trainer.hf.loading import examples_from_dataset, load_hf_examples
from trainer.hf.spec import HfSpec

REPO = Path(__file__).resolve().parents[2]
TASKS = REPO / "samples" / "tasks"
NLI = ["entailment", "neutral", "contradiction"]
STRING = Value("string")
SQUAD_FEATURES = Features(
    {
        "id": STRING,
        "title": STRING,
        "context": STRING,
        "question": STRING,
        "answers": Sequence({"text": STRING, "answer_start": Value("int32")}),
    }
)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {key: [row[key] for row in rows] for key in rows[0]}


def _published(tmp_path: Path, rows: list[dict[str, Any]], features: Features | None) -> Any:
    """The rows as a Parquet file loaded back with `datasets.load_dataset`, as the hub serves them."""
    data = tmp_path / "data.parquet"
    datasets.Dataset.from_dict(_columns(rows), features=features).to_parquet(str(data))
    return datasets.load_dataset(
        "parquet", data_files=str(data), split="train", cache_dir=str(tmp_path / "cache")
    )


def _plain(example: Example, *drop: str) -> dict[str, Any]:
    row = example.to_dict()
    if "extra" in row["meta"]:
        row["meta"] = row["meta"] | {"extra": json.loads(row["meta"]["extra"])}
    return {key: value for key, value in row.items() if key not in drop}


def _squad_rows(examples: list[Example]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "title": e.title,
            "context": e.context,
            "question": e.question,
            "answers": {"text": [a.text for a in e.answers], "answer_start": [a.start for a in e.answers]},
        }
        for e in examples
    ]


def _nli_rows(examples: list[Example], a: str, b: str, id_key: str, ids: Callable[[str], Any]) -> list[Any]:
    return [{a: e.text_a, b: e.text_b, "label": e.label, id_key: ids(e.id)} for e in examples]


def _tag_rows(examples: list[Example], column: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"tokens": e.tokens, column: [names.index(t) for t in e.tags]} for e in examples]


Case = tuple[str, Path, HfSpec, Callable[[list[Example], Path], list[Any]], Features | None, tuple[str, ...]]
# name -> (file format, original sample, spec, sample -> published rows, features, fields that differ)
CASES: dict[str, Case] = {
    "squad": (
        "squad",
        TASKS / "squad" / "dev-v1.1.json",
        HfSpec(id="rajpurkar/squad", split="validation"),
        lambda ex, _: _squad_rows(ex),
        SQUAD_FEATURES,
        (),
    ),
    "mlqa": (
        "mlqa",
        TASKS / "mlqa" / "dev-context-de-question-de.json",
        HfSpec(id="google/xtreme", config="MLQA.de.de", split="validation"),
        lambda ex, _: _squad_rows(ex),
        SQUAD_FEATURES,
        (),
    ),
    "tydiqa": (
        "tydiqa",
        TASKS / "tydiqa" / "tydiqa.goldp.en.dev.json",
        HfSpec(id="google/xtreme", config="tydiqa", split="validation"),
        lambda ex, _: _squad_rows(ex),
        SQUAD_FEATURES,
        (),
    ),
    "xnli": (
        "xnli",
        TASKS / "xnli" / "dev-de.tsv",
        HfSpec(id="google/xtreme", config="XNLI", split="validation", lang="de"),
        lambda ex, _: [
            {"language": "de", "sentence1": e.text_a, "sentence2": e.text_b, "gold_label": NLI[e.label]}
            for e in ex
        ],
        None,
        ("id",),
    ),
    "pawsx": (
        "pawsx",
        TASKS / "pawsx" / "dev-fr.tsv",
        HfSpec(id="google/xtreme", config="PAWS-X.fr", split="validation"),
        lambda ex, _: [{"sentence1": e.text_a, "sentence2": e.text_b, "label": str(e.label)} for e in ex],
        None,
        ("id",),
    ),
    "mnli": (
        "mnli",
        TASKS / "mnli" / "dev_matched.jsonl",
        HfSpec(id="nyu-mll/glue", config="mnli", split="validation_matched"),
        lambda ex, _: _nli_rows(ex, "premise", "hypothesis", "idx", lambda i: int(i[:-1])),
        Features(
            {"premise": STRING, "hypothesis": STRING, "label": ClassLabel(names=NLI), "idx": Value("int32")}
        ),
        ("id", "meta"),
    ),
    "qqp": (
        "qqp",
        TASKS / "qqp" / "dev.tsv",
        HfSpec(id="nyu-mll/glue", config="qqp", split="validation"),
        lambda ex, _: _nli_rows(ex, "question1", "question2", "idx", int),
        Features(
            {
                "question1": STRING,
                "question2": STRING,
                "label": ClassLabel(names=["not_duplicate", "duplicate"]),
                "idx": Value("int32"),
            }
        ),
        ("meta",),
    ),
    "anli": (
        "anli",
        TASKS / "anli" / "r1_dev.jsonl",
        HfSpec(id="facebook/anli", split="dev_r1"),
        lambda ex, path: [
            row | {"reason": raw["reason"]}
            for row, raw in zip(_nli_rows(ex, "premise", "hypothesis", "uid", str), _jsonl(path), strict=True)
        ],
        Features(
            {
                "premise": STRING,
                "hypothesis": STRING,
                "label": ClassLabel(names=NLI),
                "uid": STRING,
                "reason": STRING,
            }
        ),
        ("meta",),
    ),
    "hellaswag": (
        "hellaswag",
        TASKS / "hellaswag" / "hellaswag_val.jsonl",
        HfSpec(id="Rowan/hellaswag", split="validation"),
        lambda _, path: [raw | {"label": str(raw["label"])} for raw in _jsonl(path)],
        None,
        ("id",),
    ),
    "commonsenseqa": (
        "commonsenseqa",
        TASKS / "commonsenseqa" / "dev_rand_split.jsonl",
        HfSpec(id="tau/commonsense_qa", split="validation"),
        lambda _, path: [
            {
                "id": raw["id"],
                "question": raw["question"]["stem"],
                "question_concept": raw["question"]["question_concept"],
                "choices": {
                    "label": [c["label"] for c in raw["question"]["choices"]],
                    "text": [c["text"] for c in raw["question"]["choices"]],
                },
                "answerKey": raw["answerKey"],
            }
            for raw in _jsonl(path)
        ],
        None,
        (),
    ),
    "cosmosqa": (
        "cosmosqa",
        TASKS / "cosmosqa" / "valid.jsonl",
        HfSpec(id="allenai/cosmos_qa", split="validation"),
        lambda _, path: _jsonl(path),
        None,
        (),
    ),
    "siqa": (
        "siqa",
        TASKS / "siqa" / "dev.jsonl",
        HfSpec(id="allenai/social_i_qa", split="validation"),
        lambda ex, path: [raw | {"label": str(e.label + 1)} for raw, e in zip(_jsonl(path), ex, strict=True)],
        None,
        ("id",),
    ),
    "xcopa": (
        "xcopa",
        TASKS / "copa" / "val.jsonl",
        HfSpec(id="cambridgeltl/xcopa", config="et", split="validation"),
        lambda _, path: [raw | {"changed": False} for raw in _jsonl(path)],
        Features(
            {
                "premise": STRING,
                "choice1": STRING,
                "choice2": STRING,
                "question": STRING,
                "label": Value("int32"),
                "idx": Value("int32"),
                "changed": Value("bool"),
            }
        ),
        ("id", "lang", "meta"),
    ),
    "panx": (
        "wikiann",
        TASKS / "wikiann" / "dev-en.tsv",
        HfSpec(id="google/xtreme", config="PAN-X.en", split="validation"),
        lambda ex, _: [
            row | {"langs": ["en"] * len(row["tokens"])} for row in _tag_rows(ex, "ner_tags", NER)
        ],
        Features(
            {
                "tokens": Sequence(STRING),
                "ner_tags": Sequence(ClassLabel(names=list(NER))),
                "langs": Sequence(STRING),
            }
        ),
        ("id",),
    ),
    "udpos": (
        "udpos",
        TASKS / "udpos" / "es_sample-ud-dev.conllu",
        HfSpec(id="google/xtreme", config="udpos.Spanish", split="validation"),
        lambda ex, _: _tag_rows(ex, "pos_tags", UPOS),
        Features({"tokens": Sequence(STRING), "pos_tags": Sequence(ClassLabel(names=list(UPOS)))}),
        ("id", "meta"),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_published_rows_read_as_the_original_file_does(name: str, tmp_path: Path) -> None:
    fmt, sample, spec, to_rows, features, differs = CASES[name]
    expected = read_examples(fmt, sample).examples
    dataset = _published(tmp_path, to_rows(expected, sample), features)
    got = examples_from_dataset(spec, dataset)
    assert [_plain(e, *differs) for e in got] == [_plain(e, *differs) for e in expected]
    assert {e.task for e in got} == {fmt}


def test_xcopa_language_comes_from_the_config(tmp_path: Path) -> None:
    _, sample, spec, to_rows, features, _ = CASES["xcopa"]
    got = examples_from_dataset(spec, _published(tmp_path, to_rows([], sample), features))
    assert {e.lang for e in got} == {"et"}
    assert json.loads(got[0].meta["extra"]) == {"idx": 0, "changed": False}


def test_mixed_language_split_keeps_the_asked_language(tmp_path: Path) -> None:
    rows = [
        {"language": lang, "sentence1": f"a {lang}", "sentence2": "b", "gold_label": "neutral"}
        for lang in ("de", "fr", "de")
    ]
    dataset = _published(tmp_path, rows, None)
    spec = HfSpec(id="google/xtreme", config="XNLI", split="test", lang="de")
    got = examples_from_dataset(spec, dataset)
    assert [(e.lang, e.text_a, e.label) for e in got] == [("de", "a de", 1), ("de", "a de", 1)]
    assert len({e.id for e in got}) == 2


def test_tatoeba_rows_are_retrieval_pairs(tmp_path: Path) -> None:
    rows = [
        {"source_sentence": "Hallo.", "target_sentence": "Hello.", "source_lang": "deu", "target_lang": "eng"}
    ]
    got = examples_from_dataset(
        HfSpec(id="google/xtreme", config="tatoeba.deu", split="validation"), _published(tmp_path, rows, None)
    )
    assert [(e.kind, e.lang, e.text_a, e.text_b) for e in got] == [("retrieval", "de", "Hallo.", "Hello.")]


def test_unlabelled_test_rows_read_as_label_minus_one(tmp_path: Path) -> None:
    rows = [{"ctx": "A man", "endings": ["a", "b", "c", "d"], "label": ""}]
    got = examples_from_dataset(HfSpec(id="hellaswag", split="test"), _published(tmp_path, rows, None))
    assert got[0].label == -1


def test_a_bad_row_names_the_dataset_row_and_field(tmp_path: Path) -> None:
    rows = _squad_rows(read_examples("squad", TASKS / "squad" / "dev-v1.1.json").examples)
    rows[1]["answers"] = {"text": ["a", "b"], "answer_start": [3]}
    dataset = _published(tmp_path, rows, None)
    with pytest.raises(InputError) as err:
        examples_from_dataset(HfSpec(id="squad", split="validation"), dataset)
    assert "hf:squad [validation]" in str(err.value) and "row 2" in str(err.value)
    assert "field 'answers'" in str(err.value) and "2 texts and 1 answer_start" in str(err.value)


def test_an_answer_that_cannot_be_realigned_drops_its_question_and_is_counted(tmp_path: Path) -> None:
    examples = read_examples("squad", TASKS / "squad" / "dev-v1.1.json").examples
    rows = _squad_rows(examples)
    rows[1]["answers"] = {"text": ["nowhere to be found"], "answer_start": [3]}
    realigner = Realigner()
    got = examples_from_dataset(
        HfSpec(id="squad", split="validation"),
        _published(tmp_path, rows, SQUAD_FEATURES),
        realigner=realigner,
    )
    assert [e.id for e in got] == [e.id for e in examples if e.id != examples[1].id]
    assert realigner.report()["en"] == {"answers": 5, "moved": 0, "dropped": 1, "questions_dropped": 1}


def test_unknown_id_lists_the_supported_ids() -> None:
    with pytest.raises(ConfigError) as err:
        load_hf_examples(HfSpec(id="someone/unknown", split="train"))
    message = str(err.value)
    for known in ("google/xtreme", "cambridgeltl/xcopa", "nyu-mll/glue", "allenai/social_i_qa"):
        assert known in message
    assert "PAN-X.<lang>" in message and "path:" in message


def test_unknown_or_missing_config_says_which_exist() -> None:
    with pytest.raises(ConfigError, match="no supported config 'cola'; use one of mnli, qqp"):
        load_hf_examples(HfSpec(id="nyu-mll/glue", config="cola", split="train"))
    with pytest.raises(ConfigError, match="needs a config"):
        load_hf_examples(HfSpec(id="google/xtreme", split="test"))


def test_offline_without_a_cache_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`datasets` reads HF_DATASETS_OFFLINE when imported, so the load runs in a fresh interpreter."""
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_DATASETS_CACHE", raising=False)
    code = (
        "from generator.errors import ConfigError\n"
        "from trainer.hf.loading import load_hf_examples\n"
        "from trainer.hf.spec import HfSpec\n"
        "try:\n"
        "    load_hf_examples(HfSpec(id='rajpurkar/squad', split='train'))\n"
        "except ConfigError as err:\n"
        "    print(err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    message = done.stdout
    assert "hf:rajpurkar/squad [train]: cannot load" in message
    assert "HF_DATASETS_OFFLINE is set" in message and str(tmp_path / "hf") in message
    assert "`path:`" in message


# ---------------------------------------------------------------- the experiment YAML


def _experiment(tmp_path: Path, task: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": "tiny",
        "output_dir": str(tmp_path / "out"),
        "intermediate": {"tasks": [task]},
        "targets": [target],
    }


XNLI_TARGET = {
    "name": "xnli",
    "task": "mnli",
    "train": {"hf": {"id": "nyu-mll/glue", "config": "mnli", "split": "train"}},
    "eval_task": "xnli",
    "eval": {"hf": {"id": "google/xtreme", "config": "XNLI", "split": "test"}},
    "eval_langs": ["de", "sw"],
}


def test_config_takes_hf_sources_everywhere(tmp_path: Path) -> None:
    task = {"task": "squad", "hf": {"id": "rajpurkar/squad", "split": "train", "revision": "abc"}}
    panx = {
        "name": "panx",
        "task": "wikiann",
        "train": {"hf": {"id": "google/xtreme", "config": "PAN-X.en", "split": "train"}},
        "eval": {"hf": {"id": "google/xtreme", "config": "PAN-X.{lang}", "split": "test"}},
        "eval_langs": ["de", "yo"],
    }
    udpos = {
        "name": "udpos",
        "task": "udpos",
        "train": str(TASKS / "udpos" / "es_sample-ud-dev.conllu"),
        "eval": {"de": {"hf": {"id": "google/xtreme", "config": "udpos.{Language}", "split": "test"}}},
    }
    raw = _experiment(tmp_path, task, XNLI_TARGET) | {"targets": [XNLI_TARGET, panx, udpos]}
    exp = parse_experiment(raw, tmp_path)
    assert exp.intermediate is not None
    assert exp.intermediate.tasks[0].source == HfSpec(id="rajpurkar/squad", split="train", revision="abc")
    xnli, panx_target, udpos_target = exp.targets
    assert xnli.train_source == HfSpec(id="nyu-mll/glue", config="mnli", split="train")
    assert xnli.eval_files() == {
        lang: HfSpec(id="google/xtreme", config="XNLI", split="test", lang=lang) for lang in ("de", "sw")
    }
    assert panx_target.eval_files() == {
        lang: HfSpec(id="google/xtreme", config=f"PAN-X.{lang}", split="test") for lang in ("de", "yo")
    }
    assert udpos_target.eval_files() == {
        "de": HfSpec(id="google/xtreme", config="udpos.German", split="test")
    }


def test_config_reports_every_source_problem_at_once(tmp_path: Path) -> None:
    raw = _experiment(tmp_path, {"task": "mnli"}, XNLI_TARGET)
    raw["intermediate"]["tasks"] += [
        {"task": "mnli", "name": "both", "path": str(TASKS / "mnli" / "dev_matched.jsonl"),
         "hf": {"id": "nyu-mll/glue", "config": "mnli", "split": "train"}},
        {"task": "qqp", "name": "unknown", "hf": {"id": "someone/unknown", "split": "train"}},
        {"task": "udpos", "name": "mismatch", "hf": {"id": "google/xtreme", "config": "PAN-X.en", "split": "train"}},
    ]  # fmt: skip
    raw["targets"] = [
        XNLI_TARGET
        | {"eval": {"de": {"hf": {"id": "google/xtreme", "config": "PAWS-X.de", "split": "test"}}}}
    ]
    with pytest.raises(ConfigError) as err:
        parse_experiment(raw, tmp_path)
    message = str(err.value)
    assert "task mnli: give `path` (a file) or `hf`" in message
    assert "task mnli: give either `path` or `hf`, not both" in message
    assert "unknown Hugging Face dataset 'someone/unknown'" in message and "google/xtreme" in message
    assert "holds wikiann data (tagging), not udpos" in message
    assert "holds pawsx data (pair), not xnli" in message
    assert "5 problem(s)" in message


def test_one_language_hf_eval_needs_a_placeholder(tmp_path: Path) -> None:
    target = XNLI_TARGET | {
        "task": "pawsx",
        "eval_task": "pawsx",
        "train": {"hf": {"id": "google/xtreme", "config": "PAWS-X.en", "split": "train"}},
        "eval": {"hf": {"id": "google/xtreme", "config": "PAWS-X.de", "split": "test"}},
    }
    task = {"task": "mnli", "path": str(TASKS / "mnli" / "dev_matched.jsonl")}
    with pytest.raises(ConfigError, match=r"put \{lang\} or \{Language\} in its config"):
        parse_experiment(_experiment(tmp_path, task, target), tmp_path)


def test_read_task_file_dispatches_on_the_source(tmp_path: Path) -> None:
    from trainer.reading import read_task_file

    path = TASKS / "mnli" / "dev_matched.jsonl"
    assert read_task_file("mnli", path) == [e for e in read_examples("mnli", path).examples if e.label >= 0]
    with pytest.raises(ConfigError, match="unknown Hugging Face dataset"):
        read_task_file("mnli", HfSpec(id="nope/none", split="train"))
