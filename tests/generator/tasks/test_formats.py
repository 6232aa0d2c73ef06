"""Task formats: every format round-trips its file, rejects malformed records, and reads real data right."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.errors import ConfigError, InputError
from generator.example import Answer, Example
from generator.tasks import FORMATS, get_format, read_examples, write_examples
from tests.conftest import shared_file

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "tasks"
SHARED = "shared:"

# format -> (file: a sample under samples/tasks or SHARED + a path under ../shared/data, examples in it)
SOURCES: dict[str, tuple[str, int]] = {
    "squad": ("squad/dev-v1.1.json", 5),
    "squad_v2": (SHARED + "squad/squad_v2_sample.json", 626),
    "xquad": (SHARED + "xquad/xquad.en.json", 1190),
    "mlqa": ("mlqa/dev-context-de-question-de.json", 3),
    "tydiqa": ("tydiqa/tydiqa.goldp.en.dev.json", 2),
    "mnli": ("mnli/dev_matched.jsonl", 3),
    "snli": ("snli/snli_1.0_dev.jsonl", 3),
    "anli": ("anli/r1_dev.jsonl", 3),
    "qqp": ("qqp/dev.tsv", 3),
    "xnli": ("xnli/dev-de.tsv", 4),
    "pawsx": ("pawsx/dev-fr.tsv", 4),
    "hellaswag": ("hellaswag/hellaswag_val.jsonl", 2),
    "commonsenseqa": ("commonsenseqa/dev_rand_split.jsonl", 2),
    "cosmosqa": ("cosmosqa/valid.jsonl", 2),
    "copa": ("copa/val.jsonl", 4),
    "xcopa": (SHARED + "xcopa/val.et.jsonl", 100),
    "siqa": ("siqa/dev.jsonl", 3),
    "ccg": ("ccg/dev.stagged", 3),
    "udpos": ("udpos/es_sample-ud-dev.conllu", 2),
    "wikiann": ("wikiann/dev-en.tsv", 3),
    "tatoeba": (SHARED + "tatoeba/tatoeba.afr-eng.afr", 1000),
    "bucc": ("bucc/de-en.sample.de", 4),
    "lareqa": ("lareqa/en.json", 3),
    "mewslix": ("mewslix/wikinews_mentions-dev.jsonl", 3),
}
# Further layouts of the same formats, in the bundled samples.
LAYOUT_SAMPLES = [
    ("cosmosqa", "cosmosqa/valid.csv", 2),
    ("wikiann", "wikiann/en-dev", 3),
    ("udpos", "udpos/dev-es.tsv", 2),
    ("siqa", "siqa/socialIQa_v1.4_dev.jsonl", 3),
    ("ccg", "ccg/ccg.dev", 3),
    ("anli", "anli/anli_plus_train.jsonl", 4),
]
CASES = [(name, *SOURCES[name]) for name in FORMATS] + LAYOUT_SAMPLES


def source(spec: str) -> Path:
    return shared_file(spec.removeprefix(SHARED)) if spec.startswith(SHARED) else SAMPLES / spec


def copy_with_siblings(path: Path, folder: Path) -> Path:
    """Copy a task file and the files beside it sharing its stem (.eng, .gold, -labels.lst) into `folder`."""
    for sibling in path.parent.glob(f"{path.stem}*"):
        shutil.copy(sibling, folder / sibling.name)
    return folder / path.name


def test_every_format_has_a_source_and_the_registry_is_consistent() -> None:
    assert set(SOURCES) == set(FORMATS)
    for name, fmt in FORMATS.items():
        assert fmt.name == name and get_format(name) is fmt
        assert fmt.kind in ("qa", "pair", "choice", "tagging", "retrieval") and fmt.description


@pytest.mark.parametrize(("name", "spec", "count"), CASES, ids=[f"{c[0]}:{Path(c[1]).name}" for c in CASES])
def test_read_write_read_gives_equal_examples(name: str, spec: str, count: int, tmp_path: Path) -> None:
    path = source(spec)
    examples = read_examples(name, path).examples
    assert len(examples) == count
    assert all(ex.task == name and ex.kind == FORMATS[name].kind for ex in examples)
    assert len({ex.id for ex in examples}) == count
    first = tmp_path / "first" / path.name
    write_examples(name, examples, first)
    again = read_examples(name, first).examples
    assert again == examples
    second = tmp_path / "second" / path.name
    write_examples(name, again, second)
    assert second.read_bytes() == first.read_bytes()


def bad(name: str, old: str, new: str, field: str, *, spec: str = "", edit: str = "") -> object:
    """A copy of `spec` whose `edit` file (default: the one read) has its first `old` replaced by `new`."""
    return pytest.param(name, spec or SOURCES[name][0], edit, old, new, field, id=f"{name}:{field}")


MALFORMED = [
    bad("squad", "It is about 1,230", "It is around 1,230", "answers[0].answer_start"),
    bad("squad_v2", '"answer_start": 159', '"answer_start": 158', "answers[0].answer_start"),
    bad("xquad", '"answer_start": 34,', '"answer_start": 35,', "answers[0].answer_start"),
    bad("mlqa", '"question": "Wie hoch', '"frage": "Wie hoch', "question"),
    bad("tydiqa", '"english-8361744239517763411-0"', "17", "id"),
    bad("mnli", '"gold_label": "neutral"', '"gold_label": "maybe"', "gold_label"),
    bad("snli", '"sentence2": "Animals', '"hypothesis": "Animals', "sentence2"),
    bad("anli", '"label": "n", ', '"label": "n" ', "(json)"),
    bad("qqp", "Why is the sky blue?\t", "Why is the sky blue? ", "columns"),
    bad("xnli", "\tneutral", "\tneutre", "label"),
    bad("pawsx", "\t0\n", "\t2\n", "label"),
    bad("hellaswag", '"label": 0', '"label": 7', "label"),
    bad("commonsenseqa", '"answerKey": "E"', '"answerKey": "F"', "answerKey"),
    bad("cosmosqa", '"answer3": "Their car broke down .", ', "", "answer3"),
    bad("cosmosqa", ",To the office .,1", ",1", "columns", spec="cosmosqa/valid.csv"),
    bad("copa", '"question": "cause", "label": 1', '"question": "why", "label": 1', "question"),
    bad("xcopa", '"question": "effect"', '"question": "because"', "question"),
    bad("siqa", "1\n", "4\n", "label", edit="dev-labels.lst"),
    bad("ccg", "sat|S[dcl]\\NP", "sat", "tokens"),
    bad("udpos", "\t5\tcc\t_\t_", "\t5\tcc", "columns"),
    bad("wikiann", "Blackburn\tI-PER", "Blackburn\tI-PERSON", "tag"),
    bad("bucc", "en-000001", "en-000009", "id", edit="de-en.sample.gold"),
    bad("lareqa", '"lareqa-q3"', '"lareqa-q1"', "id"),
    bad("mewslix", '"text": "Elbe"', '"text": "Elba"', "mentions[1].mention_span"),
]


@pytest.mark.parametrize(("name", "spec", "edit", "old", "new", "field"), MALFORMED)
def test_a_malformed_record_is_named_and_can_be_skipped(
    name: str, spec: str, edit: str, old: str, new: str, field: str, tmp_path: Path
) -> None:
    path = copy_with_siblings(source(spec), tmp_path)
    count = len(read_examples(name, path).examples)
    broken = tmp_path / edit if edit else path
    text = broken.read_text(encoding="utf-8")
    assert old in text
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(InputError) as caught:
        read_examples(name, path)
    assert caught.value.field == field
    assert caught.value.path == str(broken)
    assert any(word in caught.value.where for word in ("line", "question", "record"))

    result = read_examples(name, path, skip_invalid=True)
    assert [err.field for err in result.errors] == [field]
    # BUCC keeps both sentences of a broken gold pair as unpaired candidates.
    assert len(result.examples) == (count + 1 if name == "bucc" else count - 1)


@pytest.mark.parametrize(
    ("name", "spec", "edit", "field"),
    [
        ("squad", "squad/dev-v1.1.json", lambda p: p.write_text(p.read_text()[:-40]), "(json)"),
        ("qqp", "qqp/dev.tsv", lambda p: p.write_text(p.read_text().replace("qid1\t", "", 1)), "header"),
        ("siqa", "siqa/dev.jsonl", lambda p: (p.parent / "dev-labels.lst").write_text("1\n2\n"), "label"),
        (
            "cosmosqa",
            "cosmosqa/valid.csv",
            lambda p: p.write_text(p.read_text().replace("id,", "", 1)),
            "header",
        ),
        ("bucc", "bucc/de-en.sample.de", lambda p: p.with_suffix(".en").unlink(), "path"),
    ],
)
def test_file_level_problems_raise_even_when_skipping(
    name: str, spec: str, edit: Callable[[Path], object], field: str, tmp_path: Path
) -> None:
    path = copy_with_siblings(SAMPLES / spec, tmp_path)
    edit(path)
    with pytest.raises(InputError) as caught:
        read_examples(name, path, skip_invalid=True)
    assert caught.value.field == field


def test_tatoeba_sides_must_have_the_same_number_of_lines(tmp_path: Path) -> None:
    path = copy_with_siblings(shared_file("tatoeba/tatoeba.afr-eng.afr"), tmp_path)
    english = path.with_suffix(".eng")
    english.write_text("".join(english.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]))
    with pytest.raises(InputError, match="999 lines"):
        read_examples("tatoeba", path, skip_invalid=True)


def test_a_missing_file_and_an_unknown_format_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_examples("squad", tmp_path / "absent.json")
    with pytest.raises(ConfigError, match="known formats: squad, squad_v2"):
        get_format("squad3")


def test_writers_refuse_examples_they_cannot_hold(tmp_path: Path) -> None:
    pair = Example(id="p1", task="mnli", kind="pair", text_a="a", text_b="b", label=0)
    with pytest.raises(ConfigError, match="writes qa examples"):
        write_examples("squad", [pair], tmp_path / "x.json")
    ragged = Example(id="t1", task="ccg", kind="tagging", tokens=["a", "b"], tags=["N"])
    for name in ("ccg", "udpos", "wikiann"):
        with pytest.raises(InputError, match="1 tags for 2 tokens"):
            write_examples(name, [ragged], tmp_path / f"{name}.txt")
    tabbed = Example(id="x1", task="qqp", kind="pair", text_a="a\tb", text_b="c", label=0)
    with pytest.raises(InputError, match="tab or line break"):
        write_examples("qqp", [tabbed], tmp_path / "dev.tsv")


def test_xquad_reads_every_answer_at_its_offset_and_writes_the_same_document(tmp_path: Path) -> None:
    path = shared_file("xquad/xquad.en.json")
    examples = read_examples("xquad", path).examples
    assert len(examples) == 1190
    assert all(ex.context[a.start : a.start + len(a.text)] == a.text for ex in examples for a in ex.answers)
    assert len({ex.meta["article"] for ex in examples}) == 48
    assert len({(ex.meta["article"], ex.meta["paragraph"]) for ex in examples}) == 240
    write_examples("xquad", examples, tmp_path / path.name)
    assert json.loads((tmp_path / path.name).read_text()) == json.loads(path.read_text())


def test_squad_v2_keeps_unanswerable_questions_and_plausible_answers(tmp_path: Path) -> None:
    path = shared_file("squad/squad_v2_sample.json")
    examples = read_examples("squad_v2", path).examples
    answerable = [ex for ex in examples if not ex.is_impossible]
    unanswerable = [ex for ex in examples if ex.is_impossible]
    assert (len(answerable), len(unanswerable)) == (293, 333)
    assert all(ex.answers for ex in answerable)
    assert all(not ex.answers and "plausible_answers" in ex.meta for ex in unanswerable)
    write_examples("squad_v2", examples, tmp_path / path.name)
    assert json.loads((tmp_path / path.name).read_text()) == json.loads(path.read_text())


@pytest.mark.parametrize("lang", ["et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh"])
def test_xcopa_validation_sets(lang: str) -> None:
    examples = read_examples("xcopa", shared_file(f"xcopa/val.{lang}.jsonl")).examples
    assert len(examples) == 100
    assert {ex.lang for ex in examples} == {lang}
    assert {ex.question for ex in examples} <= {"cause", "effect"}  # th and tr hold only "effect" questions
    assert all(len(ex.choices) == 2 and ex.label in (0, 1) for ex in examples)


@pytest.mark.parametrize(
    ("code", "lang", "count"), [("afr", "af", 1000), ("jav", "jv", 205), ("cmn", "zh", 1000)]
)
def test_tatoeba_pairs(code: str, lang: str, count: int) -> None:
    examples = read_examples("tatoeba", shared_file(f"tatoeba/tatoeba.{code}-eng.{code}")).examples
    assert len(examples) == count
    assert {ex.lang for ex in examples} == {lang}
    assert all(ex.text_a and ex.text_b for ex in examples)


def test_format_specific_readings() -> None:
    snli = read_examples("snli", SAMPLES / "snli/snli_1.0_dev.jsonl").examples
    assert [ex.label for ex in snli] == [0, -1, 2]
    siqa = read_examples("siqa", SAMPLES / "siqa/dev.jsonl").examples
    assert [ex.label for ex in siqa] == [1, 0, 2]
    udpos = read_examples("udpos", SAMPLES / "udpos/es_sample-ud-dev.conllu").examples
    assert udpos[0].tokens == ["Vamos", "a", "el", "parque", "de", "el", "pueblo", "."]
    assert udpos[0].tags[:3] == ["VERB", "ADP", "DET"] and udpos[0].lang == "es"
    assert "5.1\tcome" in udpos[1].meta["conllu"] and "comer" not in " ".join(udpos[1].tokens)
    wikiann = read_examples("wikiann", SAMPLES / "wikiann/dev-en.tsv").examples
    assert wikiann[1].tokens == ["Peter", "Blackburn"] and wikiann[1].tags == ["B-PER", "I-PER"]
    bucc = read_examples("bucc", SAMPLES / "bucc/de-en.sample.de").examples
    assert [(ex.text_a != "", ex.text_b != "") for ex in bucc] == [(True, True)] * 2 + [
        (True, False),
        (False, True),
    ]
    lareqa = read_examples("lareqa", SAMPLES / "lareqa/en.json").examples
    assert lareqa[0].text_b == "It covers much of Brazil and Peru."
    mewslix = read_examples("mewslix", SAMPLES / "mewslix/wikinews_mentions-dev.jsonl").examples
    assert [(ex.lang, ex.meta["entity_id"], ex.text_a) for ex in mewslix][-1] == (
        "de",
        "Q154797",
        "Bundestag",
    )


def test_siqa_reads_inline_labels_and_a_changed_conllu_sentence_is_written_back(tmp_path: Path) -> None:
    inline = tmp_path / "train.jsonl"
    inline.write_text(
        json.dumps(
            {"context": "c", "question": "q", "answerA": "a", "answerB": "b", "answerC": "x", "label": "3"}
        )
    )
    assert read_examples("siqa", inline).examples[0].label == 2
    sentence = read_examples("udpos", SAMPLES / "udpos/es_sample-ud-dev.conllu").examples[0]
    sentence.tokens[3], sentence.tags[3] = "jardín", "PROPN"
    write_examples("udpos", [sentence], tmp_path / "es_x-ud-dev.conllu")
    written = (tmp_path / "es_x-ud-dev.conllu").read_text()
    assert "4\tjardín\tparque\tPROPN\t" in written and "2-3\tal\t" in written


contexts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=60)


@st.composite
def squad_examples(draw: st.DrawFn) -> list[Example]:
    examples = []
    for p in range(draw(st.integers(1, 4))):
        context = draw(contexts)
        title = draw(st.sampled_from(["A", "B"]))
        for q in range(draw(st.integers(1, 3))):
            start = draw(st.integers(0, len(context) - 1))
            end = draw(st.integers(start + 1, len(context)))
            answer = Answer(text=context[start:end], start=start)
            examples.append(
                Example(id=f"{p}-{q}", task="squad", kind="qa", title=title, context=context,
                        question=draw(contexts), answers=[answer])
            )  # fmt: skip
    return examples


@settings(max_examples=40, deadline=None)
@given(examples=squad_examples())
def test_squad_round_trip_keeps_spans_on_generated_contexts(
    examples: list[Example], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("squad") / "gen.json"
    write_examples("squad", examples, path)
    again = read_examples("squad", path).examples

    def key(ex: Example) -> tuple[object, ...]:
        return ex.id, ex.title, ex.context, ex.question, ex.answers

    assert [key(ex) for ex in again] == [key(ex) for ex in examples]


def test_tasks_command_lists_every_format() -> None:
    from xstilts.cli import app

    result = CliRunner().invoke(app, ["tasks"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for name, fmt in FORMATS.items():
        assert f"│ {name} " in result.output and fmt.family in result.output
    assert "entailment neutral contradiction" in result.output
