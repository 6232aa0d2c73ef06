"""seqeval 0.0.12's chunking, rebuilt: hand-worked cases and XTREME's expected UD-POS mock score."""

from __future__ import annotations

import pytest

from tests.conftest import shared_file
from trainer.benchmark import XTREME_LANGUAGES
from trainer.seqeval_legacy import legacy_entities, legacy_seqeval_scores
from trainer.submission import read_tag

MOCK = "xtreme-r/mock_test_data"


def test_pos_tags_are_their_own_types() -> None:
    # Runs of one tag merge; SCONJ and CCONJ are different types; X closes like any other tag.
    assert legacy_entities([["NOUN", "NOUN", "SCONJ", "CCONJ", "X"], ["X"]]) == [
        ("NOUN", 0, 1),
        ("SCONJ", 2, 2),
        ("CCONJ", 3, 3),
        ("X", 4, 4),
        ("X", 6, 6),
    ]


def test_iob_tags_as_in_seqeval() -> None:
    # B-/I- prefixes; an I- after O opens a chunk; the type is the text after the last "-".
    assert legacy_entities([["B-PER", "I-PER", "O", "I-LOC", "B-A-B"]]) == [
        ("PER", 0, 1),
        ("LOC", 3, 3),
        ("B", 4, 4),
    ]
    scores = legacy_seqeval_scores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-ORG"]])
    assert scores == {"f1": 0.5, "precision": 0.5, "recall": 0.5}
    assert legacy_seqeval_scores([["O"]], [["O"]]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


def test_xtreme_expected_udpos_mock_score() -> None:
    # evaluate_test.py's expected UD-POS averages were computed with seqeval 0.0.12.
    root = shared_file(MOCK)
    per_lang = []
    for lang in XTREME_LANGUAGES["udpos"]:
        gold = read_tag(root / "labels" / "udpos" / f"test-{lang}.tsv")
        pred = read_tag(root / "predictions" / "udpos" / f"test-{lang}.tsv")
        per_lang.append({k: v * 100 for k, v in legacy_seqeval_scores(gold, pred).items()})
    averages = {m: sum(s[m] for s in per_lang) / len(per_lang) for m in ("f1", "precision", "recall")}
    assert averages == {"f1": 70.21746048354693, "precision": 71.02232625883823, "recall": 69.54982073976082}
    assert averages["f1"] == pytest.approx(70.21746, abs=5e-6)
