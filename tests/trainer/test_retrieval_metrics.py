"""Retrieval metric values worked out by hand, following XTREME-R's Tatoeba, LAReQA, Mewsli-X and BUCC code."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.retrieval_metrics import (
    average_precision_at_k,
    bucc_best_threshold,
    bucc_scores,
    bucc_threshold_scores,
    lareqa_map_at_k,
    lareqa_rankings,
    map_at_k,
    mewslix_map_at_k,
    rank_candidates,
    tatoeba_accuracy,
)


def test_tatoeba_accuracy_is_cosine_not_dot() -> None:
    src = [[1.0, 0.0], [0.0, 1.0], [0.1, 1.0]]
    tgt = [[2.0, 0.0], [0.0, 3.0], [3.0, 1.0]]
    # src0: cos 1 with tgt0 (dot would prefer tgt2: 3 > 2) -> right. src1 -> tgt1 right.
    # src2 [0.1, 1]: cos with tgt1 0.995 > tgt2 0.41 -> wrong. 2 of 3.
    assert tatoeba_accuracy(src, tgt) == pytest.approx(200 / 3)
    assert rank_candidates(src, tgt, k=2)[0] == [0, 2]


def test_average_precision_at_k() -> None:
    # Relevant {1, 3}, ranking [3, 0, 1, 2]: hits at ranks 1 and 3 -> (1/1 + 2/3) / 2 = 5/6.
    assert average_precision_at_k({1, 3}, [3, 0, 1, 2]) == pytest.approx(5 / 6)
    # A repeated hit counts once.
    assert average_precision_at_k({1, 3}, [3, 3, 1]) == pytest.approx((1 + 2 / 3) / 2)
    # One relevant item at rank 6: 1/6 within k=20, nothing within k=5 (Mewsli-X: reciprocal rank).
    ranking = ["q0", "q1", "q2", "q3", "q4", "gold", "q6"]
    assert average_precision_at_k({"gold"}, ranking) == pytest.approx(1 / 6)
    assert average_precision_at_k({"gold"}, ranking, k=5) == 0.0
    assert map_at_k([{1, 3}, {"gold"}], [[3, 0, 1, 2], ranking]) == pytest.approx(100 * (5 / 6 + 1 / 6) / 2)


def test_bucc_threshold_and_search() -> None:
    scored = {("a", "x"): 0.9, ("b", "y"): 0.8, ("c", "z"): 0.4, ("d", "w"): 0.3}
    gold = {("a", "x"), ("c", "z"), ("e", "v")}
    # >= 0.5 keeps (a,x), (b,y): 1 correct, P 1/2, R 1/3, F1 = (1/3) / (5/6) = 0.4.
    assert bucc_threshold_scores(scored, gold, 0.5)["f1"] == pytest.approx(40.0)
    # Cuts: after 1 -> F1 .5, after 2 -> .4, after 3 -> P 2/3 R 2/3 F1 .667 (best), after 4 -> .571.
    # Threshold midway between 0.4 and 0.3.
    threshold = bucc_best_threshold(scored, gold)
    assert threshold == pytest.approx(0.35)
    assert bucc_threshold_scores(scored, gold, threshold)["f1"] == pytest.approx(200 / 3)
    assert bucc_scores([("q", "r")], gold) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    # When keeping every pair is best the threshold is the lowest score.
    assert bucc_best_threshold({("a", "x"): 0.9, ("c", "z"): 0.2}, gold) == pytest.approx(0.2)


def test_tatoeba_direction_matters() -> None:
    eng = [[1.0, 0.0], [0.9, 0.1]]
    other = [[1.0, 0.0], [0.0, 1.0]]
    # en->xx: eng0 -> other0 (right); eng1 [0.9, 0.1] is nearest other0 (wrong) -> 50.
    assert tatoeba_accuracy(eng, other) == 50.0
    # xx->en: other0 -> eng0 (cos 1, right); other1 -> eng1 (right) -> 100.
    assert tatoeba_accuracy(other, eng) == 100.0


def test_lareqa_ranks_by_dot_product_higher_index_first_on_ties() -> None:
    question = [[1.0, 0.0]]
    candidates = [[2.0, 0.0], [1.0, 5.0], [2.0, 3.0], [0.5, 0.0]]
    # Dot products 2, 1, 2, 0.5 (cosine would put candidate 0 alone first): of the tied 0 and 2,
    # the higher index comes first, as the reversed ascending argsort of the script.
    assert lareqa_rankings(question, candidates, k=4) == [[2, 0, 1, 3]]
    # Relevant {0}: it is second -> AP 1/2; relevant {0, 3}: hits at ranks 2 and 4 -> (1/2 + 2/4) / 2.
    assert lareqa_map_at_k(question, candidates, [{0}]) == 50.0
    assert lareqa_map_at_k(question, candidates, [{0, 3}]) == 50.0
    # Only the top k count; min(#relevant, k) divides.
    assert lareqa_map_at_k(question, candidates, [{0, 3}], k=1) == 0.0
    assert lareqa_map_at_k(question, candidates, [{2, 3}], k=1) == 100.0


def test_lareqa_means_over_questions() -> None:
    questions = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=np.float32)
    candidates = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    # q0 -> c0 first (AP 1), q1 -> c1 first but relevant c0 second (1/2), q2 ties -> c1 first, c0 second.
    assert lareqa_map_at_k(questions, candidates, [{0}, {0}, {0}]) == pytest.approx(100 * (1 + 0.5 + 0.5) / 3)
    with pytest.raises(ValueError, match="width 2, candidate encodings 3"):
        lareqa_rankings(questions, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="1 relevant sets for 3 question encodings"):
        lareqa_map_at_k(questions, candidates, [{0}])


def test_mewslix_first_gold_stripped_top_20_and_missing() -> None:
    gold = {"m1": [" Q1\n"], "m2": ["Q2", "Q9"], "m3": ["Q3"], "m4": ["Q4"]}
    predictions = {
        "m1": ["Q7", "Q1"],  # stripped gold found at rank 2 -> 1/2
        "m2": ["Q9", "Q8", "Q2"],  # the first gold label counts, Q9 does not -> 1/3
        "m3": [f"Q{i}" for i in range(100, 120)] + ["Q3"],  # rank 21, outside the top 20 -> 0
        "extra": ["Q1"],  # not in the gold: ignored
    }  # m4 has no prediction -> 0
    assert mewslix_map_at_k(gold, predictions) == pytest.approx(100 * (1 / 2 + 1 / 3) / 4)
    assert mewslix_map_at_k(gold, predictions, k=1) == 0.0
    with pytest.raises(ValueError, match="labels removed"):
        mewslix_map_at_k({"m1": [""], "m2": [" "]}, predictions)
    with pytest.raises(ValueError, match="non-empty list"):
        mewslix_map_at_k({"m1": []}, predictions)
