"""XTREME-R evaluation metrics, computed the way google-research/xtreme's `evaluate.py` computes them.

Every public score is in percent (0-100). `Scores` is the result structure the trainer and the
report share: task -> language -> metric -> value. Retrieval metrics live in
`trainer.retrieval_metrics`, the task / category / overall averages in `trainer.benchmark`.

Sources followed line by line:
- QA: SQuAD v1.1 official script (XQuAD, TyDiQA-GoldP), the SQuAD v2.0 script's no-answer rules
  and denominator, and the MLQA script (`third_party/evaluate_mlqa.py`) with its
  language-specific normalisation for MLQA. XTREME-R ranks a QA task by (EM + F1) / 2, kept per
  language as `em_f1`.
- Tagging: seqeval 1.2.2 `f1_score` in its default (non-strict) mode for both WikiANN and UD-POS,
  as XTREME scores both. On POS tags this is not token accuracy: seqeval reads the first letter
  of a tag as a chunk prefix and the rest as its type, so runs of the same tag merge into one
  chunk ("NOUN NOUN" is one chunk) and SCONJ/CCONJ share the type "CONJ". Token accuracy is
  reported beside it, and for UD-POS seqeval 0.0.12's F1 (`trainer.seqeval_legacy`) too.
"""

from __future__ import annotations

import re
import string
import unicodedata
import warnings
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence

from generator.errors import ConfigError
from generator.example import Kind
from trainer.seqeval_legacy import legacy_seqeval_scores

Scores = dict[str, dict[str, dict[str, float]]]

PRIMARY_METRIC: dict[str, str] = {
    "xnli": "accuracy",
    "pawsx": "accuracy",
    "xcopa": "accuracy",
    "udpos": "f1",
    "wikiann": "f1",
    "panx": "f1",
    "xquad": "em_f1",
    "mlqa": "em_f1",
    "tydiqa": "em_f1",
    "tatoeba": "accuracy",
    "bucc": "f1",
    "bucc2018": "f1",
    "lareqa": "map@20",
    "mewslix": "map@20",
}
# Variants of a task scored apart: `<task>_frozen` (LAReQA, Mewsli-X before retrieval fine-tuning)
# and `<task>_oracle` (models chosen on target-language dev).
VARIANT_SUFFIXES = ("frozen", "oracle")
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
    for suffix in VARIANT_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in PRIMARY_METRIC:
            key = key[: -len(suffix)]
    if key in PRIMARY_METRIC:
        return PRIMARY_METRIC[key]
    if kind is not None and kind in KIND_PRIMARY_METRIC:
        return KIND_PRIMARY_METRIC[kind]
    raise ConfigError(
        f"no primary metric known for task {task!r}; name its kind ({', '.join(KIND_PRIMARY_METRIC)}) "
        f"or use one of: {', '.join(PRIMARY_METRIC)}"
    )


def check_lengths(gold: Collection[object], pred: Collection[object], what: str) -> None:
    if len(gold) != len(pred):
        raise ValueError(
            f"{len(pred)} predicted {what} for {len(gold)} gold {what}; pass one prediction each"
        )
    if not gold:
        raise ValueError(f"no gold {what} to score; pass at least one example")


# ---------------------------------------------------------------- classification


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Percentage of predictions equal to their gold label (as evaluate.py: correct / n * 100)."""
    check_lengths(gold, pred, "labels")
    correct = sum(int(p == g) for p, g in zip(pred, gold, strict=True))
    return float(correct) / len(pred) * 100


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


def question_scores(
    prediction: str, answers: Sequence[str], mlqa_lang: str | None = None
) -> tuple[float, float]:
    """(exact match, F1) of one answered question in [0, 1], each the max over its gold answers (SQuAD v1.1)."""
    return (
        max(qa_exact(prediction, a, mlqa_lang) for a in answers),
        max(qa_f1(prediction, a, mlqa_lang) for a in answers),
    )


def qa_scores(
    predictions: Mapping[str, str],
    gold: Mapping[str, Sequence[str]] | Iterable[tuple[str, Sequence[str]]],
    *,
    mlqa_lang: str | None = None,
    squad_v2: bool = False,
) -> dict[str, float]:
    """Exact match, F1 and their mean `em_f1` (percent), each question the max over its gold answers.

    `gold` maps question id -> gold answers, or is the (id, answers) pairs in file order.
    `mlqa_lang` switches to MLQA's normalisation for that answer language. SQuAD v1.1 / MLQA rules
    by default: a question without a prediction scores 0 and counts, a repeated id counts twice.
    `squad_v2` applies the v2.0 script: a question with no gold answer is matched only by an empty
    prediction, each id counts once, and questions without a prediction are left out of the
    denominator (the script divides by the questions it has a prediction for).
    """
    pairs = list(gold.items() if isinstance(gold, Mapping) else gold)
    if not pairs:
        raise ValueError("no gold questions to score; pass at least one question")
    if squad_v2:
        # The v2.0 script keeps one score per question id and divides by the ids it has a score for.
        by_id = {
            qid: _v2_pair(predictions[qid], answers, mlqa_lang)
            for qid, answers in pairs
            if qid in predictions
        }
        if not by_id:
            raise ValueError(
                "no question has a prediction; the SQuAD v2.0 score divides by answered questions"
            )
        em_total, f1_total = sum(em for em, _ in by_id.values()), sum(f1 for _, f1 in by_id.values())
        total = len(by_id)
    else:
        em_total = f1_total = 0.0
        for qid, answers in pairs:
            if qid not in predictions:
                continue
            if not answers:
                raise ValueError(
                    f"question {qid!r} has no gold answer; score SQuAD v2-style data with squad_v2=True"
                )
            em, f1_one = question_scores(predictions[qid], answers, mlqa_lang)
            em_total, f1_total = em_total + em, f1_total + f1_one
        total = len(pairs)
    exact_match, f1 = 100.0 * em_total / total, 100.0 * f1_total / total
    return {"exact_match": exact_match, "f1": f1, "em_f1": (exact_match + f1) / 2}


def qa_task_scores(
    task: str,
    lang: str,
    predictions: Mapping[str, str],
    gold: Mapping[str, Sequence[str]] | Iterable[tuple[str, Sequence[str]]],
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
    check_lengths(gold, pred, "sentences")
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(p)} predicted tags for {len(g)} gold tokens")


def seqeval_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """seqeval F1 / precision / recall in percent (default mode), as evaluate.py's `f1` for NER and POS."""
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
    return {"f1": f1 * 100, "precision": precision * 100, "recall": recall * 100}


LEGACY_SEQEVAL = "seqeval_0.0.12"


def legacy_tagging_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """seqeval 0.0.12's F1 / precision / recall in percent, keyed `f1_seqeval_0.0.12` and so on."""
    _check_tag_shapes(gold, pred)
    scores = legacy_seqeval_scores(gold, pred)
    return {f"{metric}_{LEGACY_SEQEVAL}": value * 100 for metric, value in scores.items()}


def tagging_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """seqeval F1 / precision / recall (default mode, as XTREME for NER and POS) and token accuracy."""
    return seqeval_scores(gold, pred) | {"accuracy": token_accuracy(gold, pred)}


def tagging_task_scores(
    task: str, gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]
) -> dict[str, float]:
    """`tagging_scores`, plus seqeval 0.0.12's scores beside them for UD-POS, where the versions differ."""
    scores = tagging_scores(gold, pred)
    if task.strip().lower().replace("-", "").replace("_", "") in ("udpos", "pos"):
        scores |= legacy_tagging_scores(gold, pred)
    return scores
