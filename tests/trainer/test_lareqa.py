"""LAReQA's pooled question and candidate sets, built as XTREME-R's utils_lareqa builds them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from generator.errors import ConfigError, InputError
from tests.conftest import shared_file
from trainer.benchmark import task_average
from trainer.lareqa import build_pool, pool_scores, read_pool


def _squad(paragraphs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": [{"title": "t", "paragraphs": paragraphs}], "version": "1.1"}


def _paragraph(context: str, breaks: list[list[int]], qas: list[tuple[str, str, int]]) -> dict[str, Any]:
    return {
        "context": context,
        "sentence_breaks": breaks,
        "sentences": ["ignored"],
        "qas": [
            {"id": qid, "question": q, "answers": [{"answer_start": start, "text": "x"}]}
            for qid, q, start in qas
        ],
    }


EN = _squad(
    [
        _paragraph("No questions here.", [[0, 18]], []),
        _paragraph(
            "Cats purr. Dogs bark.\nBirds sing.", [[0, 10], [11, 21], [22, 33]], [("q1", "Who barks?", 11)]
        ),
        _paragraph("Out of range.", [[0, 6]], [("q2", "Lost?", 9)]),
    ]
)
DE = _squad(
    [_paragraph("Hunde bellen. Katzen.", [[0, 13], [14, 21]], [("q1", "Wer bellt?", 0), ("q3", "Wer?", 14)])]
)


def test_pool_ids_relevance_and_skips() -> None:
    pool = build_pool({"en": EN, "de": DE})
    assert [q.uid for q in pool.questions] == ["q1_en", "q1_de", "q3_de"]
    # Paragraph numbers count every paragraph of the file; a paragraph without questions (en_1) or
    # whose only question is skipped (en_3) contributes no candidates.
    assert [c.uid for c in pool.candidates] == ["en_2_0", "en_2_1", "en_2_2", "de_1_0", "de_1_1"]
    assert pool.skipped == {"en": 1, "de": 0}
    # q1's gold sentences in both languages are relevant to both q1 questions.
    assert pool.relevant == [frozenset({1, 3}), frozenset({1, 3}), frozenset({4})]
    assert pool.candidates[2].text == "Birds sing.Cats purr. Dogs bark.Birds sing."


def test_pool_scores_per_language_and_pooled() -> None:
    pool = build_pool({"en": EN, "de": DE})
    # Questions aim at one candidate each; candidates are one-hot rows.
    candidates = np.eye(5, dtype=np.float32)
    questions = np.zeros((3, 5), dtype=np.float32)
    questions[0, 1] = 1.0  # q1_en -> en_2_1 first (relevant), then a tie of zeros: de_1_1 ... en_2_0
    questions[1, 0] = 1.0  # q1_de -> en_2_0 first (not relevant), then ties from the highest index
    questions[2, 4] = 1.0  # q3_de -> de_1_1 first
    cells = pool_scores(pool, questions, candidates)
    # q1_en: hits at 1 (en_2_1) and, after the tie order 4, 3, at 3 (de_1_0): (1 + 2/3) / 2.
    assert cells["en"] == {"map@20": pytest.approx(100 * 5 / 6), "questions": 1.0}
    # q1_de: order 0, 4, 3, 2, 1: hits at 3 and 5: (1/3 + 2/5) / 2; q3_de: 1.
    assert cells["de"]["map@20"] == pytest.approx(100 * ((1 / 3 + 2 / 5) / 2 + 1) / 2)
    assert task_average("lareqa", cells).score == pytest.approx(100 * (5 / 6 + (1 / 3 + 2 / 5) / 2 + 1) / 3)


def test_pool_errors(tmp_path: Path) -> None:
    two = _squad([_paragraph("A.", [[0, 2]], [("q", "?", 0)])])
    two["data"][0]["paragraphs"][0]["qas"][0]["answers"].append({"answer_start": 0, "text": "A"})
    with pytest.raises(InputError, match="LAReQA needs one"):
        build_pool({"en": two})
    repeated = _squad([_paragraph("A. B.", [[0, 2], [3, 5]], [("q", "?", 0), ("q", "?", 3)])])
    with pytest.raises(InputError, match="repeats"):
        build_pool({"en": repeated})
    with pytest.raises(ConfigError, match=r"no <lang>\.json"):
        read_pool(tmp_path)


def test_shared_xquad_r_pool() -> None:
    directory = shared_file("xtreme-r/download/lareqa/xquad-r/en.json").parent
    pool = read_pool(directory)
    assert len(pool.questions) == 11 * 1190 and len(pool.candidates) == 13014
    assert sum(pool.skipped.values()) == 0
    # Every question's relevant set holds its answer sentence in each of the 11 languages.
    assert all(len(relevant) >= 11 for relevant in pool.relevant)
    small = read_pool(directory, ["th", "en"])
    assert {q.lang for q in small.questions} == {"en", "th"}
    with pytest.raises(ConfigError, match=r"no xx\.json"):
        read_pool(directory, ["xx"])


def test_squad_training_pairs(tmp_path: Path) -> None:
    from trainer.lareqa import squad_training_pairs

    context = "Cats purr.\nDogs bark loudly. Birds sing."
    squad = {
        "data": [
            {
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {
                                "id": "a",
                                "question": "Who barks?",
                                "answers": [{"answer_start": 11, "text": "Dogs"}],
                            },
                            {
                                "id": "b",
                                "question": "Bad?",
                                "answers": [{"answer_start": 11, "text": "Cows"}],
                            },
                        ],
                    }
                ]
            }
        ]
    }
    path = tmp_path / "train.json"
    path.write_text(json.dumps(squad), encoding="utf-8")
    # The answer's sentence, then the paragraph with its newlines removed; "Cows" is not in the text.
    assert squad_training_pairs(path) == [
        ("Who barks?", "Dogs bark loudly.Cats purr.Dogs bark loudly. Birds sing.")
    ]


def test_squad_training_pairs_on_shared_squad() -> None:
    from trainer.lareqa import squad_training_pairs

    pairs = squad_training_pairs(shared_file("english/squad_v1.1/train-v1.1.first11articles.json"))
    assert len(pairs) == 3807
    assert (
        squad_training_pairs(shared_file("english/squad_v1.1/train-v1.1.first11articles.json"), 5)
        == pairs[:5]
    )
