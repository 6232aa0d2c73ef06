"""Extractive QA in SQuAD JSON: SQuAD v1.1 / v2.0, XQuAD, MLQA and TyDiQA-GoldP as XTREME ships them.

One example per question. `meta["article"]` / `meta["paragraph"]` (1-based positions in the source)
let the writer rebuild the same article and paragraph grouping; SQuAD v2 plausible answers of
unanswerable questions stay in `meta["plausible_answers"]` (JSON list, offsets checked like answers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.example import Answer, Example, Kind
from generator.tasks.base import (
    FieldError,
    Parsed,
    Record,
    TaskFormat,
    collect,
    extra_fields,
    extra_meta,
    fail,
    lang_from_name,
    load_json,
    need,
    write_json,
)

PLAUSIBLE = "plausible_answers"
_QA_FIELDS = ("id", "question", "answers", "is_impossible", PLAUSIBLE)

# Builds an example from (task, lang, title, context, paragraph object, question object, meta).
QuestionBuilder = Callable[[str, str, str, str, dict[str, Any], Any, dict[str, str]], Example]
# Adds paragraph-level fields (beyond context and qas) for the examples of one paragraph.
ParagraphFields = Callable[[list[Example]], dict[str, Any]]


def answers_at(raw: Any, context: str, field: str) -> list[Answer]:
    """Answers `[{text, answer_start}]`, each checked to occur in `context` at its offset."""
    if not isinstance(raw, list):
        raise FieldError(field, "should be a list of {text, answer_start} objects")
    answers = []
    for i, item in enumerate(raw):
        text = need(item, "text", prefix=f"{field}[{i}].")
        start = need(item, "answer_start", int, prefix=f"{field}[{i}].")
        found = context[start : start + len(text)]
        if start < 0 or found != text:
            raise FieldError(
                f"{field}[{i}].answer_start",
                f"{start} does not point at {text!r} in the context (found {found!r}); fix the offset",
            )
        answers.append(Answer(text=text, start=start))
    return answers


def answer_dicts(answers: Sequence[Answer]) -> list[dict[str, Any]]:
    return [{"text": answer.text, "answer_start": answer.start} for answer in answers]


def squad_records(
    path: Path, data: Any, task: str, lang: str, build_question: QuestionBuilder
) -> Iterator[Record]:
    """One record per question of a SQuAD-layout document; broken articles or paragraphs fail as records."""
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise InputError(str(path), "top level", "data", "should be a list of articles (SQuAD layout)")
    for a, article in enumerate(articles, 1):
        where = f"article {a}"
        title = article.get("title", "") if isinstance(article, dict) else None
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(title, str) or not isinstance(paragraphs, list):
            yield where, partial(fail, "paragraphs", "article should be an object with a list of paragraphs")
            continue
        for p, paragraph in enumerate(paragraphs, 1):
            here = f"{where} paragraph {p}"
            context = paragraph.get("context") if isinstance(paragraph, dict) else None
            questions = paragraph.get("qas") if isinstance(paragraph, dict) else None
            if not isinstance(context, str) or not isinstance(questions, list):
                yield here, partial(fail, "context", "paragraph should have a string context and a list qas")
                continue
            for q, qa in enumerate(questions, 1):
                meta = {"article": str(a), "paragraph": str(p)}
                build = partial(build_question, task, lang, title, context, paragraph, qa, meta)
                yield f"{here} question {q}", build


def squad_document(
    examples: Sequence[Example],
    version: str,
    question: Callable[[Example], dict[str, Any]],
    paragraph_fields: ParagraphFields | None = None,
) -> dict[str, Any]:
    """A SQuAD-layout document; consecutive examples of one article / paragraph are grouped again."""
    articles = []
    for (_, title), in_article in groupby(examples, key=lambda ex: (ex.meta.get("article"), ex.title)):
        paragraphs = []
        for (_, context), in_paragraph in groupby(
            in_article, key=lambda ex: (ex.meta.get("paragraph"), ex.context)
        ):
            group = list(in_paragraph)
            paragraph: dict[str, Any] = {"context": context}
            if paragraph_fields is not None:
                paragraph.update(paragraph_fields(group))
            paragraph["qas"] = [question(example) for example in group]
            paragraphs.append(paragraph)
        articles.append({"title": title, "paragraphs": paragraphs})
    return {"version": version, "data": articles}


def _question(
    v2: bool,
    task: str,
    lang: str,
    title: str,
    context: str,
    paragraph: dict[str, Any],
    qa: Any,
    meta: dict[str, str],
) -> Example:
    qid = need(qa, "id")
    question = need(qa, "question")
    answers = answers_at(need(qa, "answers", list), context, "answers")
    impossible = False
    if v2:
        impossible = need(qa, "is_impossible", bool)
        if impossible and answers:
            raise FieldError("answers", "an unanswerable (is_impossible) question should have no answers")
        if PLAUSIBLE in qa:
            plausible = answers_at(qa[PLAUSIBLE], context, PLAUSIBLE)
            meta[PLAUSIBLE] = json.dumps(answer_dicts(plausible), ensure_ascii=False)
    if not answers and not impossible:
        raise FieldError("answers", "is empty; an answerable question needs at least one answer")
    meta.update(extra_meta(qa, _QA_FIELDS))
    return Example(
        id=qid,
        task=task,
        kind="qa",
        lang=lang,
        title=title,
        context=context,
        question=question,
        answers=answers,
        is_impossible=impossible,
        meta=meta,
    )


def _qa_object(v2: bool, example: Example) -> dict[str, Any]:
    qa: dict[str, Any] = {"id": example.id, "question": example.question}
    qa["answers"] = answer_dicts(example.answers)
    if v2:
        qa["is_impossible"] = example.is_impossible
        if PLAUSIBLE in example.meta:
            qa[PLAUSIBLE] = json.loads(example.meta[PLAUSIBLE])
    qa.update(extra_fields(example))
    return qa


def _parse(task: str, v2: bool, lang_pattern: str | None, path: Path) -> Iterator[Parsed]:
    lang = lang_from_name(path, lang_pattern)
    build = partial(_question, v2)
    return collect(path, squad_records(path, load_json(path), task, lang, build))


def _emit(v2: bool, version: str, examples: Sequence[Example], path: Path) -> None:
    write_json(path, squad_document(examples, version, partial(_qa_object, v2)))


def _squad_format(
    name: str, description: str, *, v2: bool = False, version: str = "1.1", lang_pattern: str | None = None
) -> TaskFormat:
    kind: Kind = "qa"
    return TaskFormat(
        name=name,
        kind=kind,
        family="squad-json",
        labels=(),
        description=description,
        extensions=(".json",),
        parse=partial(_parse, name, v2, lang_pattern),
        emit=partial(_emit, v2, version),
    )


FORMATS = (
    _squad_format("squad", "SQuAD v1.1: extractive QA, every question answerable"),
    _squad_format(
        "squad_v2", "SQuAD v2.0: extractive QA with unanswerable questions", v2=True, version="v2.0"
    ),
    _squad_format(
        "xquad",
        "XQuAD: SQuAD v1.1 dev in 11 languages (xquad.<lang>.json)",
        lang_pattern=r"xquad\.(\w+)\.json$",
    ),
    _squad_format(
        "mlqa",
        "MLQA: SQuAD-style QA, context and question languages in the name (…-context-<lang>-question-<lang>)",
        version="1.0",
        lang_pattern=r"context-(\w+)-question",
    ),
    _squad_format(
        "tydiqa",
        "TyDiQA-GoldP as XTREME ships it: SQuAD-style JSON (tydiqa.goldp.<lang>.<split>.json)",
        lang_pattern=r"tydiqa\.(?:goldp\.)?([a-z]{2})\.",
    ),
)
