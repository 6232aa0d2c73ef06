"""Retrieval metrics as XTREME-R's scorers compute them: Tatoeba, BUCC, LAReQA and Mewsli-X.

Every public score is in percent (0-100).

- Tatoeba: top-1 cosine accuracy. XTREME's `similarity_search` indexes the non-English sentences
  and searches them with the English ones, so its number is en->xx (`tatoeba_accuracy(eng, xx)`).
- LAReQA: `utils_lareqa.mean_avg_prec_at_k`: each question's candidates are ranked by the dot
  product of the encodings, ascending `argsort` reversed, so of equal scores the higher candidate
  index comes first; AP@20 over every relevant candidate (all languages), mean over all questions.
- Mewsli-X: `utils_mewslix.evaluate`: the first gold label of each mention, stripped, against its
  top-20 predicted entity ids; the reciprocal rank of the first hit (mAP@20 with one relevant id).
- BUCC: F1 of mined pairs at a score threshold and the threshold search of `bucc_optimize`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

from trainer.metrics import accuracy, check_lengths

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike


def cosine_similarity(queries: ArrayLike, candidates: ArrayLike) -> np.ndarray:
    """The (queries x candidates) cosine similarity matrix of two embedding matrices."""
    import numpy as np

    q = np.asarray(queries, dtype=np.float64)
    c = np.asarray(candidates, dtype=np.float64)
    if q.ndim != 2 or c.ndim != 2 or q.shape[1] != c.shape[1]:
        raise ValueError(
            f"embeddings must be 2-D with the same width; got queries {q.shape} and candidates {c.shape}"
        )
    q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    c = c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)
    return q @ c.T


def rank_candidates(queries: ArrayLike, candidates: ArrayLike, k: int = 20) -> list[list[int]]:
    """For each query, the indices of its `k` most cosine-similar candidates, best first (ties: lower index)."""
    import numpy as np

    sims = cosine_similarity(queries, candidates)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return [[int(i) for i in row] for row in order]


def tatoeba_accuracy(src: ArrayLike, tgt: ArrayLike) -> float:
    """Top-1 cosine retrieval accuracy: row i of `src` should find row i of `tgt` among all of `tgt`.

    XTREME's number is `tatoeba_accuracy(english, other)`: the English sentences search.
    """
    predicted = [row[0] for row in rank_candidates(src, tgt, k=1)]
    return accuracy(list(range(len(predicted))), predicted)


def average_precision_at_k(relevant: Collection[Hashable], ranked: Sequence[Hashable], k: int = 20) -> float:
    """AP@k (0-1) of one ranking, as XTREME's LAReQA: repeats ignored, divided by min(#relevant, k)."""
    if not relevant:
        raise ValueError("a query without relevant candidates has no average precision; drop it")
    top = list(ranked)[:k]
    hits = 0
    score = 0.0
    for i, item in enumerate(top):
        if item in relevant and item not in top[:i]:
            hits += 1
            score += hits / (i + 1)
    return score / min(len(relevant), k)


def map_at_k(
    relevant: Sequence[Collection[Hashable]], ranked: Sequence[Sequence[Hashable]], k: int = 20
) -> float:
    """Mean AP@k in percent over queries (LAReQA mAP@20; Mewsli-X MRR@20 with one relevant each)."""
    check_lengths(relevant, ranked, "queries")
    aps = [average_precision_at_k(r, p, k) for r, p in zip(relevant, ranked, strict=True)]
    return 100.0 * math.fsum(aps) / len(aps)


def lareqa_rankings(questions: ArrayLike, candidates: ArrayLike, k: int = 20) -> list[list[int]]:
    """Per question, its top-`k` candidate rows by dot product, as `mean_avg_prec_at_k` ranks them.

    Scores are computed one question at a time in the encodings' own precision
    (`question.dot(candidates.T)`); equal scores put the higher candidate index first.
    """
    import numpy as np

    q = _float_matrix(questions, "question encodings")
    c = _float_matrix(candidates, "candidate encodings")
    if q.shape[1] != c.shape[1]:
        raise ValueError(f"question encodings have width {q.shape[1]}, candidate encodings {c.shape[1]}")
    rankings = []
    for row in q:
        scores = np.expand_dims(row, 0).dot(c.T)[0]
        order = scores.argsort(kind="stable")[::-1][:k]
        rankings.append([int(i) for i in order])
    return rankings


def _float_matrix(values: ArrayLike, what: str) -> np.ndarray:
    import numpy as np

    matrix = np.asarray(values)
    if not np.issubdtype(matrix.dtype, np.floating):
        matrix = matrix.astype(np.float64)
    if matrix.ndim != 2 or not matrix.shape[0]:
        raise ValueError(f"{what} must be a non-empty 2-D matrix, got shape {matrix.shape}")
    return matrix


def lareqa_map_at_k(
    questions: ArrayLike, candidates: ArrayLike, relevant: Sequence[Collection[int]], k: int = 20
) -> float:
    """LAReQA mAP@k in percent: `relevant[i]` holds the candidate rows that answer question i.

    As `mean_avg_prec_at_k`: dot-product rankings (`lareqa_rankings`), AP@k divided by
    min(#relevant, k), the mean (numpy's) over all questions.
    """
    import numpy as np

    rankings = lareqa_rankings(questions, candidates, k=k)
    if len(relevant) != len(rankings):
        raise ValueError(
            f"{len(relevant)} relevant sets for {len(rankings)} question encodings; pass one each"
        )
    aps = [average_precision_at_k(r, p, k) for r, p in zip(relevant, rankings, strict=True)]
    return float(np.mean(aps)) * 100


def mewslix_map_at_k(
    gold: Mapping[str, Sequence[str]], predictions: Mapping[str, Sequence[str]], k: int = 20
) -> float:
    """Mewsli-X mAP@k (MRR@k) in percent, as `utils_mewslix.evaluate`.

    `gold` maps each mention id to its gold entity ids (the first, stripped, counts); `predictions`
    maps mention ids to entity ids, best first. A mention without predictions scores 0; predicted
    ids of mentions not in `gold` are ignored. Files whose gold ids were all removed (XTREME-R's
    test split) are refused.
    """
    singles: dict[str, str] = {}
    for example_id, labels in gold.items():
        if isinstance(labels, str) or not labels:
            raise ValueError(f"mention {example_id!r}: gold must be a non-empty list of entity ids")
        singles[example_id] = labels[0].strip()
    if singles and not any(singles.values()):
        raise ValueError("every gold entity id is empty (labels removed, as in the test split); score dev")
    reciprocal_ranks = []
    for example_id, entity in singles.items():
        top = list(predictions.get(example_id, []))[:k]
        reciprocal_ranks.append(next((1.0 / rank for rank, p in enumerate(top, start=1) if p == entity), 0.0))
    mrr = sum(reciprocal_ranks) / len(reciprocal_ranks) if reciprocal_ranks else 0.0
    return mrr * 100


Pair = tuple[str, str]


def bucc_scores(predicted: Collection[Pair], gold: Collection[Pair]) -> dict[str, float]:
    """BUCC F1 / precision / recall (percent) of mined (source id, target id) pairs."""
    if not gold:
        raise ValueError("no gold pairs to score; pass the gold (source id, target id) pairs")
    found = set(predicted)
    correct = len(found & set(gold))
    if correct == 0:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision = correct / len(found)
    recall = correct / len(set(gold))
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": 100.0 * f1, "precision": 100.0 * precision, "recall": 100.0 * recall}


def bucc_threshold_scores(
    scored: Mapping[Pair, float], gold: Collection[Pair], threshold: float
) -> dict[str, float]:
    """BUCC scores of the candidate pairs whose score is at least `threshold`."""
    return bucc_scores([pair for pair, score in scored.items() if score >= threshold], gold)


def bucc_best_threshold(scored: Mapping[Pair, float], gold: Collection[Pair]) -> float:
    """The score threshold with the best F1 on `gold` (XTREME's `bucc_optimize`, tuned on dev).

    The threshold lies midway between the last kept candidate and the next one; when the best cut
    keeps every candidate it is the lowest score itself.
    """
    gold_set = set(gold)
    if not gold_set:
        raise ValueError("no gold pairs to tune the threshold on; pass the dev gold pairs")
    items = sorted(scored.items(), key=lambda item: -item[1])
    best_f1 = 0.0
    threshold = 0.0
    correct = 0
    for i, (pair, score) in enumerate(items):
        correct += pair in gold_set
        if correct == 0:
            continue
        precision = correct / (i + 1)
        recall = correct / len(gold_set)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[i + 1][1]) / 2 if i + 1 < len(items) else score
    return threshold
