"""Token tagging: CCG supertags, UD part-of-speech (CoNLL-U) and WikiANN NER (XTREME's panx BIO files).

CCG files hold one sentence per line of space-separated `word|supertag` tokens (the piped layout
of CCGbank-derived supertagger data; the tag is after the last `|`, categories never hold one).
CoNLL-U sentences read FORM as tokens and UPOS as tags; the whole sentence block (comments,
multiword-token ranges, empty nodes, other columns) stays in `meta["conllu"]` and the writer puts
the (possibly changed) FORM and UPOS back into it. Record ids are `<file stem>-<first line>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from generator.errors import InputError
from generator.example import Example
from generator.tasks.base import (
    FieldError,
    Parsed,
    Record,
    TaskFormat,
    cell,
    collect,
    lang_from_name,
    line_id,
    per_line,
    read_lines,
    write_lines,
)

UPOS = (
    "ADJ",
    "ADP",
    "ADV",
    "AUX",
    "CCONJ",
    "DET",
    "INTJ",
    "NOUN",
    "NUM",
    "PART",
    "PRON",
    "PROPN",
    "PUNCT",
    "SCONJ",
    "SYM",
    "VERB",
    "X",
)
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
CONLLU_COLUMNS = ("ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC")
CONLLU = "conllu"


def blocks(path: Path) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """Blank-line separated blocks of numbered lines, with the number of each block's first line."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(read_lines(path), 1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block[0][0], block
            block = []
    if block:
        yield block[0][0], block


def _sentence_records(path: Path, build: Callable[[int, list[tuple[int, str]]], Example]) -> Iterator[Record]:
    for first, block in blocks(path):
        yield f"sentence at line {first}", partial(build, first, block)


def _check_tags(example: Example, path: Path) -> None:
    if len(example.tokens) != len(example.tags):
        raise InputError(
            str(path),
            f"example {example.id}",
            "tags",
            f"has {len(example.tags)} tags for {len(example.tokens)} tokens; give one tag per token",
        )


def _ccg(path: Path) -> Iterator[Parsed]:
    def build(number: int, line: str) -> Example:
        tokens, tags = [], []
        for i, item in enumerate(line.split(), 1):
            word, bar, tag = item.rpartition("|")
            if not bar or not word or not tag:
                raise FieldError("tokens", f"token {i} {item!r} should be word|supertag")
            tokens.append(word)
            tags.append(tag)
        return Example(id=line_id(path, number), task="ccg", kind="tagging", tokens=tokens, tags=tags)

    return per_line(path, build)


def _write_ccg(examples: Sequence[Example], path: Path) -> None:
    def line(ex: Example) -> str:
        _check_tags(ex, path)
        for token in ex.tokens:
            if not token or any(c.isspace() for c in token):
                raise InputError(
                    str(path), f"example {ex.id}", "tokens", f"{token!r} is empty or holds a space"
                )
        return " ".join(f"{token}|{tag}" for token, tag in zip(ex.tokens, ex.tags, strict=True))

    write_lines(path, (line(ex) for ex in examples))


def _conllu(path: Path) -> Iterator[Parsed]:
    lang = lang_from_name(path, r"^([a-z]{2,3})_")

    def build(first: int, block: list[tuple[int, str]]) -> Example:
        tokens: list[str] = []
        tags: list[str] = []
        for number, line in block:
            if line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != len(CONLLU_COLUMNS):
                raise FieldError(
                    "columns",
                    f"has {len(cells)} tab-separated columns, CoNLL-U needs 10",
                    where=f"line {number}",
                )
            word_id = cells[0]
            if "-" in word_id or "." in word_id:
                continue  # multiword-token range or empty node: kept in the block only
            if not word_id.isdigit() or int(word_id) != len(tokens) + 1:
                raise FieldError(
                    "ID", f"{word_id!r} should be word number {len(tokens) + 1}", where=f"line {number}"
                )
            if cells[3] not in UPOS:
                raise FieldError("UPOS", f"{cells[3]!r} is not a UPOS tag", where=f"line {number}")
            tokens.append(cells[1])
            tags.append(cells[3])
        if not tokens:
            raise FieldError("ID", "sentence has no word lines")
        meta = {CONLLU: "\n".join(line for _, line in block)}
        return Example(
            id=line_id(path, first),
            task="udpos",
            kind="tagging",
            lang=lang,
            tokens=tokens,
            tags=tags,
            meta=meta,
        )

    return collect(path, _sentence_records(path, build))


def _conllu_block(example: Example, path: Path) -> list[str]:
    _check_tags(example, path)
    words = iter(zip(example.tokens, example.tags, strict=True))
    if CONLLU not in example.meta:
        return [
            f"{i}\t{cell(example, 'tokens', t, path)}\t_\t{u}\t_\t_\t_\t_\t_\t_"
            for i, (t, u) in enumerate(words, 1)
        ]
    lines = example.meta[CONLLU].split("\n")
    word_lines = [
        i for i, line in enumerate(lines) if not line.startswith("#") and line.split("\t")[0].isdigit()
    ]
    if len(word_lines) != len(example.tokens):
        raise InputError(
            str(path),
            f"example {example.id}",
            "tokens",
            f"has {len(example.tokens)} tokens but meta['conllu'] has {len(word_lines)} words; "
            "drop meta['conllu'] to write a fresh sentence",
        )
    for i, (token, tag) in zip(word_lines, words, strict=True):
        cells = lines[i].split("\t")
        cells[1], cells[3] = cell(example, "tokens", token, path), tag
        lines[i] = "\t".join(cells)
    return lines


def _write_conllu(examples: Sequence[Example], path: Path) -> None:
    write_lines(path, (line for ex in examples for line in [*_conllu_block(ex, path), ""]))


def _wikiann(path: Path) -> Iterator[Parsed]:
    def build(first: int, block: list[tuple[int, str]]) -> Example:
        langs, tokens, tags = set(), [], []
        for number, line in block:
            cells = line.split("\t")
            if len(cells) != 2:
                raise FieldError(
                    "columns",
                    f"has {len(cells)} tab-separated columns, expected lang:token and tag",
                    where=f"line {number}",
                )
            lang, colon, token = cells[0].partition(":")
            if not colon or not token:
                raise FieldError("token", f"{cells[0]!r} should be lang:token", where=f"line {number}")
            if cells[1] not in NER:
                raise FieldError("tag", f"{cells[1]!r} is not one of {' '.join(NER)}", where=f"line {number}")
            langs.add(lang)
            tokens.append(token)
            tags.append(cells[1])
        if len(langs) != 1:
            raise FieldError("token", f"sentence mixes language prefixes {' '.join(sorted(langs))}")
        return Example(
            id=line_id(path, first),
            task="wikiann",
            kind="tagging",
            lang=langs.pop(),
            tokens=tokens,
            tags=tags,
        )

    return collect(path, _sentence_records(path, build))


def _write_wikiann(examples: Sequence[Example], path: Path) -> None:
    def sentence(ex: Example) -> list[str]:
        _check_tags(ex, path)
        return [
            f"{ex.lang}:{cell(ex, 'tokens', t, path)}\t{tag}"
            for t, tag in zip(ex.tokens, ex.tags, strict=True)
        ]

    write_lines(path, (line for ex in examples for line in [*sentence(ex), ""]))


FORMATS = (
    TaskFormat(
        name="ccg",
        kind="tagging",
        family="word|tag lines",
        labels=(),
        description="CCG supertagging: one sentence per line of word|supertag tokens (open tag set)",
        extensions=(".txt", ".stagged"),
        parse=_ccg,
        emit=_write_ccg,
    ),
    TaskFormat(
        name="udpos",
        kind="tagging",
        family="conllu",
        labels=UPOS,
        description="Universal Dependencies part of speech: CoNLL-U, UPOS column",
        extensions=(".conllu",),
        parse=_conllu,
        emit=_write_conllu,
    ),
    TaskFormat(
        name="wikiann",
        kind="tagging",
        family="bio-tsv",
        labels=NER,
        description="WikiANN NER as XTREME's panx: lang:token<TAB>BIO tag, blank line between sentences",
        extensions=(".tsv", ".txt"),
        parse=_wikiann,
        emit=_write_wikiann,
    ),
)
