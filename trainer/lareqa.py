"""LAReQA (XQuAD-R): the pooled question and candidate sets and their mAP@20, as XTREME-R builds them.

Follows `utils_lareqa.load_data` / `generate_examples`: per language file, each paragraph is
`<lang>_<n>` (n counts the file's paragraphs from 1) and its candidates are its sentences cut at
`sentence_breaks` (the `sentences` field is ignored), `<lang>_<n>_<position>`, added once, and only
when the paragraph has a question. A question's gold sentence is the one holding its answer
start; questions without one are skipped. Every candidate, in any language, whose sentence equals
the gold sentence of a question with the same id is relevant to that question. Files are read in
sorted language order (the script takes the directory listing's order, which only changes the
candidate order and so how exact score ties fall).

A candidate is encoded as sentence + paragraph with newlines removed, a question as its text;
the scoring (`lareqa_map_at_k`) ranks by dot product.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError, InputError
from trainer.benchmark import QUESTIONS
from trainer.retrieval_metrics import average_precision_at_k, lareqa_rankings

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


@dataclass(frozen=True, slots=True)
class Question:
    """One question: `uid` is `<question id>_<lang>`, `xling_id` the id shared across languages."""

    uid: str
    xling_id: str
    lang: str
    text: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """One answer candidate: a sentence of a paragraph, `uid` `<lang>_<paragraph>_<position>`."""

    uid: str
    lang: str
    sentence: str
    context: str

    @property
    def text(self) -> str:
        """What XTREME-R encodes for a candidate: the sentence followed by its paragraph, newlines removed."""
        return (self.sentence + self.context).replace("\n", "")


@dataclass(slots=True)
class Pool:
    """All questions and candidates of all languages; `relevant[i]` are question i's candidate rows."""

    questions: list[Question] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    relevant: list[frozenset[int]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def _need(obj: Any, key: str, kind: type, path: str, where: str) -> Any:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
        raise InputError(path, where, key, f"missing or not a {kind.__name__}")
    return obj[key]


def _paragraph_sentences(paragraph: Any, path: str, where: str) -> tuple[str, list[tuple[int, int]]]:
    context = _need(paragraph, "context", str, path, where)
    breaks = _need(paragraph, "sentence_breaks", list, path, where)
    if not all(isinstance(b, list) and len(b) == 2 and all(isinstance(x, int) for x in b) for b in breaks):
        raise InputError(path, where, "sentence_breaks", "should be a list of [start, end] offsets")
    return context, [(b[0], b[1]) for b in breaks]


def build_pool(squad_per_lang: Mapping[str, Any], source: str = "LAReQA") -> Pool:
    """The pooled sets from parsed XQuAD-R files (language -> SQuAD JSON with `sentence_breaks`)."""
    pool = Pool()
    positions: dict[str, int] = {}
    by_xling: dict[str, list[int]] = {}
    question_uids: set[str] = set()
    for lang, squad in squad_per_lang.items():
        path = f"{source} {lang}"
        pool.skipped[lang] = 0
        paragraph_number = 0
        for a, article in enumerate(_need(squad, "data", list, path, "top level")):
            for p, paragraph in enumerate(_need(article, "paragraphs", list, path, f"article {a}")):
                paragraph_number += 1
                where = f"article {a} paragraph {p}"
                context, breaks = _paragraph_sentences(paragraph, path, where)
                sentences = [context[start:end] for start, end in breaks]
                for qa in _need(paragraph, "qas", list, path, where):
                    answers = _need(qa, "answers", list, path, where)
                    if len(answers) != 1:
                        raise InputError(
                            path, where, "answers", f"has {len(answers)} answers; LAReQA needs one"
                        )
                    start = _need(answers[0], "answer_start", int, path, where)
                    gold = next((context[s:e] for s, e in breaks if s <= start < e), "")
                    if not gold:
                        pool.skipped[lang] += 1
                        continue
                    xling_id = _need(qa, "id", str, path, where)
                    uid = f"{xling_id}_{lang}"
                    if uid in question_uids:
                        raise InputError(path, where, "id", f"question id {xling_id!r} repeats")
                    question_uids.add(uid)
                    pool.questions.append(
                        Question(uid, xling_id, lang, _need(qa, "question", str, path, where))
                    )
                    for position, sentence in enumerate(sentences):
                        cid = f"{lang}_{paragraph_number}_{position}"
                        if cid not in positions:
                            positions[cid] = len(pool.candidates)
                            pool.candidates.append(Candidate(cid, lang, sentence, context))
                        if sentence == gold:
                            by_xling.setdefault(xling_id, []).append(positions[cid])
    pool.relevant = [frozenset(by_xling[q.xling_id]) for q in pool.questions]
    return pool


def read_pool(directory: Path, langs: Sequence[str] | None = None) -> Pool:
    """The pooled sets of the `<lang>.json` files in an XQuAD-R folder (`langs`: a subset)."""
    directory = Path(directory)
    files = {p.stem: p for p in sorted(directory.glob("*.json"))}
    if not files:
        raise ConfigError(f"{directory} holds no <lang>.json files; point it at XTREME-R's lareqa/xquad-r")
    chosen = sorted(files) if langs is None else [lang for lang in langs if lang in files]
    lacking = [lang for lang in langs or () if lang not in files]
    if lacking:
        raise ConfigError(
            f"{directory}: no {', '.join(f'{x}.json' for x in lacking)}; it has {' '.join(files)}"
        )
    loaded = {}
    for lang in chosen:
        try:
            loaded[lang] = json.loads(files[lang].read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise InputError(str(files[lang]), f"line {err.lineno}", "json", err.msg) from None
    return build_pool(loaded, source=str(directory))


def pool_scores(
    pool: Pool, question_encodings: ArrayLike, candidate_encodings: ArrayLike, k: int = 20
) -> dict[str, dict[str, float]]:
    """Per question language: mAP@k (percent) against the whole pool and the number of questions.

    The count-weighted mean over languages (`trainer.benchmark`) is XTREME-R's single mAP@20.
    """
    import numpy as np

    rankings = lareqa_rankings(question_encodings, candidate_encodings, k=k)
    if len(rankings) != len(pool.questions):
        raise ValueError(f"{len(rankings)} question encodings for {len(pool.questions)} questions")
    by_lang: dict[str, list[float]] = {}
    for question, relevant, ranking in zip(pool.questions, pool.relevant, rankings, strict=True):
        by_lang.setdefault(question.lang, []).append(average_precision_at_k(relevant, ranking, k))
    return {
        lang: {f"map@{k}": float(np.mean(aps)) * 100, QUESTIONS: float(len(aps))}
        for lang, aps in by_lang.items()
    }


_WHITESPACE = frozenset(" \t\r\n\u202f")


def _answer_recoverable(context: str, start: int, text: str) -> bool:
    """`run_retrieval_qa.py`'s check: the answer's whitespace tokens contain the answer text."""
    words: list[str] = []
    word_of: list[int] = []
    gap = True
    for ch in context:
        if ch in _WHITESPACE:
            gap = True
        elif gap:
            words.append(ch)
            gap = False
        else:
            words[-1] += ch
        word_of.append(len(words) - 1)
    if not text or start + len(text) > len(context):
        return False
    found = " ".join(words[word_of[start] : word_of[start + len(text) - 1] + 1])
    return found.find(" ".join(text.split())) != -1


def squad_training_pairs(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """(question, answer sentence + paragraph) pairs of a SQuAD v1.1 file, as XTREME-R trains LAReQA.

    Sentences come from `trainer.sentence_breaks`; a question uses its first answer and is skipped
    when no sentence holds the answer start or the answer text is not in the paragraph's words.
    """
    from trainer.sentence_breaks import sentence_breaks

    source = str(path)
    try:
        squad = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} is missing; point `finetune.train` at SQuAD v1.1 train") from None
    pairs: list[tuple[str, str]] = []
    for a, article in enumerate(_need(squad, "data", list, source, "top level")):
        for p, paragraph in enumerate(_need(article, "paragraphs", list, source, f"article {a}")):
            where = f"article {a} paragraph {p}"
            context = _need(paragraph, "context", str, source, where)
            breaks = sentence_breaks(context)
            for qa in _need(paragraph, "qas", list, source, where):
                answers = _need(qa, "answers", list, source, where)
                if not answers:
                    raise InputError(
                        source, where, "answers", "empty; train on SQuAD v1.1 (every question answered)"
                    )
                start = _need(answers[0], "answer_start", int, source, where)
                sentence = next((context[s:e] for s, e in breaks if s <= start < e), "")
                if sentence and _answer_recoverable(
                    context, start, _need(answers[0], "text", str, source, where)
                ):
                    candidate = Candidate("", "en", sentence, context)
                    pairs.append((_need(qa, "question", str, source, where), candidate.text))
                if limit is not None and len(pairs) >= limit:
                    return pairs
    return pairs
