"""The generation pipeline end to end: Apertium eng->spa, resume, cancellation, tiny CT2, code-switching."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.codeswitch.function_words import FUNCTION_WORDS
from generator.errors import Cancelled, ConfigError
from generator.executors import LocalExecutor, create_executor
from generator.pipeline.config import GenerateConfig
from generator.pipeline.runner import Progress, read_input, run
from generator.pipeline.stats import RunStats
from generator.pipeline.units import plan
from generator.projection.fields import text_segments
from generator.shards import MANIFEST, iter_examples, load_manifest, save_manifest, verify
from tests.conftest import shared_file

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None, reason="needs apertium + apertium-eng-spa"
)

PARAGRAPHS = [
    (
        "Super Bowl 50 was an American football game to determine the champion of the National Football "
        "League for the 2015 season. The Denver Broncos defeated the Carolina Panthers 24–10 to earn their "
        "third Super Bowl title. The game was played on February 7, 2016, at Levi's Stadium in Santa Clara.",
        [
            ("Which team won Super Bowl 50?", "Denver Broncos"),
            ("Where was the game played?", "Levi's Stadium"),
            ("When was the game played?", "February 7, 2016"),
            ("What was the final score?", "24–10"),
        ],
    ),
    (
        "The city has a large park near the river. Many families walk there on Sunday. "
        "The old bridge was built in 1890 by a local engineer.",
        [
            ("When was the bridge built?", "1890"),
            ("Who built the bridge?", "a local engineer"),
            ("Where is the park?", "near the river"),
        ],
    ),
]


def write_squad(path: Path, paragraphs: list[tuple[str, list[tuple[str, str]]]] = PARAGRAPHS) -> Path:
    data = []
    for p, (context, qas) in enumerate(paragraphs):
        questions = [
            {
                "id": f"p{p}q{q}",
                "question": question,
                "answers": [{"text": answer, "answer_start": context.index(answer)}],
            }
            for q, (question, answer) in enumerate(qas)
        ]
        data.append({"title": f"Article_{p}", "paragraphs": [{"context": context, "qas": questions}]})
    path.write_text(json.dumps({"version": "1.1", "data": data}), encoding="utf-8")
    return path


N_QUESTIONS = sum(len(qas) for _, qas in PARAGRAPHS)
MT_CACHE: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def shared_translation_memory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One translation memory for the module's runs, so Apertium runs once per distinct segment."""
    MT_CACHE[:] = [tmp_path_factory.mktemp("mt") / "cache.sqlite"]


def config(tmp_path: Path, **changes: object) -> GenerateConfig:
    values: dict[str, object] = {
        "task": "squad",
        "input": write_squad(tmp_path / "squad.json"),
        "langs": ["es"],
        "out": tmp_path / "out",
        "rows_per_shard": 3,
        "batch_size": 2,
        "cache_path": MT_CACHE[0] if MT_CACHE else tmp_path / "cache.sqlite",
    }
    values.update(changes)
    return GenerateConfig.build(**values)


def subdir(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).mkdir()
    return tmp_path / name


def shard_hashes(out: Path) -> dict[str, str]:
    return {s.path: s.sha256 for s in load_manifest(out).shards}


def test_config_reports_every_problem_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        GenerateConfig.build(
            task="nope", input=tmp_path / "x.json", langs=["es", "xx"], out=tmp_path, backend="b"
        )
    message = str(err.value)
    assert "unknown task 'nope'" in message
    assert "xx" in message
    assert "unknown backend 'b'" in message


def test_plan_cuts_units_per_language_method_and_shard(tmp_path: Path) -> None:
    cfg = config(tmp_path, langs=["es", "sw"], methods=["translate", "codeswitch"])
    units = plan(cfg, 7)
    assert len(units) == 2 * 2 * 3
    assert [(u.start, u.stop) for u in units[:3]] == [(0, 3), (3, 6), (6, 7)]
    assert {(u.lang, u.method) for u in units} == {
        ("es", "translate"),
        ("es", "codeswitch"),
        ("sw", "translate"),
        ("sw", "codeswitch"),
    }


def test_executor_registry() -> None:
    assert isinstance(create_executor("local"), LocalExecutor)
    assert list(LocalExecutor().map_units(lambda u: u * 2, [1, 2, 3])) == [2, 4, 6]
    with pytest.raises(ConfigError, match="unknown executor"):
        create_executor("nowhere")


@needs_apertium
def test_apertium_squad_keeps_valid_spans_and_counts_drops(tmp_path: Path) -> None:
    seen: list[Progress] = []
    stats = RunStats()
    cfg = config(tmp_path)
    manifest = run(cfg, progress=seen.append, stats=stats)
    assert manifest.complete
    assert verify(cfg.out) == []
    examples = list(iter_examples(cfg.out))
    drops = manifest.drops().get("squad/es/translate", {})
    assert len(examples) + sum(drops.values()) == N_QUESTIONS
    assert len(examples) >= N_QUESTIONS - 2
    for ex in examples:
        assert (ex.lang, ex.method) == ("es", "translate")
        assert ex.projection in ("marker", "fuzzy", "align")
        assert 0 < ex.confidence <= 1
        assert ex.answers
        for answer in ex.answers:
            assert ex.context[answer.start : answer.start + len(answer.text)] == answer.text
    ids = [ex.id for ex in examples]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # input order, each once
    assert "Broncos" in examples[0].context
    # Shared contexts and the batch dedup: fewer segments reach the backend than examples asked for.
    assert stats.segments.translated < stats.segments.requested
    last = seen[-1]
    assert (last.done_rows, last.total_rows) == (N_QUESTIONS, N_QUESTIONS)
    assert last.kept + last.dropped == N_QUESTIONS
    assert manifest.backend["name"] == "apertium"
    assert manifest.config["input_rows"] == N_QUESTIONS


@needs_apertium
def test_each_sentence_is_sent_once_with_all_its_answers_marked(tmp_path: Path) -> None:
    # Paragraph 0 has four questions over two shards of three rows and batches of two: its
    # answers are still marked together, so no sentence is sent twice.
    stats = RunStats()
    cfg = config(tmp_path, cache_path=tmp_path / "own-cache.sqlite")
    run(cfg, stats=stats)
    sentences = {s for context, _ in PARAGRAPHS for s in text_segments(context)}
    questions = {q for _, qas in PARAGRAPHS for q, _ in qas}
    assert stats.segments.translated == len(sentences) + len(questions)
    examples = list(iter_examples(cfg.out))
    assert len(examples) == N_QUESTIONS
    assert {ex.projection for ex in examples} == {"marker"}
    assert len({ex.context for ex in examples}) == len(PARAGRAPHS)  # one translation per paragraph


@needs_apertium
def test_same_config_gives_identical_shards(tmp_path: Path) -> None:
    first = config(subdir(tmp_path, "a"))
    second = config(subdir(tmp_path, "b"))
    run(first)
    run(second)
    assert list(shard_hashes(first.out).values()) == list(shard_hashes(second.out).values())


@needs_apertium
def test_resume_after_losing_the_last_shard(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    run(cfg)
    before = shard_hashes(cfg.out)
    manifest = load_manifest(cfg.out)
    last = manifest.shards.pop()
    (cfg.out / last.path).unlink()
    manifest.complete = False
    save_manifest(cfg.out, manifest)
    stats = RunStats()
    run(cfg, stats=stats)
    assert (stats.units_done, stats.units_skipped) == (1, len(before) - 1)
    assert shard_hashes(cfg.out) == before
    ids = [ex.id for ex in iter_examples(cfg.out)]
    assert len(ids) == len(set(ids))


@needs_apertium
def test_stop_then_resume_matches_a_full_run(tmp_path: Path) -> None:
    full = config(subdir(tmp_path, "full"))
    run(full)
    cfg = config(subdir(tmp_path, "stopped"))
    units_seen: list[Progress] = []
    with pytest.raises(Cancelled):
        run(cfg, progress=units_seen.append, should_stop=lambda: len(units_seen) >= 1)
    partial = load_manifest(cfg.out)
    assert not partial.complete and len(partial.shards) == 1
    manifest = run(cfg)
    assert manifest.complete
    assert list(shard_hashes(cfg.out).values()) == list(shard_hashes(full.out).values())
    ids = [ex.id for ex in iter_examples(cfg.out)]
    assert len(ids) == len(set(ids))


@needs_apertium
def test_stop_between_batches_writes_nothing_for_the_unit(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    calls = iter(range(100))
    with pytest.raises(Cancelled):
        run(cfg, should_stop=lambda: next(calls) >= 1)  # the first batch runs, the second is refused
    assert not (cfg.out / MANIFEST).exists() or load_manifest(cfg.out).shards == []


@needs_apertium
def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    run(config(tmp_path))
    with pytest.raises(ConfigError, match="rows_per_shard"):
        run(config(tmp_path, rows_per_shard=2))


@needs_apertium
def test_unsupported_language_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="en->yo"):
        run(config(tmp_path, langs=["es", "yo"]))


@needs_apertium
def test_pair_and_tagging_tasks_translate(tmp_path: Path) -> None:
    mnli = tmp_path / "mnli.jsonl"
    mnli.write_text(
        "\n".join(
            json.dumps({"pairID": str(i), "sentence1": a, "sentence2": b, "gold_label": label})
            for i, (a, b, label) in enumerate(
                [
                    ("The man is walking his dog in the park.", "A man is outside.", "entailment"),
                    (
                        "The children are playing football.",
                        "The children are asleep in bed.",
                        "contradiction",
                    ),
                ]
            )
        )
        + "\n",
        encoding="utf-8",
    )
    manifest = run(config(tmp_path, task="mnli", input=mnli, out=tmp_path / "mnli"))
    pairs = list(iter_examples(tmp_path / "mnli"))
    assert sum(manifest.rows().values()) + sum(sum(d.values()) for d in manifest.drops().values()) == 2
    assert {ex.id: ex.label for ex in pairs} == {"0": 0, "1": 2}
    assert all(ex.text_a and ex.text_b and ex.lang == "es" for ex in pairs)
    wikiann = tmp_path / "wikiann.tsv"
    sentence = [
        ("en:John", "B-PER"),
        ("en:Smith", "I-PER"),
        ("en:visited", "O"),
        ("en:New", "B-LOC"),
        ("en:York", "I-LOC"),
    ]
    sentence += [
        ("en:last", "O"),
        ("en:summer", "O"),
        ("en:with", "O"),
        ("en:his", "O"),
        ("en:family", "O"),
        ("en:.", "O"),
    ]
    wikiann.write_text("\n".join(f"{t}\t{g}" for t, g in sentence) + "\n\n", encoding="utf-8")
    run(config(tmp_path, task="wikiann", input=wikiann, out=tmp_path / "ner"))
    (tagged,) = list(iter_examples(tmp_path / "ner"))
    assert len(tagged.tokens) == len(tagged.tags)
    assert [t for t in tagged.tags if t.startswith("B-")] == ["B-PER", "B-LOC"]
    assert "John" in tagged.tokens


def test_codeswitch_method_keeps_spans(tmp_path: Path) -> None:
    if not Path("/usr/share/dictd/freedict-eng-spa.index").exists():
        pytest.skip("needs dict-freedict-eng-spa")
    cfg = config(tmp_path, methods=["codeswitch"], codeswitch={"token_ratio": 0.8})
    manifest = run(cfg)
    examples = list(iter_examples(cfg.out))
    drops = manifest.drops().get("squad/es/codeswitch", {})
    assert len(examples) + sum(drops.values()) == N_QUESTIONS
    assert any(ex.switched for ex in examples)
    for ex in examples:
        assert ex.method == "codeswitch"
        for answer in ex.answers:
            assert ex.context[answer.start : answer.start + len(answer.text)] == answer.text
    assert "freedict" in manifest.backend["lexicons"]["es"]
    again = config(subdir(tmp_path, "again"), methods=["codeswitch"], codeswitch={"token_ratio": 0.8})
    run(again)
    assert list(shard_hashes(again.out).values()) == list(shard_hashes(cfg.out).values())


def test_codeswitch_sense_and_function_words_options(tmp_path: Path) -> None:
    if not Path("/usr/share/dictd/freedict-eng-spa.index").exists():
        pytest.skip("needs dict-freedict-eng-spa")
    default = config(tmp_path, methods=["codeswitch"], codeswitch={"token_ratio": 1.0})
    run(default)
    switched = [s for ex in iter_examples(default.out) for s in ex.switched]
    targets: dict[str, set[str]] = {}
    for s in switched:
        targets.setdefault(s.source.lower(), set()).add(s.target.lower())
    assert all(len(found) == 1 for found in targets.values())  # main: one translation per word
    assert not set(targets) & FUNCTION_WORDS
    options = {"token_ratio": 1.0, "function_words": True, "sense": "uniform"}
    asked = config(subdir(tmp_path, "asked"), methods=["codeswitch"], codeswitch=options)
    run(asked)
    sources = {s.source.lower() for ex in iter_examples(asked.out) for s in ex.switched}
    assert sources & FUNCTION_WORDS  # `the` stays: el/la split its scores (min_confidence)
    assert load_manifest(asked.out).config["codeswitch"]["sense"] == "uniform"


def test_ct2_tiny_model_runs_and_counts_every_row(tmp_path: Path, tiny_m2m100_ct2_dir: Path) -> None:
    cfg = config(
        tmp_path,
        backend="ct2",
        backend_options={
            "model": str(tiny_m2m100_ct2_dir),
            "device": "cpu",
            "compute_type": "float32",
            "max_decoding_length": 16,
        },
    )
    manifest = run(cfg)
    assert manifest.complete and manifest.backend["name"] == "ct2"
    kept = sum(manifest.rows().values())
    dropped = sum(sum(d.values()) for d in manifest.drops().values())
    assert kept + dropped == N_QUESTIONS
    assert sum(s.input_rows for s in manifest.shards) == N_QUESTIONS
    for ex in iter_examples(cfg.out):
        for answer in ex.answers:
            assert ex.context[answer.start : answer.start + len(answer.text)] == answer.text


@pytest.mark.slow
@needs_apertium
def test_xquad_wide_apertium_run(tmp_path: Path) -> None:
    source = shared_file("xquad/xquad.en.json")
    cfg = GenerateConfig.build(
        task="squad", input=source, langs=["es"], out=tmp_path / "out", rows_per_shard=400
    )
    stats = RunStats()
    manifest = run(cfg, stats=stats)
    examples = list(iter_examples(cfg.out))
    dropped = sum(sum(d.values()) for d in manifest.drops().values())
    assert len(examples) + dropped == 1190
    assert len(examples) > 1000
    for ex in examples:
        for answer in ex.answers:
            assert ex.context[answer.start : answer.start + len(answer.text)] == answer.text
    assert stats.segments.translated < stats.segments.requested / 2
    # One segment per distinct sentence and question, plus the few copies overlapping answers need.
    inputs, _ = read_input(cfg)
    floor = len(
        {s for ex in inputs for s in text_segments(ex.context)}
        | {s for ex in inputs for s in text_segments(ex.question)}
    )
    assert floor <= stats.segments.translated <= floor * 1.02
    assert sum(ex.projection == "marker" for ex in examples) >= 0.98 * len(examples)


def test_an_input_file_without_gold_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "test-de.tsv"
    path.write_text("Er kam.\tEr war da.\r\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="this file has no gold"):
        read_input(config(tmp_path, task="xnli", input=path))


@needs_apertium
def test_round_trip_qe_drops_low_quality_and_the_card_shows_it(tmp_path: Path) -> None:
    from generator.quality.qe_config import QEConfig

    strict = QEConfig(signals=["round_trip"], min_round_trip={"*": 0.0, "es": 0.999})
    manifest = run(config(tmp_path, qe=strict))
    drops = manifest.drops()["squad/es/translate"]
    assert drops.get("low_quality", 0) >= N_QUESTIONS - 2  # no Apertium round trip is perfect
    assert sum(manifest.shards[0].qe["round_trip"]) > 0
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "low_quality" in card and "| round_trip |" in card
    assert str(tmp_path) not in card


@needs_apertium
def test_encoder_projection_and_cosine_qe_in_a_run(
    tmp_path: Path, me5_encoder: tuple[Path, object, object]
) -> None:
    folder = str(me5_encoder[0])
    cfg = config(tmp_path, projection={"method": "auto", "encoder": folder}, qe={"signals": ["cosine"]})
    manifest = run(cfg)
    kept = list(iter_examples(cfg.out))
    assert len(kept) >= N_QUESTIONS - 3
    assert all(ex.projection in ("marker", "fuzzy", "encoder-align", "align") for ex in kept)
    assert sum(sum(s.qe["cosine"]) for s in manifest.shards) >= len(kept)
    assert manifest.config["projection"]["encoder"] == folder
