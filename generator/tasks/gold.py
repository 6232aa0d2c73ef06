"""Files without gold labels, told apart from files with them, with where the gold is instead.

XTREME-R's download removes test labels "to prevent accidental cheating": XNLI / PAWS-X test TSVs
keep 2 columns, PAN-X / UD-POS test files keep tokens only, XQuAD, MLQA test and TyDiQA dev answers
become `{"answer_start": 0, "text": ""}`, XCOPA test labels are all set to 0, Mewsli-X test
`entity_id`s are emptied, Tatoeba's English side is sorted and BUCC test has no `.gold`. Several
English releases hide their test labels too. The readers read such files with the gold left empty
(label -1, no tags, no answers, no partner, no entity id); these checks say so, so that nothing is
ever scored against missing gold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from generator.example import Example
from generator.tasks.base import GoldCheck

FIXES: dict[str, str] = {
    "xnli": "XNLI-1.0/xnli.test.tsv (raw layout, with gold_label), the dev split dev-<lang>.tsv, "
    "or hf google/xtreme XNLI",
    "pawsx": "x-final/<lang>/test_2k.tsv (raw layout), the dev split dev-<lang>.tsv, "
    "or hf google/xtreme PAWS-X.<lang>",
    "wikiann": "the AmazonPhotos release file <lang>-test (raw layout, lang:token<TAB>tag), the dev split "
    "dev-<lang>.tsv, or hf google/xtreme PAN-X.<lang> (its test split keeps the tags)",
    "udpos": "the treebank's <lang>_<treebank>-ud-test.conllu (raw layout), the dev split dev-<lang>.tsv, "
    "or hf google/xtreme udpos.<Language>",
    "xquad": "deepmind/xquad's xquad.<lang>.json (raw layout) or hf google/xtreme XQuAD.<lang>",
    "mlqa": "MLQA_V1/test/test-context-<lang>-question-<lang>.json from MLQA_V1.zip (raw layout), "
    "the dev split MLQA_V1/dev/, or hf google/xtreme MLQA.<lang>.<lang>",
    "tydiqa": "tydiqa-goldp-v1.1-dev/tydiqa-goldp-dev-<language>.json from tydiqa-goldp-v1.1-dev.tgz "
    "(raw layout) or hf google/xtreme tydiqa (validation, filtered to the language)",
    "xcopa": "cambridgeltl/xcopa's data/<lang>/test.<lang>.jsonl (raw layout), the validation split "
    "val-<lang>.jsonl, or hf xcopa <lang> (test)",
    "copa": "val.jsonl or train.jsonl (SuperGLUE keeps the COPA test labels hidden)",
    "siqa": "the dev split (dev.jsonl + dev-labels.lst, or socialIQa_v1.4_dev.jsonl)",
    "hellaswag": "hellaswag_val.jsonl (HellaSwag keeps its test labels hidden)",
    "commonsenseqa": "dev_rand_split.jsonl (CommonsenseQA keeps its test answers hidden)",
    "cosmosqa": "valid.csv or valid.jsonl (Cosmos QA keeps its test labels hidden)",
    "mnli": "dev_matched / dev_mismatched (GLUE keeps the MNLI test labels hidden)",
    "snli": "snli_1.0_dev.jsonl or snli_1.0_test.jsonl",
    "anli": "the dev or test file of the round (dev.jsonl, test.jsonl)",
    "qqp": "dev.tsv (GLUE keeps the QQP test labels hidden)",
    "squad": "dev-v1.1.json",
    "mewslix": "the dev split wikinews_mentions/dev-<lang>.jsonl, or wikinews_mentions-test.jsonl as the "
    "Mewsli-X tool (get-mewsli-x.sh) writes it (raw layout)",
    "tatoeba": "LASER's line-aligned data/tatoeba/v1/tatoeba.<xxx>-eng.<xxx> and .eng (raw layout) "
    "or hf google/xtreme tatoeba.<xxx>",
    "bucc": "the dev split <xx>-en.dev.* with its .gold, or the BUCC 2018 training files with their .gold",
}


def no_gold_message(name: str, path: Path, why: str) -> str:
    """What to tell a user who points an evaluation at a file without gold."""
    fix = FIXES.get(name, "a file of the same split that keeps its labels")
    return f"{path}: this file has no gold ({why}); use {fix}"


def _check(name: str, lacks: Callable[[Example], bool], why: str) -> GoldCheck:
    def check(path: Path, examples: Sequence[Example]) -> str:
        return no_gold_message(name, path, why) if all(lacks(ex) for ex in examples) else ""

    return check


def label_gold(name: str) -> GoldCheck:
    """Pair and choice files: gold when some record has a label."""
    return _check(name, lambda ex: ex.label < 0, "no record has a gold label")


def tag_gold(name: str) -> GoldCheck:
    """Tagging files: gold when some sentence has tags (XTREME-R test files hold tokens only)."""
    return _check(name, lambda ex: not ex.tags, "it holds tokens only, no tags")


def answer_gold(name: str) -> GoldCheck:
    """Extractive QA files: gold when some question has an answer or is marked unanswerable."""
    return _check(
        name,
        lambda ex: not ex.answers and not ex.is_impossible,
        'every answer is blank: {"answer_start": 0, "text": ""}',
    )


def partner_gold(name: str) -> GoldCheck:
    """Sentence retrieval files: gold when some sentence comes with its gold partner."""
    return _check(name, lambda ex: not (ex.text_a and ex.text_b), "no sentence comes with its gold partner")


def entity_gold(name: str) -> GoldCheck:
    """Entity linking files: gold when some mention has an entity id."""
    return _check(name, lambda ex: not ex.meta.get("entity_id"), "every entity_id is empty")
