"""Every projection method on real XQuAD text: English gold answers placed in the human translations."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from generator.projection.config import ALIGN, AUTO, ENCODER_ALIGN, FUZZY, ProjectionConfig
from generator.projection.encoder_align import CachedAligner, EncoderAligner
from generator.projection.project import project_span
from generator.quality.parallel import ParallelSpan, read_parallel_squad
from generator.quality.projection_report import evaluate_language, fit_calibration, render
from tests.conftest import shared_file


def _items(lang: str, n: int = 40) -> list[ParallelSpan]:
    items = read_parallel_squad(
        shared_file("xquad/xquad.en.json"), shared_file(f"xquad/xquad.{lang}.json"), lang
    )
    return items[::29][:n]


def test_baseline_methods_on_real_german() -> None:
    result, spans, cands = evaluate_language(_items("de"), None, ProjectionConfig())
    assert set(result.scores) == {FUZZY, ALIGN, AUTO}
    fuzzy = result.scores[FUZZY].as_row()
    assert fuzzy["answers"] == 40 and 10 <= fuzzy["kept_pct"] <= 90
    assert fuzzy["f1_kept"] >= 80  # names and numbers found verbatim are right
    assert result.scores[ALIGN].as_row()["kept_pct"] < 50
    table = fit_calibration(spans, cands)
    assert {FUZZY, ALIGN} <= set(table)
    assert "| de | fuzzy | 40 |" in render([result], "t")


@pytest.mark.parametrize("lang", ["de", "el", "ru"])
def test_encoder_alignment_and_auto_on_real_xquad(lang: str, me5_encoder: tuple[Any, Any, Any]) -> None:
    _, model, tokenizer = me5_encoder
    aligner = EncoderAligner(model, tokenizer, layer=8, batch_size=8)
    result, _, _ = evaluate_language(_items(lang, 24), aligner, ProjectionConfig())
    encoder = result.scores[ENCODER_ALIGN].as_row()
    assert encoder["kept_pct"] >= 90
    assert encoder["f1"] >= 70
    assert encoder["f1"] > result.scores[FUZZY].as_row()["f1"]
    assert result.scores[AUTO].as_row()["f1"] >= encoder["f1"] - 5
    assert sum(result.wins.values()) == result.scores[AUTO].kept


def test_argmax_and_itermax_agree_mostly(me5_encoder: tuple[Any, Any, Any]) -> None:
    _, model, tokenizer = me5_encoder
    pair = ("The Broncos defeated the Panthers in 2016.", "Die Broncos besiegten 2016 die Panthers.")
    arg = EncoderAligner(model, tokenizer, method="argmax").align([pair])[0]
    it = EncoderAligner(model, tokenizer, method="itermax").align([pair])[0]
    assert arg.links <= it.links
    words = {pair[0][a:b]: i for i, (a, b) in enumerate(arg.source_words)}
    targets = {pair[1][a:b]: j for j, (a, b) in enumerate(arg.target_words)}
    assert (words["Panthers"], targets["Panthers"]) in arg.links
    assert (words["2016"], targets["2016"]) in arg.links


def test_pipeline_projection_falls_back_on_the_encoder(me5_encoder: tuple[Any, Any, Any]) -> None:
    _, model, tokenizer = me5_encoder
    item = next(it for it in _items("de") if it.source[it.start : it.end] not in it.target)
    aligner = CachedAligner(EncoderAligner(model, tokenizer))
    for method in ("cascade", "auto"):
        match = project_span(
            item.source,
            item.start,
            item.end,
            plain=item.target,
            marked="markers [[ lost",
            answer_translation="",
            config=ProjectionConfig(method=method),
            aligner=aligner,
        )
        assert match is not None
        assert item.gold in match.text or match.text in item.gold
        if method == "auto":
            assert match.why
        else:
            assert match.method == ENCODER_ALIGN


def test_loading_an_encoder_names_what_is_wrong(tmp_path: Any, me5_encoder: tuple[Any, Any, Any]) -> None:
    from generator.errors import ConfigError
    from generator.projection.encoder_align import load_aligner

    with pytest.raises(ConfigError, match="models import"):
        load_aligner(str(tmp_path), 8)
    with pytest.raises(ConfigError, match="encoder_device"):
        load_aligner(str(me5_encoder[0]), 8, device="nonsense:7")
    assert load_aligner(str(me5_encoder[0]), 8).place("Hello", 0, 5, "Hallo") == (0, 5, 1.0)


def test_auto_records_why_in_the_example(me5_encoder: tuple[Any, Any, Any]) -> None:
    from generator.example import Answer, Example
    from generator.projection.qa_assembly import assemble_qa
    from generator.projection.qa_plan import plan_qa

    _, model, tokenizer = me5_encoder
    context = "The Denver Broncos defeated the Carolina Panthers in Santa Clara."
    ex = Example(id="q", task="squad", kind="qa", lang="en", context=context, question="Who won?")
    ex.answers = [Answer("the Carolina Panthers", context.index("the Carolina"))]
    cfg = ProjectionConfig(method="auto")
    plan = plan_qa(ex, cfg)
    spanish = "Los Broncos de Denver derrotaron a los Panteras de Carolina en Santa Clara."
    translations = {text: spanish for text in plan.texts()} | {"Who won?": "¿Quién ganó?"}  # markers lost
    aligner = CachedAligner(EncoderAligner(model, tokenizer))
    result = assemble_qa(plan, translations, lang="es", method="translate", config=cfg, aligner=aligner)
    translations |= {text: spanish for text in result.retry}
    result = assemble_qa(plan, translations, lang="es", method="translate", config=cfg, aligner=aligner)
    assert result.pending == ["the Carolina Panthers"]
    result = assemble_qa(
        plan,
        translations,
        lang="es",
        method="translate",
        config=cfg,
        aligner=aligner,
        answer_translations={"the Carolina Panthers": "los Panteras de Carolina"},
    )
    assert result.example is not None
    assert "Panteras de Carolina" in result.example.answers[0].text
    assert result.example.meta["projection_why"].startswith(result.example.projection)


@pytest.mark.skipif(shutil.which("apertium") is None, reason="needs apertium + apertium-eng-spa")
def test_markers_on_real_xquad_through_apertium(tmp_path: Any) -> None:
    from generator.pipeline.config import GenerateConfig
    from generator.pipeline.runner import run
    from generator.quality.parallel import parallel_from_shards

    english = shared_file("xquad/xquad.en.json")
    data = json.loads(english.read_text(encoding="utf-8"))
    data["data"] = [{**data["data"][0], "paragraphs": data["data"][0]["paragraphs"][:2]}]
    small = tmp_path / "xquad.en.json"
    small.write_text(json.dumps(data), encoding="utf-8")
    manifest = run(GenerateConfig.build(task="squad", input=small, langs=["es"], out=tmp_path / "out"))
    assert set(manifest.shards[0].projections) == {"marker"}
    items = parallel_from_shards(small, tmp_path / "out", "es")
    assert len(items) >= 8 and all(it.target[it.gold_start :].startswith(it.gold) for it in items)
