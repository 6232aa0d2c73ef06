"""File layouts: detection and its messages, the XTREME-R download's shapes, and files without gold."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from generator.errors import ConfigError, InputError
from generator.example import Example
from generator.tasks import read_examples, write_examples
from generator.tasks.splits import split_of
from tests.conftest import shared_file

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "tasks"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def quoted(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter="\t").writerows(rows)
    return path


def test_xtreme_r_tsv_unquotes_fields_and_a_two_column_test_file_has_no_gold(tmp_path: Path) -> None:
    dev = quoted(tmp_path / "dev-de.tsv", [['Er sagte "ja".', "Er stimmte zu.", "entailment"]])
    assert b'"Er sagte ""ja""."' in dev.read_bytes() and dev.read_bytes().endswith(b"\r\n")
    result = read_examples("xnli", dev)
    assert (result.layout, result.examples[0].text_a, result.examples[0].label, result.no_gold) == (
        "xtreme-r",
        'Er sagte "ja".',
        0,
        "",
    )
    test = quoted(tmp_path / "test-de.tsv", [["a", "b"], ["c", "d"]])
    unlabelled = read_examples("xnli", test)
    assert [ex.label for ex in unlabelled.examples] == [-1, -1]
    assert "has no gold" in unlabelled.no_gold and "XNLI-1.0/xnli.test.tsv" in unlabelled.no_gold
    mixed = quoted(tmp_path / "test-fr.tsv", [["a", "b"], ["c", "d", "neutral"]])
    with pytest.raises(InputError, match="expected 2 like the first record"):
        read_examples("pawsx", mixed)


def test_the_language_comes_from_the_name_and_a_name_without_one_is_refused(tmp_path: Path) -> None:
    tokens = "Berlin\tB-LOC\nliegt\tO\n"
    assert read_examples("wikiann", write(tmp_path / "train-sw.tsv", tokens)).examples[0].lang == "sw"
    with pytest.raises(InputError, match=r"name the file <split>-<lang>\.tsv"):
        read_examples("wikiann", write(tmp_path / "panx.tsv", tokens))
    conllu = "1\tSi\tsi\tSCONJ\t_\t_\t0\troot\t_\t_\n"
    assert read_examples("udpos", write(tmp_path / "de-ud-test.conllu", conllu)).examples[0].lang == "de"


def test_tokens_only_files_have_no_gold_and_mixing_with_tags_is_an_error(tmp_path: Path) -> None:
    test = read_examples("udpos", write(tmp_path / "test-yo.tsv", "Ó\nwá\n\nBẹ́ẹ̀ni\n"))
    assert [ex.tokens for ex in test.examples] == [["Ó", "wá"], ["Bẹ́ẹ̀ni"]] and test.examples[0].tags == []
    assert "tokens only" in test.no_gold and "ud-test.conllu" in test.no_gold
    write_examples("udpos", test.examples, tmp_path / "again" / "test-yo.tsv")
    assert read_examples("udpos", tmp_path / "again" / "test-yo.tsv").examples == test.examples
    with pytest.raises(InputError, match="the token only"):
        read_examples("udpos", write(tmp_path / "dev-yo.tsv", "Ó\nwá\tVERB\n"))


def test_panx_raw_and_xtreme_r_files_read_alike(tmp_path: Path) -> None:
    raw = read_examples("wikiann", SAMPLES / "wikiann" / "en-dev")
    xtreme_r = read_examples("wikiann", SAMPLES / "wikiann" / "dev-en.tsv")
    assert (raw.layout, xtreme_r.layout) == ("raw", "xtreme-r")
    assert [(e.tokens, e.tags, e.lang) for e in raw.examples] == [
        (e.tokens, e.tags, e.lang) for e in xtreme_r.examples
    ]


def test_an_asked_layout_that_does_not_fit_says_which_one_does(tmp_path: Path) -> None:
    sample = SAMPLES / "wikiann" / "en-dev"
    with pytest.raises(InputError, match="looks like the raw layout") as caught:
        read_examples("wikiann", sample, layout="xtreme-r")
    assert "set layout: raw" in str(caught.value)
    with pytest.raises(ConfigError, match="Hugging Face dataset id"):
        read_examples("wikiann", sample, layout="hf")
    with pytest.raises(ConfigError, match="no layout 'conll'"):
        read_examples("wikiann", sample, layout="conll")
    assert read_examples("wikiann", sample, layout="raw").layout == "raw"


def test_xcopa_test_labels_set_to_zero_are_no_gold_but_real_labels_are(tmp_path: Path) -> None:
    row = {"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "idx": 0, "changed": False}
    zeros = write(
        tmp_path / "test-et.jsonl", "".join(json.dumps(row | {"label": 0}) + "\n" for _ in range(3))
    )
    forced = read_examples("xcopa", zeros)
    assert {(ex.lang, ex.label) for ex in forced.examples} == {
        ("et", -1)
    } and "test.<lang>.jsonl" in forced.no_gold
    write_examples("xcopa", forced.examples, tmp_path / "out" / "test-et.jsonl")
    assert all(
        json.loads(line)["label"] == 0
        for line in (tmp_path / "out" / "test-et.jsonl").read_text().splitlines()
    )
    real = write(tmp_path / "test.et.jsonl", zeros.read_text().replace('"label": 0', '"label": 1', 1))
    assert [ex.label for ex in read_examples("xcopa", real).examples] == [1, 0, 0]
    kept = write(tmp_path / "val-et.jsonl", zeros.read_text())
    assert [ex.label for ex in read_examples("xcopa", kept).examples] == [0, 0, 0]


def test_blanked_qa_answers_are_no_gold_and_a_single_blank_answer_is_an_error(tmp_path: Path) -> None:
    def doc(answers: list[list[dict[str, object]]]) -> str:
        data = [
            {
                "paragraphs": [
                    {"context": "Rome is old.", "qas": [{"id": f"q{i}", "question": "?", "answers": a}]}
                ]
            }
            for i, a in enumerate(answers)
        ]
        return json.dumps({"data": data, "version": "1.1"})

    blank = [{"answer_start": 0, "text": ""}]
    result = read_examples("xquad", write(tmp_path / "xquad.de.json", doc([blank, blank])))
    assert (result.layout, [ex.answers for ex in result.examples]) == ("xtreme-r", [[], []])
    assert "every answer is blank" in result.no_gold and "deepmind/xquad" in result.no_gold
    write_examples("xquad", result.examples, tmp_path / "out" / "xquad.de.json")
    assert read_examples("xquad", tmp_path / "out" / "xquad.de.json").examples == result.examples
    partly = write(tmp_path / "xquad.el.json", doc([blank, [{"answer_start": 0, "text": "Rome"}]]))
    with pytest.raises(InputError, match="is empty"):
        read_examples("xquad", partly)


def test_tydiqa_collapsed_ids_read_by_position_and_write_back(tmp_path: Path) -> None:
    qas = [
        {"id": "0", "question": f"q{i}", "answers": [{"answer_start": 0, "text": "Rome"}]} for i in range(3)
    ]
    data = [{"paragraphs": [{"context": "Rome is old.", "qas": [qa]}]} for qa in qas]
    path = write(tmp_path / "tydiqa.goldp.en.train.json", json.dumps({"data": data, "version": "v"}))
    examples = read_examples("tydiqa", path).examples
    assert [(ex.id, ex.lang, ex.meta["source_id"]) for ex in examples] == [
        (f"tydiqa.goldp.en.train-{n}", "en", "0") for n in (1, 2, 3)
    ]
    write_examples("tydiqa", examples, tmp_path / "out" / path.name)
    written = json.loads((tmp_path / "out" / path.name).read_text())
    assert [p["qas"][0]["id"] for a in written["data"] for p in a["paragraphs"]] == ["0", "0", "0"]
    official = {"data": [{"paragraphs": [{"context": "Rome", "qas": [qas[0] | {"id": "finnish-12-0"}]}]}]}
    assert read_examples("tydiqa", write(tmp_path / "x.json", json.dumps(official))).examples[0].lang == "fi"


def test_lareqa_ignores_sentences_and_skips_an_answer_outside_them_with_a_warning(tmp_path: Path) -> None:
    paragraph = {
        "context": "One. Two three.",
        "sentence_breaks": [[0, 4], [5, 15]],
        "sentences": ["One.", "Two"],  # does not match the breaks, as in xquad-r/tr.json
        "qas": [
            {"id": "a", "question": "?", "answers": [{"text": "Two", "answer_start": 5}]},
            {"id": "b", "question": "?", "answers": [{"text": "One", "answer_start": 90}]},
        ],
    }
    path = write(tmp_path / "tr.json", json.dumps({"data": [{"title": "t", "paragraphs": [paragraph]}]}))
    result = read_examples("lareqa", path)
    assert [ex.text_b for ex in result.examples] == ["Two three."]
    assert [w.where for w in result.warnings] == ["article 1 paragraph 1 question 2"] and not result.errors


def test_mewslix_reads_every_line_shape_of_the_tool_and_refuses_the_no_text_release(tmp_path: Path) -> None:
    sample = SAMPLES / "mewslix" / "wikinews_mentions-dev.jsonl"
    line = json.loads(sample.read_text().splitlines()[0])
    context, mention = line["context"], line["mentions"][0]
    entity = {
        "entity_id": "Q1055",
        "title": "Hamburg",
        "description": "Hamburg is a city.",
        "sentence_spans": [{"start": 0, "end": 18}],
        "description_language": "en",
        "description_url": "https://en.wikipedia.org/",
    }
    lines = [
        {"context": context, "mention": mention},
        {
            "contextual_mention": {"context": context, "mention": mention | {"example_id": "p1"}},
            "entity": entity,
        },
        entity,
    ]
    path = write(tmp_path / "wikipedia_pairs-dev.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    examples = read_examples("mewslix", path).examples
    assert [(ex.meta["shape"], ex.text_a, ex.text_b, ex.meta["entity_id"]) for ex in examples] == [
        ("mention", "Hamburg", "", "Q1055"),
        ("pair", "Hamburg", "Hamburg is a city.", "Q1055"),
        ("entity", "", "Hamburg is a city.", "Q1055"),
    ]
    write_examples("mewslix", examples, tmp_path / "out" / path.name)
    assert [json.loads(x) for x in (tmp_path / "out" / path.name).read_text().splitlines()] == lines
    empty = line | {"context": line["context"] | {"text": ""}}
    with pytest.raises(InputError, match=r"get-mewsli-x\.sh") as caught:
        read_examples(
            "mewslix", write(tmp_path / "no_text.jsonl", json.dumps(empty) + "\n"), skip_invalid=True
        )
    assert caught.value.field == "context.text"
    blank = line | {"mentions": [m | {"entity_id": ""} for m in line["mentions"]]}
    test = read_examples("mewslix", write(tmp_path / "test-en.jsonl", json.dumps(blank) + "\n"))
    assert test.layout == "xtreme-r" and "every entity_id is empty" in test.no_gold


def test_tatoeba_xtreme_r_folder_reads_as_unpaired_sentences(tmp_path: Path) -> None:
    write(tmp_path / "sw-en.sw", "Habari.\nAsante.\n")
    write(tmp_path / "sw-en.en", "Hello.\nThank you.\n")
    result = read_examples("tatoeba", tmp_path / "sw-en.sw")
    assert result.layout == "xtreme-r" and "LASER" in result.no_gold
    assert [(ex.lang, ex.text_a, ex.text_b) for ex in result.examples] == [
        ("sw", "Habari.", ""),
        ("sw", "Asante.", ""),
        ("sw", "", "Hello."),
        ("sw", "", "Thank you."),
    ]


def test_english_test_files_without_labels_read_with_no_gold(tmp_path: Path) -> None:
    mnli = write(tmp_path / "test_matched.tsv", "index\tpairID\tsentence1\tsentence2\n0\t7\ta\tb\n")
    assert "GLUE keeps the MNLI test labels hidden" in read_examples("mnli", mnli).no_gold
    qqp = write(tmp_path / "test.tsv", "id\tquestion1\tquestion2\n0\ta?\tb?\n")
    assert [ex.label for ex in read_examples("qqp", qqp).examples] == [-1]
    copa = write(
        tmp_path / "test.jsonl",
        json.dumps({"premise": "p", "choice1": "a", "choice2": "b", "question": "effect", "idx": 0}) + "\n",
    )
    assert read_examples("copa", copa).no_gold
    labelled = Example(id="1", task="mnli", kind="pair", text_a="a", text_b="b", label=1)
    write_examples("mnli", [labelled], tmp_path / "dev_matched.tsv")
    assert read_examples("mnli", tmp_path / "dev_matched.tsv").examples[0].label == 1


def test_social_iqa_v14_and_ai2_layouts_give_the_same_examples() -> None:
    ai2 = read_examples("siqa", SAMPLES / "siqa" / "dev.jsonl")
    v14 = read_examples("siqa", SAMPLES / "siqa" / "socialIQa_v1.4_dev.jsonl")
    assert (ai2.layout, v14.layout) == ("raw", "xtreme-r")
    assert [(e.context, e.choices, e.label) for e in ai2.examples] == [
        (e.context, e.choices, e.label) for e in v14.examples
    ]


def test_jiant_ccg_checks_tags_against_tags_to_id(tmp_path: Path) -> None:
    assert read_examples("ccg", SAMPLES / "ccg" / "ccg.dev").examples == [
        replace(ex, id=ex.id.replace("dev", "ccg"))
        for ex in read_examples("ccg", SAMPLES / "ccg" / "dev.stagged").examples
    ]
    write(tmp_path / "tags_to_id.json", json.dumps({"N": 0, ".": 1}))
    with pytest.raises(InputError, match=r"NP not in tags_to_id\.json"):
        read_examples("ccg", write(tmp_path / "ccg.dev", "Cats sleep .\tNP N .\n"))


@pytest.mark.parametrize(
    ("name", "relative", "count"),
    [
        ("xnli", "xtreme-r/raw/xnli/hf-dummy/XNLI-1.0/xnli.dev.tsv", 15),
        ("xnli", "xtreme-r/raw/xnli/hf-dummy/XNLI-MT-1.0/multinli/multinli.train.en.tsv", 4),
        ("pawsx", "xtreme-r/raw/pawsx/hf-dummy/x-final/de/dev_2k.tsv", 4),
        ("mnli", "english/mnli/hf-dummy/glue_MNLI/dev_matched.tsv", 2),
    ],
)
def test_original_release_tsvs_round_trip(name: str, relative: str, count: int, tmp_path: Path) -> None:
    source = shared_file(relative)
    result = read_examples(name, source)
    assert (result.layout, len(result.examples)) == ("raw", count)
    copy = tmp_path / source.parent.name / source.name
    write_examples(name, result.examples, copy)
    assert read_examples(name, copy).examples == result.examples


def test_a_record_without_gold_cannot_go_into_a_raw_file(tmp_path: Path) -> None:
    test = read_examples("pawsx", quoted(tmp_path / "test-de.tsv", [["a", "b"]])).examples
    with pytest.raises(InputError, match="write it in the xtreme-r layout"):
        write_examples("pawsx", test, tmp_path / "de" / "test_2k.tsv")


@pytest.mark.parametrize(
    ("name", "fmt", "split"),
    [
        ("dev-de.tsv", "xnli", "dev"),
        ("test_2k.tsv", "pawsx", "test"),
        ("val.et.jsonl", "xcopa", "dev"),
        ("socialIQa_v1.4_tst.jsonl", "siqa", "test"),
        ("en_ewt-ud-train.conllu", "udpos", "train"),
        ("de-en.sample.de", "bucc", "dev"),
        ("xquad.de.json", "xquad", "test"),
        ("af-en.af", "tatoeba", "test"),
        ("mnli.en.jsonl", "mnli", "unnamed"),
    ],
)
def test_the_split_comes_from_the_file_name(name: str, fmt: str, split: str) -> None:
    assert split_of(Path(name), fmt) == split
