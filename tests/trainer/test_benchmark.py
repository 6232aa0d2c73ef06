"""XTREME-R task, category and overall scores aggregate as evaluate.py does."""

from __future__ import annotations

import pytest

from generator.errors import ConfigError
from generator.languages import TASK_LANGUAGES
from trainer.benchmark import (
    XTREME_LANGUAGES,
    XTREME_R_CATEGORIES,
    XTREME_R_LANGUAGES,
    benchmark_scores,
    benchmark_task,
    task_average,
)
from trainer.metrics import Scores

# evaluate.py's XTREME_R_TASK2LANGS, verbatim (LAReQA has none there).
EVALUATE_PY_XTREME_R = {
    "xnli": "ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh",
    "panx": "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,"
    "sw,yo,my,zh,kk,tr,et,fi,hu,qu,pl,uk,az,lt,pa,gu,ro",
    "udpos": "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,"
    "zh,lt,pl,uk,wo,ro",
    "tatoeba": "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,zh,"
    "kk,tr,et,fi,hu,az,lt,pl,uk,ro",
    "xcopa": "et,ht,id,it,qu,sw,ta,th,tr,vi,zh",
    "mewslix": "ar,de,en,es,fa,ja,pl,ro,ta,tr,uk",
    "xquad": "en,es,de,el,ru,tr,ar,vi,th,zh,hi,ro",
    "mlqa": "en,es,de,ar,hi,vi,zh",
    "tydiqa": "en,ar,bn,fi,id,ko,ru,sw,te",
}
EVALUATE_PY_XTREME = {
    "panx": "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,"
    "sw,yo,my,zh,kk,tr,et,fi,hu",
    "udpos": "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,zh",
    "tatoeba": "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,zh,"
    "kk,tr,et,fi,hu",
    "xquad": "en,es,de,el,ru,tr,ar,vi,th,zh,hi",
}


def test_language_tables_are_evaluate_py_s() -> None:
    for task, langs in EVALUATE_PY_XTREME_R.items():
        assert XTREME_R_LANGUAGES[task] == tuple(langs.split(",")), task
    for task, langs in EVALUATE_PY_XTREME.items():
        assert XTREME_LANGUAGES[task] == tuple(langs.split(",")), task
    # The same language sets as the project's registry, for all ten tasks.
    assert {t: set(v) for t, v in XTREME_R_LANGUAGES.items()} == {
        t: set(v) for t, v in TASK_LANGUAGES.items()
    }
    assert sum(len(tasks) for tasks in XTREME_R_CATEGORIES.values()) == len(XTREME_R_LANGUAGES) == 10


def test_qa_task_score_is_mean_of_em_and_f1_averages() -> None:
    per_lang = {
        "en": {"exact_match": 80.0, "f1": 90.0, "em_f1": 85.0},
        "de": {"exact_match": 60.0, "f1": 76.0},
    }
    average = task_average("MLQA", per_lang)
    assert average.averages["exact_match"] == 70.0 and average.averages["f1"] == 83.0
    assert average.score == (70.0 + 83.0) / 2
    # Languages follow evaluate.py's order; the rest of MLQA's languages are missing.
    assert average.languages == ("en", "de")
    assert average.missing == ("es", "ar", "hi", "vi", "zh") and not average.complete


def test_metric_preference_and_languages_outside_the_benchmark() -> None:
    # Tagging cells carry token accuracy too: F1 ranks. "xx" is no UD-POS language: not averaged.
    per_lang = {"en": {"f1": 60.0, "accuracy": 90.0}, "yo": {"f1": 40.0, "accuracy": 70.0}, "xx": {"f1": 0.0}}
    assert task_average("pos", per_lang).score == 50.0
    assert task_average("tatoeba", {"de": {"accuracy": 90.0, "accuracy_xx_en": 10.0}}).score == 90.0
    assert task_average("mewslix", {"ar": {"map@20": 30.0}, "en": {"map@20": 10.0}}).score == 20.0
    with pytest.raises(ConfigError, match="none of its xtreme-r languages"):
        task_average("xcopa", {"en": {"accuracy": 50.0}})
    with pytest.raises(ConfigError, match="not among the xtreme-r tasks"):
        task_average("pawsx", {"en": {"accuracy": 50.0}})


def test_lareqa_is_the_mean_over_all_questions() -> None:
    # 3 questions scored 90 on average in en, 1 scored 10 in ar: over all 4 questions (270 + 10) / 4.
    per_lang = {"en": {"map@20": 90.0, "questions": 3.0}, "ar": {"map@20": 10.0, "questions": 1.0}}
    assert task_average("XQuAD-R", per_lang).score == 70.0
    with pytest.raises(ConfigError, match="questions count"):
        task_average("lareqa", {"en": {"map@20": 90.0}})


def _complete(score: float) -> Scores:
    scores: Scores = {}
    for task, langs in XTREME_R_LANGUAGES.items():
        if task in ("xquad", "mlqa", "tydiqa"):
            cell = {"exact_match": score - 10, "f1": score + 10}
        elif task == "lareqa":
            cell = {"map@20": score, "questions": 5.0}
        else:
            cell = {"f1" if task in ("udpos", "panx") else "accuracy": score}
        scores[task] = {lang: dict(cell) for lang in langs}
    return scores


def test_categories_and_overall() -> None:
    scores = _complete(50.0)
    scores["wikiann"] = scores.pop("panx")
    scores["mewslix"] = {lang: {"map@20": 20.0} for lang in XTREME_R_LANGUAGES["mewslix"]}
    bench = benchmark_scores(scores)
    assert bench.categories["question_answering"].score == 50.0
    # Retrieval is tatoeba, mewslix and lareqa: (50 + 20 + 50) / 3.
    assert bench.categories["retrieval"].score == 40.0
    assert bench.categories["retrieval"].tasks == ("tatoeba", "mewslix", "lareqa")
    assert bench.overall is not None and bench.overall.complete
    assert bench.overall.score == pytest.approx((9 * 50 + 20) / 10)


def test_partial_scores_say_so() -> None:
    scores = _complete(50.0)
    del scores["xcopa"]
    del scores["xnli"]["sw"]
    bench = benchmark_scores(scores)
    assert "classification" not in bench.categories and bench.overall is None
    assert bench.tasks["xnli"].missing == ("sw",)
    assert bench.categories["retrieval"].complete
    del scores["tatoeba"]["ro"]
    assert not benchmark_scores(scores).categories["retrieval"].complete
    # Tasks outside the benchmark are left out; two names of one task are refused.
    assert "mytask" not in benchmark_scores({"mytask": {"en": {"f1": 1.0}}}).tasks
    with pytest.raises(ConfigError, match="keep one"):
        benchmark_scores({"panx": {"en": {"f1": 1.0}}, "wikiann": {"en": {"f1": 2.0}}})
    assert benchmark_task("TyDiQA-GoldP") == "tydiqa" and benchmark_task("BUCC") == "bucc2018"
