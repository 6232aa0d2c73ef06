from __future__ import annotations

from typing import Any

import pytest

from generator.errors import ConfigError
from generator.quality.estimator import Estimator
from generator.quality.parallel import read_parallel_squad
from generator.quality.qe import EncoderQE, chrf, copy_factor, round_trip_scores
from generator.quality.qe_check import corrupted_pairs, qe_auc
from generator.quality.qe_config import QEConfig
from tests.conftest import shared_file


def test_chrf_and_copy_factor() -> None:
    assert chrf("the cat sat", "the cat sat") == pytest.approx(1.0)
    assert chrf("xyz", "the cat sat") == 0.0
    assert 0.3 < chrf("the cat sat down", "the cat sat") < 1.0
    assert copy_factor("The cat sat on the mat.", "The cat sat on the mat.") == 0.0
    assert copy_factor("The cat sat on the mat.", "Die Katze saß auf der Matte.") == 1.0
    assert round_trip_scores(["a b c d"], ["a b c d"], ["w x y z"]) == [1.0]


def test_qe_config_thresholds() -> None:
    cfg = QEConfig(signals=["cosine"], min_cosine={"*": 0.4, "sw": 0.3})
    assert (cfg.threshold("cosine", "sw"), cfg.threshold("cosine", "de")) == (0.3, 0.4)
    with pytest.raises(ValueError, match="'\\*' entry"):
        QEConfig(min_round_trip={"de": 0.2})
    with pytest.raises(ValueError, match=r"0\.\.1"):
        QEConfig(min_cosine={"*": 2.0})


def test_estimator_fails_loudly_without_its_resources() -> None:
    with pytest.raises(ConfigError, match=r"projection\.encoder"):
        Estimator(QEConfig(signals=["cosine"]), None, None, lambda lang: False)
    est = Estimator(QEConfig(signals=["round_trip"]), None, None, lambda lang: False)
    with pytest.raises(ConfigError, match="into English"):
        est.scores("sw", ["a"], ["b"])
    back = Estimator(QEConfig(signals=["round_trip"]), None, lambda lang, texts: texts, lambda lang: True)
    scores = back.scores("es", ["the cat sat"], ["the cat sat"])
    assert scores == {"round_trip": [0.0]}  # a copy scores 0 however well it round-trips
    assert back.failing("es", {"round_trip": 0.1}) and not back.failing("es", {"round_trip": 0.5})


def test_auc_and_corruptions() -> None:
    pairs = corrupted_pairs(["a b c d", "e f g h"], ["w x y z", "s t u v"])
    assert [p.kind for p in pairs[:4]] == ["human", "shuffled", "truncated", "copied"]
    assert pairs[1].translation == "s t u v" and pairs[2].translation == "w"
    ranks = qe_auc(
        pairs,
        lambda s, t: [
            1.0 if (a, b) in {("a b c d", "w x y z"), ("e f g h", "s t u v")} else 0.0
            for a, b in zip(s, t, strict=True)
        ],
    )
    assert ranks["all"] == 1.0


def test_encoder_qe_ranks_human_translations_above_corruptions(me5_encoder: tuple[Any, Any, Any]) -> None:
    _, model, tokenizer = me5_encoder
    items = read_parallel_squad(shared_file("xquad/xquad.en.json"), shared_file("xquad/xquad.ru.json"), "ru")
    paragraphs = list(dict.fromkeys((it.source, it.target) for it in items))[::40][:6]
    pairs = corrupted_pairs([s for s, _ in paragraphs], [t for _, t in paragraphs])
    aucs = qe_auc(pairs, EncoderQE(model, tokenizer, batch_size=8).scores)
    assert aucs["all"] >= 0.9


def test_estimator_cosine_with_the_real_encoder(me5_encoder: tuple[Any, Any, Any]) -> None:
    _, model, tokenizer = me5_encoder
    est = Estimator(QEConfig(signals=["cosine"]), (model, tokenizer), None, lambda lang: False)
    source = "The cat sat on the mat in the morning."
    scores = est.scores("de", [source, source], ["Die Katze saß am Morgen auf der Matte.", source])
    good, copied = scores["cosine"]
    assert good > 0.5 and copied == 0.0
    assert not est.failing("de", {"cosine": good})
