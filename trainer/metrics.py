"""XTREME-R evaluation metrics, computed the way google-research/xtreme's `evaluate.py` computes them.

Every public score is in percent (0-100). `Scores` is the result structure the trainer and the
report share: task -> language -> metric -> value.

Sources followed line by line:
- QA: SQuAD v1.1 official script (XQuAD, TyDiQA-GoldP), SQuAD v2.0 no-answer rules, and the MLQA
  script (`third_party/evaluate_mlqa.py`) with its language-specific normalisation for MLQA.
- Tagging: seqeval `f1_score` in its default (non-strict) mode for both WikiANN and UD-POS, as
  XTREME scores both. On POS tags this is not token accuracy: seqeval reads the first letter of a
  tag as a chunk prefix and the rest as its type, so runs of the same tag merge into one chunk
  ("NOUN NOUN" is one chunk) and SCONJ/CCONJ share the type "CONJ". Token accuracy is reported
  beside it.
- Retrieval: Tatoeba top-1 cosine accuracy, mAP@k as XTREME's LAReQA `average_precision_at_k`
  (Mewsli-X's MRR@20 is the same number with one gold entity), BUCC F1 at a score threshold and
  the threshold search of `bucc_optimize`.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
import warnings
from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

from generator.errors import ConfigError
from generator.example import Kind

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike

Scores = dict[str, dict[str, dict[str, float]]]

PRIMARY_METRIC: dict[str, str] = {
    "xnli": "accuracy",
    "pawsx": "accuracy",
    "xcopa": "accuracy",
    "udpos": "f1",
    "wikiann": "f1",
    "panx": "f1",
    "xquad": "f1",
    "mlqa": "f1",
    "tydiqa": "f1",
    "tatoeba": "accuracy",
    "bucc": "f1",
    "bucc2018": "f1",
    "lareqa": "map@20",
    "mewslix": "map@20",
}
KIND_PRIMARY_METRIC: dict[str, str] = {
    "qa": "f1",
    "pair": "accuracy",
    "choice": "accuracy",
    "tagging": "f1",
    "retrieval": "accuracy",
}


def primary_metric(task: str, kind: Kind | None = None) -> str:
    """The metric a task is ranked and averaged by; unknown tasks fall back to their kind's metric."""
    key = task.strip().lower().replace("-", "").replace("_", "")
    if key in PRIMARY_METRIC:
        return PRIMARY_METRIC[key]
    if kind is not None and kind in KIND_PRIMARY_METRIC:
        return KIND_PRIMARY_METRIC[kind]
    raise ConfigError(
        f"no primary metric known for task {task!r}; name its kind ({', '.join(KIND_PRIMARY_METRIC)}) "
        f"or use one of: {', '.join(PRIMARY_METRIC)}"
    )


def _check_lengths(gold: Collection[object], pred: Collection[object], what: str) -> None:
    if len(gold) != len(pred):
        raise ValueError(
            f"{len(pred)} predicted {what} for {len(gold)} gold {what}; pass one prediction each"
        )
    if not gold:
        raise ValueError(f"no gold {what} to score; pass at least one example")


# ---------------------------------------------------------------- classification


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Percentage of predictions equal to their gold label."""
    _check_lengths(gold, pred, "labels")
    return 100.0 * sum(int(g == p) for g, p in zip(gold, pred, strict=True)) / len(gold)


# ---------------------------------------------------------------- extractive QA

_SQUAD_PUNCT = frozenset(string.punctuation)
_SQUAD_ARTICLES = re.compile(r"\b(a|an|the)\b")
MLQA_ARTICLES: dict[str, re.Pattern[str] | None] = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "hi": None,
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    "ar": None,
    "zh": None,
}
_CJK = re.compile(r"[\u4e00-\u9fa5]")


def normalize_squad(text: str) -> str:
    """SQuAD v1.1 normalisation: lowercase, drop ASCII punctuation and a/an/the, squeeze whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _SQUAD_PUNCT)
    return " ".join(_SQUAD_ARTICLES.sub(" ", text).split())


def _is_mlqa_punct(ch: str) -> bool:
    return ch in _SQUAD_PUNCT or unicodedata.category(ch).startswith("P")


def _mixed_segmentation(text: str) -> list[str]:
    """MLQA's Chinese tokenisation: each CJK character (and punctuation mark) is a token."""
    tokens: list[str] = []
    pending = ""
    for ch in text:
        if _CJK.match(ch) or _is_mlqa_punct(ch):
            tokens.extend(pending.split())
            pending = ""
            tokens.append(ch)
        else:
            pending += ch
    tokens.extend(pending.split())
    return tokens


def normalize_mlqa(text: str, lang: str) -> str:
    """MLQA normalisation for answer language `lang` (en es de ar hi vi zh), as its official script."""
    if lang not in MLQA_ARTICLES:
        raise ConfigError(
            f"MLQA normalisation is defined for {', '.join(MLQA_ARTICLES)}, not {lang!r}; "
            "score other languages with the SQuAD normalisation (mlqa_lang=None)"
        )
    text = "".join(ch for ch in text.lower() if not _is_mlqa_punct(ch))
    articles = MLQA_ARTICLES[lang]
    if articles is not None:
        text = articles.sub(" ", text)
    elif lang == "ar":
        # The official script's pattern '\sال^|ال' removes every "ال", also inside words.
        text = text.replace("ال", " ")
    tokens = _mixed_segmentation(text) if lang == "zh" else text.split()
    return " ".join(t for t in tokens if t.strip())


def normalize_answer(text: str, mlqa_lang: str | None = None) -> str:
    """SQuAD normalisation, or MLQA's for `mlqa_lang` when given."""
    return normalize_squad(text) if mlqa_lang is None else normalize_mlqa(text, mlqa_lang)


def _token_f1(pred_tokens: list[str], gold_tokens: list[str]) -> float:
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision = same / len(pred_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def qa_f1(prediction: str, gold: str, mlqa_lang: str | None = None) -> float:
    """Token-overlap F1 (0-1) of one prediction against one gold answer (SQuAD v1.1 rules)."""
    return _token_f1(
        normalize_answer(prediction, mlqa_lang).split(), normalize_answer(gold, mlqa_lang).split()
    )


def qa_exact(prediction: str, gold: str, mlqa_lang: str | None = None) -> float:
    """1.0 when the normalised prediction equals the normalised gold answer, else 0.0."""
    return float(normalize_answer(prediction, mlqa_lang) == normalize_answer(gold, mlqa_lang))


def _v2_pair(prediction: str, golds: Sequence[str], mlqa_lang: str | None) -> tuple[float, float]:
    """SQuAD v2.0 rules: gold answers that normalise to nothing are dropped; no gold means ""."""
    kept = [g for g in golds if normalize_answer(g, mlqa_lang)] or [""]
    pred_tokens = normalize_answer(prediction, mlqa_lang).split()
    best_em = best_f1 = 0.0
    for gold in kept:
        gold_tokens = normalize_answer(gold, mlqa_lang).split()
        em = float(pred_tokens == gold_tokens)
        f1 = em if not pred_tokens or not gold_tokens else _token_f1(pred_tokens, gold_tokens)
        best_em, best_f1 = max(best_em, em), max(best_f1, f1)
    return best_em, best_f1


def qa_scores(
    predictions: Mapping[str, str],
    gold: Mapping[str, Sequence[str]],
    *,
    mlqa_lang: str | None = None,
    squad_v2: bool = False,
) -> dict[str, float]:
    """Exact match and F1 (percent) over all gold questions, each the max over its gold answers.

    A question without a prediction scores 0 (as the official scripts). `mlqa_lang` switches to
    MLQA's normalisation for that answer language. `squad_v2` applies the no-answer rules: a
    question with no gold answer is matched only by an empty prediction.
    """
    if not gold:
        raise ValueError("no gold questions to score; pass at least one question")
    em_total = f1_total = 0.0
    for qid, answers in gold.items():
        if qid not in predictions:
            continue
        prediction = predictions[qid]
        if squad_v2:
            em, f1 = _v2_pair(prediction, answers, mlqa_lang)
        elif not answers:
            raise ValueError(
                f"question {qid!r} has no gold answer; score SQuAD v2-style data with squad_v2=True"
            )
        else:
            em = max(qa_exact(prediction, a, mlqa_lang) for a in answers)
            f1 = max(qa_f1(prediction, a, mlqa_lang) for a in answers)
        em_total += em
        f1_total += f1
    return {"exact_match": 100.0 * em_total / len(gold), "f1": 100.0 * f1_total / len(gold)}


def qa_task_scores(
    task: str, lang: str, predictions: Mapping[str, str], gold: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    """QA scores with the normalisation XTREME uses for `task`: MLQA's for mlqa, SQuAD's otherwise."""
    return qa_scores(predictions, gold, mlqa_lang=lang if task.lower() == "mlqa" else None)


# ---------------------------------------------------------------- tagging


def token_accuracy(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """Percentage of tokens whose predicted tag equals the gold tag."""
    _check_tag_shapes(gold, pred)
    total = sum(len(s) for s in gold)
    if total == 0:
        raise ValueError("the gold sentences hold no tokens; pass at least one tagged token")
    correct = sum(g == p for gs, ps in zip(gold, pred, strict=True) for g, p in zip(gs, ps, strict=True))
    return 100.0 * correct / total


def _check_tag_shapes(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> None:
    _check_lengths(gold, pred, "sentences")
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(p)} predicted tags for {len(g)} gold tokens")


def tagging_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """seqeval F1 / precision / recall (default mode, as XTREME for NER and POS) and token accuracy."""
    from seqeval.metrics import f1_score, precision_score, recall_score

    _check_tag_shapes(gold, pred)
    y_true = [list(s) for s in gold]
    y_pred = [list(s) for s in pred]
    with warnings.catch_warnings():
        # seqeval warns on every POS tag ("NOUN seems not to be NE tag"); XTREME scores them as they are.
        warnings.simplefilter("ignore")
        f1 = float(f1_score(y_true, y_pred))
        precision = float(precision_score(y_true, y_pred))
        recall = float(recall_score(y_true, y_pred))
    return {
        "f1": 100.0 * f1,
        "precision": 100.0 * precision,
        "recall": 100.0 * recall,
        "accuracy": token_accuracy(gold, pred),
    }


# ---------------------------------------------------------------- retrieval


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
    """Top-1 cosine retrieval accuracy: row i of `src` should find row i of `tgt` among all of `tgt`."""
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
    _check_lengths(relevant, ranked, "queries")
    aps = [average_precision_at_k(r, p, k) for r, p in zip(relevant, ranked, strict=True)]
    return 100.0 * math.fsum(aps) / len(aps)


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
