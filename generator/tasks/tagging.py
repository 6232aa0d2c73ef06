"""Token tagging with both XTREME-R layouts: UD part of speech and WikiANN (PAN-X) NER.

UD-POS raw layout: CoNLL-U treebank files `<lang>_<treebank>-ud-<split>.conllu`; FORM reads as
tokens and UPOS as tags; the whole sentence block (comments, multiword-token ranges, empty nodes,
other columns) stays in `meta["conllu"]` and the writer puts the (possibly changed) FORM and UPOS
back into it. PAN-X raw layout: the AmazonPhotos release's `<lang>-<split>` files of
`lang:token<TAB>BIO tag` lines. XTREME-R layout for both: `token_lines` (`<split>-<lang>.tsv`,
no prefix, tokens only in test). Record ids are `<file stem>-<first line>`; CCG lives in `ccg`.
"""

from __future__ import annotations

import re
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
    TaskFormat,
    cell,
    collect,
    lang_in_name,
    line_id,
)
from generator.tasks.files import write_lines
from generator.tasks.gold import tag_gold
from generator.tasks.token_lines import (
    NER,
    UPOS,
    XTREME_R_NAME,
    XTREME_R_NAMING,
    Block,
    check_tags,
    first_sentence,
    first_token_line,
    sentence_records,
    token_lines,
    write_token_lines,
)

CONLLU_COLUMNS = ("ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC")
CONLLU = "conllu"
CONLLU_NAME = r"^([a-z]{2,3})[_-]"
PANX_PREFIX = r"^([a-z]{2,3}(?:-[a-z]+)*):"


def _conllu(path: Path) -> Iterator[Parsed]:
    lang = lang_in_name(path, CONLLU_NAME, "<lang>_<treebank>-ud-<split>.conllu (en_ewt-ud-test.conllu)")

    def build(first: int, block: Block) -> Example:
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

    return collect(path, sentence_records(path, build))


def _conllu_block(example: Example, path: Path) -> list[str]:
    check_tags(example, path)
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
    def build(first: int, block: Block) -> Example:
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

    return collect(path, sentence_records(path, build))


def _write_wikiann(examples: Sequence[Example], path: Path) -> None:
    def sentence(ex: Example) -> list[str]:
        check_tags(ex, path)
        return [
            f"{ex.lang}:{cell(ex, 'tokens', t, path)}\t{tag}"
            for t, tag in zip(ex.tokens, ex.tags, strict=True)
        ]

    write_lines(path, (line for ex in examples for line in [*sentence(ex), ""]))


def _conllu_sniff(path: Path) -> bool:
    return len(first_token_line(path).split("\t")) == len(CONLLU_COLUMNS)


def _token_sniff(path: Path) -> bool:
    line = first_token_line(path)
    return 0 < len(line.split("\t")) <= 2


def _prefixed(path: Path) -> bool:
    """PAN-X's own files: every token of the first sentence carries one `lang:` prefix."""
    prefixes = set()
    for line in first_sentence(path):
        match = re.match(PANX_PREFIX, line)
        prefixes.add(match.group(1) if match and "\t" in line else None)
    return len(prefixes) == 1 and None not in prefixes


def _tsv_layout(task: str, tagset: Sequence[str], what: str) -> Layout:
    return Layout(
        XTREME_R,
        f"{XTREME_R_NAMING}: {what}",
        partial(token_lines, task, tagset),
        write_token_lines,
        XTREME_R_NAME,
        _token_sniff if task == "udpos" else lambda path: _token_sniff(path) and not _prefixed(path),
    )


FORMATS = (
    TaskFormat(
        name="udpos",
        kind="tagging",
        family="conllu|tsv",
        labels=UPOS,
        description="Universal Dependencies part of speech: CoNLL-U (UPOS column) or XTREME-R's token<TAB>UPOS",
        extensions=(".conllu", ".tsv"),
        layouts=(
            Layout(
                RAW,
                "<lang>_<treebank>-ud-<split>.conllu (CoNLL-U)",
                _conllu,
                _write_conllu,
                r"\.conllu?$",
                _conllu_sniff,
            ),
            _tsv_layout(
                "udpos", UPOS, "token<TAB>UPOS lines, every treebank of the language merged, test tokens only"
            ),
        ),
        gold=tag_gold("udpos"),
    ),
    TaskFormat(
        name="wikiann",
        kind="tagging",
        family="bio-tsv",
        labels=NER,
        description="WikiANN NER (PAN-X): lang:token<TAB>BIO tag, or XTREME-R's token<TAB>tag (no prefix)",
        extensions=(".tsv", ".txt", ""),
        layouts=(
            _tsv_layout("wikiann", NER, "token<TAB>BIO tag lines without the lang: prefix, test tokens only"),
            Layout(
                RAW,
                "AmazonPhotos panx_dataset <lang>-<split>: lang:token<TAB>BIO tag lines",
                _wikiann,
                _write_wikiann,
                r"^[a-z]{2,3}(?:-[a-z]+)*-(?:train|dev|test)$",
                _prefixed,
            ),
        ),
        gold=tag_gold("wikiann"),
    ),
)
