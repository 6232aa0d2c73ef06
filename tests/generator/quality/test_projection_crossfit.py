import pytest

from generator.projection.auto import Candidate
from generator.projection.config import AUTO, ENCODER_ALIGN, ProjectionConfig
from generator.quality.parallel import ParallelSpan
from generator.quality.projection_bench import WindowedSpan
from generator.quality.projection_crossfit import compare, fit_pooled, held_out, table_module
from generator.quality.projection_report import Measured, score_language


def _language(lang: str, exact: int, n: int = 10) -> Measured:
    """n answers `Berlin`, each placed by encoder-align at raw 1.0: `exact` of them exactly, the rest one word too long."""
    source, target = "He lives in Berlin now.", "Er wohnt jetzt in Berlin heute."
    item = ParallelSpan("q", lang, source, 12, 18, target, "Berlin", 18)
    spans = [WindowedSpan(item, source, 12, 18, target, 0, True)] * n
    cands = [[Candidate(18, 24, ENCODER_ALIGN, 1.0)]] * exact + [[Candidate(18, 30, ENCODER_ALIGN, 1.0)]] * (
        n - exact
    )
    return Measured(lang, False, spans, cands, [False] * n, True)


def test_held_out_language_is_calibrated_on_the_others_only() -> None:
    languages = [_language("de", 10), _language("el", 5), _language("ru", 0)]
    results = {r.lang: r for r in held_out(languages, ProjectionConfig(auto_threshold=0.0))}
    # de is fitted on el + ru (5 exact of 20): its own 10 hits must not leak into its confidence
    assert [round(c, 2) for c, _, _ in results["de"].deciles] == [0.25]
    assert results["de"].ece == 0.75
    assert results["ru"].ece == 0.75 and results["el"].ece == 0.0
    assert fit_pooled(languages)[ENCODER_ALIGN] == ((1.0, 0.5),)
    with pytest.raises(ValueError, match="at least two human languages"):
        held_out(languages[:1], ProjectionConfig())


def test_compare_and_table_module_round_trip() -> None:
    languages = [_language("de", 10), _language("el", 5)]
    table = fit_pooled(languages)
    before = [score_language(m, ProjectionConfig(), {}) for m in languages]
    after = held_out(languages, ProjectionConfig(auto_threshold=0.0))
    text = compare(before, after, "raw", "held out")
    assert "| de | " in text and "- el, held out: 1.00→0.50 (10)" in text
    assert before[0].scores[AUTO].kept == 10
    namespace: dict[str, object] = {}
    exec(table_module(table, "two test languages"), namespace)
    assert namespace["CALIBRATION"] == table
    with pytest.raises(ValueError, match="same languages"):
        compare(before, after[::-1], "raw", "held out")
