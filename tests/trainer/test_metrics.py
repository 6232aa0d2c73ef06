"""Metric values worked out by hand, following the official XTREME / SQuAD / MLQA scripts."""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from trainer.metrics import (
    PRIMARY_METRIC,
    accuracy,
    normalize_mlqa,
    normalize_squad,
    primary_metric,
    qa_exact,
    qa_f1,
    qa_scores,
    qa_task_scores,
    tagging_scores,
    tagging_task_scores,
    token_accuracy,
)


def test_primary_metric_known_alias_and_kind_fallback() -> None:
    assert primary_metric("xnli") == "accuracy"
    assert primary_metric("WikiANN") == "f1" == PRIMARY_METRIC["panx"]
    assert primary_metric("Mewsli-X") == "map@20"
    assert primary_metric("my_qa_task", "qa") == "f1"
    # XTREME-R ranks its QA tasks by (EM + F1) / 2.
    assert primary_metric("TyDiQA") == primary_metric("xquad") == "em_f1"
    # Variants scored apart keep their task's metric.
    assert primary_metric("lareqa_frozen") == "map@20" and primary_metric("xquad_oracle") == "em_f1"
    with pytest.raises(ConfigError, match="name its kind"):
        primary_metric("my_qa_task")


def test_accuracy() -> None:
    assert accuracy([0, 1, 2, 1], [0, 2, 2, 1]) == pytest.approx(75.0)
    # evaluate.py's order of operations, correct / n * 100, to the last bit: 7 / 100 * 100 is not 7.
    assert accuracy([1] * 100, [1] * 7 + [0] * 93) == 7 / 100 * 100 != 100.0 * 7 / 100
    with pytest.raises(ValueError, match="3 predicted labels for 2 gold"):
        accuracy([0, 1], [0, 1, 1])


def test_squad_f1_worked_example() -> None:
    # "the cat sat" -> [cat, sat]; "a cat sat on" -> [cat, sat, on]; 2 shared tokens.
    # precision 2/2 = 1, recall 2/3, F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8; not an exact match.
    assert qa_f1("the cat sat", "a cat sat on") == pytest.approx(0.8)
    assert qa_exact("the cat sat", "a cat sat on") == 0.0
    assert qa_exact("The  Cat, sat!", "cat sat") == 1.0
    # The em dash is not ASCII punctuation and stays; "the" after it is still a word and goes.
    assert normalize_squad("An apple—the best.") == "apple— best"


def test_qa_scores_max_over_gold_and_missing_prediction() -> None:
    gold = {"q1": ["Denver Broncos", "the Broncos"], "q2": ["Paris"], "q3": ["1990"]}
    # q1: "Broncos" vs "the Broncos" -> exact (1, F1 1); q2: "in Paris" vs "Paris": P 1/2, R 1, F1 2/3;
    # q3 unanswered -> 0. EM = 1/3, F1 = (1 + 2/3 + 0) / 3 = 5/9.
    scores = qa_scores({"q1": "Broncos", "q2": "in Paris"}, gold)
    assert scores["exact_match"] == pytest.approx(100 / 3)
    assert scores["f1"] == pytest.approx(500 / 9)
    # XTREME-R's QA score is the mean of the two: (300/9 + 500/9) / 2 = 400/9.
    assert scores["em_f1"] == pytest.approx(400 / 9)
    # Gold given as (id, answers) pairs in file order: a repeated question counts twice (v1.1 script).
    pairs = [("q1", ["Paris"]), ("q1", ["Paris"]), ("q2", ["Rome"])]
    assert qa_scores({"q1": "Paris", "q2": "Paris"}, pairs)["exact_match"] == pytest.approx(200 / 3)


def test_squad_v2_no_answer_rules() -> None:
    gold: dict[str, list[str]] = {"unanswerable": [], "answerable": ["the cat"]}
    # Empty prediction on the unanswerable question: EM 1, F1 1. "" against "the cat": 0.
    assert qa_scores({"unanswerable": "", "answerable": ""}, gold, squad_v2=True) == {
        "exact_match": 50.0,
        "f1": 50.0,
        "em_f1": 50.0,
    }
    assert qa_scores({"unanswerable": "a cat", "answerable": "cat"}, gold, squad_v2=True)["f1"] == 50.0
    with pytest.raises(ValueError, match="squad_v2=True"):
        qa_scores({"unanswerable": ""}, gold)


def test_squad_v2_divides_by_answered_questions() -> None:
    gold: dict[str, list[str]] = {"a": ["the cat"], "b": ["a dog"], "c": [], "d": ["red"]}
    predictions = {"a": "cat", "c": ""}
    # The v2.0 script scores only the 2 predicted questions (both right): 100, not 2 of 4.
    assert qa_scores(predictions, gold, squad_v2=True)["exact_match"] == 100.0
    # v1.1 counts every question: 1 of 4 right ("c" has no gold and no v1.1 meaning, so drop it).
    del gold["c"]
    assert qa_scores(predictions, gold)["exact_match"] == pytest.approx(100 / 3)
    with pytest.raises(ValueError, match="divides by answered"):
        qa_scores({}, gold, squad_v2=True)
    # One score per question id: a repeated id counts once.
    pairs = [("a", ["cat"]), ("a", ["cat"]), ("b", ["dog"])]
    assert qa_scores({"a": "cat", "b": "cow"}, pairs, squad_v2=True)["exact_match"] == 50.0


def test_mlqa_chinese_mixed_segmentation() -> None:
    # MLQA splits every CJK character: pred [北, 京, 大, 学] vs gold [北, 京]: P 2/4, R 1, F1 2/3.
    assert qa_f1("北京大学", "北京", mlqa_lang="zh") == pytest.approx(2 / 3)
    # SQuAD's whitespace tokens see one token each, no overlap.
    assert qa_f1("北京大学", "北京") == 0.0
    # Digits stay together; CJK characters and the (removed) full stop split: "2008 年".
    assert normalize_mlqa("2008年。", "zh") == "2008 年"


def test_mlqa_unicode_punctuation_and_articles() -> None:
    # Unicode punctuation (category P*) is removed by MLQA but kept by SQuAD's ASCII list.
    assert normalize_mlqa("«Hola», ¿qué?", "es") == "hola qué"
    assert normalize_squad("«Hola», ¿qué?") == "«hola» ¿qué"
    # German articles: "der Hund" == "Hund" under MLQA-de; SQuAD: P 1/2, R 1 -> F1 2/3.
    assert qa_exact("der Hund", "Hund", mlqa_lang="de") == 1.0
    assert qa_f1("der Hund", "Hund") == pytest.approx(2 / 3)
    assert qa_exact("la casa", "casa", mlqa_lang="es") == 1.0
    assert normalize_mlqa("những cái bàn", "vi") == "bàn"
    # The official Arabic rule removes every "ال", also inside a word.
    assert normalize_mlqa("الكتاب", "ar") == "كتاب"
    assert normalize_mlqa("Hindi text", "hi") == "hindi text"
    with pytest.raises(ConfigError, match="SQuAD normalisation"):
        normalize_mlqa("x", "sw")


def test_qa_task_scores_picks_normalisation_by_task() -> None:
    gold = {"q": ["北京"]}
    assert qa_task_scores("mlqa", "zh", {"q": "北京大学"}, gold)["f1"] == pytest.approx(200 / 3)
    assert qa_task_scores("xquad", "zh", {"q": "北京大学"}, gold)["f1"] == 0.0


def test_ner_entity_f1() -> None:
    # Gold entities PER(0-1), LOC(3); predicted PER(0-1), ORG(3): 1 of 2 right each way -> F1 50.
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"]]
    scores = tagging_scores(gold, pred)
    assert scores["f1"] == pytest.approx(50.0)
    assert scores["precision"] == pytest.approx(50.0)
    assert scores["accuracy"] == pytest.approx(75.0)


def test_pos_f1_as_xtreme_scores_it() -> None:
    # Adjacent tags differ: every token is its own chunk, F1 equals token accuracy (2 of 3).
    assert tagging_scores([["DET", "NOUN", "VERB"]], [["DET", "NOUN", "ADJ"]])["f1"] == pytest.approx(200 / 3)
    # seqeval merges runs of one tag: gold chunks NOUN(0-1), VERB(2); predicted NOUN(0-2): none match.
    scores = tagging_scores([["NOUN", "NOUN", "VERB"]], [["NOUN", "NOUN", "NOUN"]])
    assert scores["f1"] == 0.0
    assert scores["accuracy"] == pytest.approx(200 / 3)


def test_udpos_reports_seqeval_0012_beside() -> None:
    # seqeval 1.2.2 types SCONJ and CCONJ both as "CONJ" (a match) and types X like the "O" between
    # sentences, so X never opens a chunk: 1 chunk each side, matched -> F1 100. seqeval 0.0.12 keeps
    # CCONJ(0) and X(2) apart from SCONJ(0): 1 of 2 chunks match each way -> 50.
    gold, pred = [["CCONJ"], ["X"]], [["SCONJ"], ["X"]]
    scores = tagging_task_scores("UD-POS", gold, pred)
    assert scores["f1"] == 100.0
    assert scores["f1_seqeval_0.0.12"] == scores["precision_seqeval_0.0.12"] == 50.0
    assert scores["accuracy"] == 50.0
    assert "f1_seqeval_0.0.12" not in tagging_task_scores("panx", [["B-PER"]], [["B-PER"]])


def test_tag_shape_errors() -> None:
    with pytest.raises(ValueError, match="sentence 1: 1 predicted tags for 2 gold"):
        token_accuracy([["O"], ["O", "O"]], [["O"], ["O"]])
