"""Sentence retrieval: Tatoeba and BUCC (LAReQA: `lareqa`, Mewsli-X: `mewslix`).

`text_a` is the source sentence, `text_b` its English gold partner. A sentence without a gold
partner keeps the other side empty: the candidate pool is part of the task. BUCC keeps every
sentence of its two `id<TAB>sentence` files, paired as the `.gold` file says.

Tatoeba raw layout (LASER `data/tatoeba/v1`): line-aligned `tatoeba.<xxx>-eng.<xxx>` and `.eng`.
XTREME-R layout (`utils_preprocess.py` tatoeba): `<xx>-en.<xx>` and `<xx>-en.en` with the English
side sorted, so the lines no longer align and the files hold no gold: each line reads as a sentence
without a partner (source ids `<file stem>-<line>`, English `<xx>-en.en-<line>`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    RAW,
    XTREME_R,
    FieldError,
    Layout,
    Parsed,
    Record,
    TaskFormat,
    cell,
    collect,
    line_id,
)
from generator.tasks.files import numbered, read_lines, write_lines
from generator.tasks.gold import partner_gold

# Tatoeba file codes (ISO 639-3, Chinese as cmn, Persian as pes) -> XTREME-R codes.
_TATOEBA_CODES = (
    "afr:af ara:ar aze:az ben:bn bul:bg cmn:zh deu:de ell:el est:et eus:eu fin:fi fra:fr heb:he hin:hi "
    "hun:hu ind:id ita:it jav:jv jpn:ja kat:ka kaz:kk kor:ko lit:lt mal:ml mar:mr nld:nl pes:fa pol:pl "
    "por:pt ron:ro rus:ru spa:es swh:sw tam:ta tel:te tgl:tl tha:th tur:tr ukr:uk urd:ur vie:vi"
)
TATOEBA_LANGS = {code: lang for code, _, lang in (item.partition(":") for item in _TATOEBA_CODES.split())}
TATOEBA_RAW = r"^tatoeba\.[a-z]{3}-eng\.[a-z]{3}$"
TATOEBA_XTREME_R = r"^[a-z]{2,3}-en\.[a-z]{2,3}$"


def _english_side(path: Path, suffix: str) -> Path:
    if path.suffix in (suffix, ".gold"):
        raise InputError(
            str(path), "file", "path", f"give the non-English file; its {suffix} side is found beside it"
        )
    return path.with_suffix(suffix)


def _both_sides(path: Path, suffix: str) -> tuple[list[str], list[str], Path]:
    english = _english_side(path, suffix)
    if not english.is_file():
        raise InputError(str(english), "file", "path", f"missing: the English side of {path.name}")
    return read_lines(path), read_lines(english), english


def _sentence(task: str, lang: str, sid: str, text_a: str, text_b: str) -> Example:
    return Example(id=sid, task=task, kind="retrieval", lang=lang, text_a=text_a, text_b=text_b)


def _tatoeba(path: Path) -> Iterator[Parsed]:
    source, target, english = _both_sides(path, ".eng")
    if len(source) != len(target):
        raise InputError(
            str(english), "file", "lines", f"has {len(target)} lines, {path.name} has {len(source)}"
        )
    lang = TATOEBA_LANGS.get(path.suffix[1:], path.suffix[1:])
    steps = (
        (f"line {n}", partial(_sentence, "tatoeba", lang, line_id(path, n), a, b))
        for n, (a, b) in enumerate(zip(source, target, strict=True), 1)
    )
    return collect(path, steps)


def _write_tatoeba(examples: Sequence[Example], path: Path) -> None:
    english = _english_side(path, ".eng")
    write_lines(path, (cell(ex, "text_a", ex.text_a, path) for ex in examples))
    write_lines(english, (cell(ex, "text_b", ex.text_b, english) for ex in examples))


def _tatoeba_sorted(path: Path) -> Iterator[Parsed]:
    source, target, english = _both_sides(path, ".en")
    lang = path.suffix[1:]
    steps: list[Record] = [
        (f"line {n}", partial(_sentence, "tatoeba", lang, line_id(path, n), text, ""))
        for n, text in enumerate(source, 1)
    ]
    steps += [
        (f"{english.name} line {n}", partial(_sentence, "tatoeba", lang, f"{english.name}-{n}", "", text))
        for n, text in enumerate(target, 1)
    ]
    return collect(path, steps)


def _write_tatoeba_sorted(examples: Sequence[Example], path: Path) -> None:
    english = _english_side(path, ".en")
    write_lines(path, (cell(ex, "text_a", ex.text_a, path) for ex in examples if ex.text_a))
    write_lines(english, sorted(cell(ex, "text_b", ex.text_b, english) for ex in examples if ex.text_b))


def _bucc_sentences(path: Path, found: dict[str, str]) -> Iterator[InputError]:
    """Read `id<TAB>sentence` lines into `found`, yielding an error per bad line."""
    for number, line in numbered(path):
        sid, tab, text = line.partition("\t")
        problem = ("columns", "should be id<TAB>sentence") if not tab or not sid else None
        if problem is None and sid in found:
            problem = ("id", f"{sid!r} repeats an earlier sentence id")
        if problem:
            yield InputError(str(path), f"line {number}", *problem)
        else:
            found[sid] = text


def _bucc(path: Path) -> Iterator[Parsed]:
    english, gold = _english_side(path, ".en"), path.with_suffix(".gold")
    if not english.is_file():
        raise InputError(str(english), "file", "path", f"missing: the English side of {path.name}")
    lang = path.suffix[1:]
    source: dict[str, str] = {}
    target: dict[str, str] = {}
    yield from _bucc_sentences(path, source)
    yield from _bucc_sentences(english, target)
    paired: set[str] = set()

    def pair(line: str) -> Example:
        src, tab, tgt = line.partition("\t")
        if not tab:
            raise FieldError("columns", "should be source-id<TAB>english-id", path=gold)
        for sid, side, name in ((src, source, path.name), (tgt, target, english.name)):
            if sid not in side:
                raise FieldError("id", f"{sid!r} is not a sentence id of {name}", path=gold)
        paired.update((src, tgt))
        meta = {"source_id": src, "target_id": tgt}
        return Example(
            id=f"{src}:{tgt}",
            task="bucc",
            kind="retrieval",
            lang=lang,
            text_a=source[src],
            text_b=target[tgt],
            meta=meta,
        )

    def single(sid: str, text: str, is_source: bool) -> Example:
        key, a, b = ("source_id", text, "") if is_source else ("target_id", "", text)
        return Example(id=sid, task="bucc", kind="retrieval", lang=lang, text_a=a, text_b=b, meta={key: sid})

    def records() -> Iterator[Record]:
        if gold.is_file():
            for number, line in numbered(gold):
                yield f"{gold.name} line {number}", partial(pair, line)
        for side, is_source in ((source, True), (target, False)):
            for sid in side:
                if sid not in paired:
                    yield f"sentence {sid}", partial(single, sid, side[sid], is_source)

    yield from collect(path, records())


def _write_bucc(examples: Sequence[Example], path: Path) -> None:
    english = _english_side(path, ".en")
    for ex in examples:
        if not {"source_id", "target_id"} & ex.meta.keys():
            raise InputError(str(path), f"example {ex.id}", "meta", "needs source_id and/or target_id")
    sides = [(ex.meta.get("source_id"), ex.meta.get("target_id"), ex) for ex in examples]
    write_lines(path, (f"{s}\t{cell(ex, 'text_a', ex.text_a, path)}" for s, _, ex in sides if s))
    write_lines(english, (f"{t}\t{cell(ex, 'text_b', ex.text_b, english)}" for _, t, ex in sides if t))
    write_lines(path.with_suffix(".gold"), (f"{s}\t{t}" for s, t, _ in sides if s and t))


FORMATS = (
    TaskFormat(
        name="tatoeba",
        kind="retrieval",
        family="line-aligned",
        labels=(),
        description="Tatoeba: line-aligned tatoeba.<xxx>-eng.<xxx> and .eng files (read the <xxx> file)",
        extensions=(),
        layouts=(
            Layout(
                RAW,
                "LASER tatoeba.<xxx>-eng.<xxx> + .eng, line-aligned",
                _tatoeba,
                _write_tatoeba,
                TATOEBA_RAW,
            ),
            Layout(
                XTREME_R,
                "download/tatoeba/<xx>-en.<xx> + <xx>-en.en, English side sorted (no gold)",
                _tatoeba_sorted,
                _write_tatoeba_sorted,
                TATOEBA_XTREME_R,
            ),
        ),
        gold=partner_gold("tatoeba"),
    ),
    TaskFormat(
        name="bucc",
        kind="retrieval",
        family="id-tsv+gold",
        labels=(),
        description="BUCC 2018: <xx>-en.<split>.<xx> and .en id<TAB>sentence files, .gold pairs (read <xx>)",
        extensions=(),
        layouts=(
            Layout(RAW, "bucc2018 <xx>-en.{sample,training}.{<xx>,en,gold}", _bucc, _write_bucc),
            Layout(
                XTREME_R,
                "download/bucc2018/<xx>-en.{dev,test}.{<xx>,en} (+ .gold for dev only)",
                _bucc,
                _write_bucc,
                r"^[a-z]{2}-en\.(?:dev|test)\.[a-z]{2}$",
            ),
        ),
        gold=partner_gold("bucc"),
    ),
)
