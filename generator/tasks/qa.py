"""Extractive QA in SQuAD JSON: SQuAD v1.1 / v2.0, XQuAD, MLQA and TyDiQA-GoldP, as released and as
XTREME-R's download leaves them.

One example per question. `meta["article"]` / `meta["paragraph"]` (1-based positions in the source)
let the writer rebuild the same article and paragraph grouping; SQuAD v2 plausible answers of
unanswerable questions stay in `meta["plausible_answers"]` (JSON list, offsets checked like answers).

XTREME-R's download blanks the answers of XQuAD, MLQA test and TyDiQA dev to
`{"answer_start": 0, "text": ""}` (one article per question, no title): a file whose every answer
is blank reads with no answers and is reported as having no gold; a blank answer in a file with
gold is an error. Its TyDiQA train file keeps only the part of each id after the last `-` ("0",
"1", ... 89 distinct ids for 3,696 questions): such ids read as `<file stem>-<question number>`,
the given id kept in `meta["source_id"]` for writing back. TyDiQA's language comes from the id
prefix ("arabic-..."), else from the file name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from itertools import count, groupby
from pathlib import Path
from typing import Any

from generator.errors import InputError
from generator.example import Answer, Example
from generator.tasks.base import (
    RAW,
    XTREME_R,
    FieldError,
    Layout,
    Parsed,
    Parser,
    Record,
    TaskFormat,
    collect,
    extra_fields,
    extra_meta,
    fail,
    lang_in_name,
    load_json,
    need,
)
from generator.tasks.files import write_json
from generator.tasks.gold import answer_gold

PLAUSIBLE = "plausible_answers"
SOURCE_ID = "source_id"
_QA_FIELDS = ("id", "question", "answers", "is_impossible", PLAUSIBLE)
BLANK = {"answer_start": 0, "text": ""}
TYDIQA_LANGUAGES = {
    "arabic": "ar",
    "bengali": "bn",
    "english": "en",
    "finnish": "fi",
    "indonesian": "id",
    "korean": "ko",
    "russian": "ru",
    "swahili": "sw",
    "telugu": "te",
}

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
        if not text:
            raise FieldError(f"{field}[{i}].text", "is empty; an answer is a non-empty span of the context")
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
    blank: bool,
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
    raw = need(qa, "answers", list)
    answers = [] if blank else answers_at(raw, context, "answers")
    impossible = False
    if v2:
        impossible = need(qa, "is_impossible", bool)
        if impossible and answers:
            raise FieldError("answers", "an unanswerable (is_impossible) question should have no answers")
        if PLAUSIBLE in qa:
            plausible = answers_at(qa[PLAUSIBLE], context, PLAUSIBLE)
            meta[PLAUSIBLE] = json.dumps(answer_dicts(plausible), ensure_ascii=False)
    if not answers and not impossible and not blank:
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
    qa: dict[str, Any] = {"id": example.meta.get(SOURCE_ID, example.id), "question": example.question}
    qa["answers"] = answer_dicts(example.answers) if example.answers or v2 else [dict(BLANK)]
    if v2:
        qa["is_impossible"] = example.is_impossible
        if PLAUSIBLE in example.meta:
            qa[PLAUSIBLE] = json.loads(example.meta[PLAUSIBLE])
    qa.update(extra_fields(example))
    return qa


def blanked(data: Any) -> bool:
    """Whether every question of a SQuAD-layout document has only blank answers (XTREME-R's test files)."""
    seen = False
    articles = data.get("data") if isinstance(data, dict) else None
    for article in articles if isinstance(articles, list) else []:
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        for paragraph in paragraphs if isinstance(paragraphs, list) else []:
            questions = paragraph.get("qas") if isinstance(paragraph, dict) else None
            for qa in questions if isinstance(questions, list) else []:
                answers = qa.get("answers") if isinstance(qa, dict) else None
                if not isinstance(answers, list) or not answers:
                    return False
                if any(not isinstance(a, dict) or a.get("text") != "" for a in answers):
                    return False
                seen = True
    return seen


def _blanked_file(path: Path) -> bool:
    try:
        return blanked(load_json(path))
    except InputError:
        return False


def _parse(task: str, v2: bool, lang_pattern: str | None, naming: str, path: Path) -> Iterator[Parsed]:
    lang = lang_in_name(path, lang_pattern, naming) if lang_pattern else "en"
    data = load_json(path)
    build = partial(_question, v2, not v2 and blanked(data))
    return collect(path, squad_records(path, data, task, lang, build))


_TYDIQA_NAMES = (
    r"tydiqa\.goldp\.([a-z]{2})\.(?:train|dev)\.json$",
    r"tydiqa-goldp-dev-([a-z]+)\.json$",
    r"^([a-z]+)_tydiqa_(?:train|dev)\.json$",
)


def _tydiqa_file_lang(path: Path) -> str | None:
    for pattern in _TYDIQA_NAMES:
        match = re.search(pattern, path.name)
        if match:
            code = match.group(1)
            return TYDIQA_LANGUAGES.get(code, code)
    return None


def _tydiqa(path: Path) -> Iterator[Parsed]:
    data = load_json(path)
    blank = blanked(data)
    file_lang = _tydiqa_file_lang(path)
    position = count(1)

    def build(
        task: str,
        _lang: str,
        title: str,
        context: str,
        paragraph: dict[str, Any],
        qa: Any,
        meta: dict[str, str],
    ) -> Example:
        number = next(position)
        qid = need(qa, "id")
        lang = TYDIQA_LANGUAGES.get(qid.split("-", 1)[0]) or file_lang
        if lang is None:
            raise FieldError(
                "id",
                f"{qid!r} does not start with a TyDiQA language (english-, arabic-, ...) and the file "
                "name does not say it; name the file tydiqa.goldp.<lang>.<split>.json",
            )
        example = _question(False, blank, task, lang, title, context, paragraph, qa, meta)
        if qid.isdigit():
            return replace(example, id=f"{path.stem}-{number}", meta=example.meta | {SOURCE_ID: qid})
        return example

    return collect(path, squad_records(path, data, "tydiqa", "", build))


def _emit(v2: bool, version: str, examples: Sequence[Example], path: Path) -> None:
    write_json(path, squad_document(examples, version, partial(_qa_object, v2)))


def _squad_format(
    name: str,
    description: str,
    *,
    v2: bool = False,
    version: str = "1.1",
    lang_pattern: str | None = None,
    naming: str,
    xtreme_r: str,
    blanked_in_xtreme_r: bool = True,
    parse: Parser | None = None,
    xtreme_r_pattern: str | None = None,
) -> TaskFormat:
    reader = parse or partial(_parse, name, v2, lang_pattern, naming)
    emit = partial(_emit, v2, version)
    sniff = _blanked_file if blanked_in_xtreme_r and xtreme_r_pattern is None else None
    layouts = (
        Layout(RAW, naming, reader, emit),
        Layout(XTREME_R, xtreme_r, reader, emit, pattern=xtreme_r_pattern, sniff=sniff),
    )
    return TaskFormat(name, "qa", "squad-json", (), description, (".json",), layouts, answer_gold(name))


FORMATS = (
    _squad_format(
        "squad",
        "SQuAD v1.1: extractive QA, every question answerable",
        naming="train-v1.1.json / dev-v1.1.json (SQuAD JSON)",
        xtreme_r="download/squad/train-v1.1.json, the SQuAD file untouched",
        blanked_in_xtreme_r=False,
    ),
    _squad_format(
        "squad_v2",
        "SQuAD v2.0: extractive QA with unanswerable questions",
        v2=True,
        version="v2.0",
        naming="train-v2.0.json / dev-v2.0.json (SQuAD v2 JSON, is_impossible)",
        xtreme_r="the SQuAD v2 file untouched",
        blanked_in_xtreme_r=False,
    ),
    _squad_format(
        "xquad",
        "XQuAD: SQuAD v1.1 dev in 11 languages (xquad.<lang>.json)",
        lang_pattern=r"xquad\.([a-z]{2,3})\.json$",
        naming="xquad.<lang>.json from deepmind/xquad, with answers",
        xtreme_r="download/xquad/xquad.<lang>.json: answers blanked, one article per question, no title",
    ),
    _squad_format(
        "mlqa",
        "MLQA: SQuAD-style QA, context and question languages in the name (…-context-<lang>-question-<lang>)",
        version="1.0",
        lang_pattern=r"context-([a-z]{2,3})-question",
        naming="MLQA_V1/{dev,test}/{dev,test}-context-<lang>-question-<lang>.json, with answers",
        xtreme_r="download/mlqa/MLQA_V1/test/test-context-<lang>-question-<lang>.json: answers blanked "
        "(dev untouched)",
    ),
    _squad_format(
        "tydiqa",
        "TyDiQA-GoldP: SQuAD-style JSON; the language from the id prefix or the file name",
        naming="tydiqa-goldp-v1.1-train.json, tydiqa-goldp-v1.1-dev/tydiqa-goldp-dev-<language>.json "
        "(or <language>_tydiqa_<split>.json), with answers",
        xtreme_r="download/tydiqa/tydiqa-goldp-v1.1-{train,dev}/tydiqa.goldp.<lang>.<split>.json: "
        "dev answers blanked, train ids cut to the part after the last '-'",
        parse=_tydiqa,
        xtreme_r_pattern=r"tydiqa\.goldp\.[a-z]{2}\.(?:train|dev)\.json$",
    ),
)
