"""XNLI and PAWS-X: as XTREME-R's download leaves them and as originally released.

XTREME-R layout (`utils_preprocess.py` xnli / pawsx): headerless `<split>-<lang>.tsv` written by
`csv.writer(delimiter="\\t")`, so fields holding a quote are quoted (quotes doubled) and lines end in
CRLF; train / dev rows are text_a, text_b, label, test rows text_a, text_b only (labels removed).
Raw layout: XNLI-1.0 `xnli.{dev,test}.tsv` (19 columns with a header, every language in one file,
`language` per row), XNLI-MT-1.0 `multinli.train.<lang>.tsv` (premise, hypo, label) and PAWS-X
`x-final/<lang>/{train,dev_2k,test_2k}.tsv` (id, sentence1, sentence2, label), all split on tabs
with no quoting, as XTREME's preprocessing reads them. Record ids: XTREME-R `<file stem>-<line>`,
XNLI-1.0 `<language>-<pairID>`, XNLI-MT `<file stem>-<line>`, PAWS-X its `id`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path

from generator.errors import InputError
from generator.example import Example
from generator.languages import LANGUAGES
from generator.tasks.base import (
    RAW,
    XTREME_R,
    FieldError,
    Layout,
    Parsed,
    Sniff,
    TaskFormat,
    collect,
    extra_fields,
    extra_meta,
    label_index,
    lang_in_name,
    line_id,
)
from generator.tasks.files import first_line, numbered, quoted_tsv, write_lines
from generator.tasks.gold import label_gold

NLI = ("entailment", "neutral", "contradiction")
PAWS = ("not_paraphrase", "paraphrase")
XNLI_COLUMNS = (
    "language",
    "gold_label",
    "sentence1_binary_parse",
    "sentence2_binary_parse",
    "sentence1_parse",
    "sentence2_parse",
    "sentence1",
    "sentence2",
    "promptID",
    "pairID",
    "genre",
    "label1",
    "label2",
    "label3",
    "label4",
    "label5",
    "sentence1_tokenized",
    "sentence2_tokenized",
    "match",
)
XNLI_MT_COLUMNS = ("premise", "hypo", "label")
PAWSX_COLUMNS = ("id", "sentence1", "sentence2", "label")
XTREME_R_NAME = r"^(?:train|dev|test)-([a-z]{2,3})\.tsv$"
XTREME_R_NAMING = "<split>-<lang>.tsv (train-en.tsv, dev-de.tsv, test-de.tsv)"


def _codes(labels: Sequence[str], aliases: Mapping[str, int]) -> dict[str, int]:
    return {code: i for i, code in enumerate(labels)} | dict(aliases)


def _xtreme_r(task: str, codes: Mapping[str, int], path: Path) -> Iterator[Parsed]:
    """Headerless quoted TSV; the first record's column count (3, or 2 without labels) holds for all."""
    lang = lang_in_name(path, r"-([a-z]{2,3})\.tsv$", XTREME_R_NAMING)
    width: list[int] = []

    def build(number: int, row: list[str]) -> Example:
        if not width:
            width.append(len(row))
        if len(row) not in (2, 3) or len(row) != width[0]:
            wanted = f"{width[0]} like the first record" if len(row) in (2, 3) else "3 (or 2 without labels)"
            raise FieldError("columns", f"has {len(row)} tab-separated columns, expected {wanted}")
        label = label_index(row[2].strip(), codes, "label") if len(row) == 3 else -1
        return Example(
            id=line_id(path, number),
            task=task,
            kind="pair",
            lang=lang,
            text_a=row[0],
            text_b=row[1],
            label=label,
        )

    return collect(path, ((f"line {n}", partial(build, n, row)) for n, row in quoted_tsv(path)))


def _write_xtreme_r(labels: Sequence[str], examples: Sequence[Example], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        for ex in examples:
            writer.writerow([ex.text_a, ex.text_b] + ([labels[ex.label]] if ex.label >= 0 else []))


def _headed(path: Path, header: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a tab-split file with a header line, as dicts; a row of the wrong width is a FieldError."""
    lines = numbered(path)
    next(lines, None)
    for number, line in lines:
        cells = line.split("\t")
        if len(cells) != len(header):
            yield number, {"": f"has {len(cells)} tab-separated columns, the header has {len(header)}"}
        else:
            yield number, dict(zip(header, cells, strict=True))


def _row_example(
    task: str, codes: Mapping[str, int], keys: tuple[str, ...], lang: str, row_id: str, row: dict[str, str]
) -> Example:
    """An example of a header-named row; `keys` are text_a, text_b, label and the language column or ''."""
    if "" in row:
        raise FieldError("columns", row[""])
    text_a, text_b, label, language = keys[:4]
    return Example(
        id=row_id,
        task=task,
        kind="pair",
        lang=row[language] if language else lang,
        text_a=row[text_a],
        text_b=row[text_b],
        label=label_index(row[label].strip(), codes, label),
        meta=extra_meta(row, keys),
    )


def _raw_xnli(path: Path) -> Iterator[Parsed]:
    codes = _codes(NLI, {"contradictory": 2})
    header = first_line(path).split("\t")
    if tuple(header) == XNLI_COLUMNS:
        keys = ("sentence1", "sentence2", "gold_label", "language")

        def row_id(number: int, row: dict[str, str]) -> str:
            return f"{row.get('language')}-{row.get('pairID')}"

        lang = ""
    else:
        keys = ("premise", "hypo", "label", "")
        lang = lang_in_name(path, r"\.([a-z]{2,3})\.tsv$", "multinli.<split>.<lang>.tsv")

        def row_id(number: int, row: dict[str, str]) -> str:
            return line_id(path, number)

    rows = _headed(path, header)
    records = (
        (f"line {n}", partial(_row_example, "xnli", codes, keys, lang, row_id(n, row), row))
        for n, row in rows
    )
    return collect(path, records)


def _gold(ex: Example, path: Path) -> int:
    if ex.label < 0:
        raise InputError(
            str(path),
            f"example {ex.id}",
            "label",
            "has no gold label, which the raw layout always holds; "
            "write it in the xtreme-r layout (<split>-<lang>.tsv)",
        )
    return ex.label


def _write_raw_xnli(examples: Sequence[Example], path: Path) -> None:
    """XNLI-MT's `multinli.<split>.<lang>.tsv` (premise hypo label), else XNLI-1.0's 19 columns."""
    if path.name.startswith("multinli."):
        rows = (
            "\t".join(_plain(v, path, ex) for v in (ex.text_a, ex.text_b, NLI[_gold(ex, path)]))
            for ex in examples
        )
        write_lines(path, ["\t".join(XNLI_MT_COLUMNS), *rows])
        return

    def line(ex: Example) -> str:
        row = {name: "" for name in XNLI_COLUMNS} | extra_fields(ex)
        row |= {
            "language": ex.lang,
            "gold_label": NLI[_gold(ex, path)],
            "sentence1": ex.text_a,
            "sentence2": ex.text_b,
        }
        row.setdefault("pairID", ex.id.removeprefix(f"{ex.lang}-"))
        return "\t".join(_plain(row[name], path, ex) for name in XNLI_COLUMNS)

    write_lines(path, ["\t".join(XNLI_COLUMNS), *(line(ex) for ex in examples)])


def _plain(value: object, path: Path, ex: Example) -> str:
    text = str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        raise InputError(
            str(path), f"example {ex.id}", "text", "holds a tab or line break, which a raw TSV cannot store"
        )
    return text


def _pawsx_lang(path: Path) -> str:
    """x-final/<lang>/dev_2k.tsv: the folder's language; PAWS-Wiki's English final/ folder: en."""
    return path.parent.name if path.parent.name in LANGUAGES else "en"


def _raw_pawsx(path: Path) -> Iterator[Parsed]:
    codes = _codes(("0", "1"), {})
    keys = ("sentence1", "sentence2", "label", "", "id")
    lang = _pawsx_lang(path)
    records = (
        (f"line {n}", partial(_row_example, "pawsx", codes, keys, lang, row.get("id", ""), row))
        for n, row in _headed(path, PAWSX_COLUMNS)
    )
    return collect(path, records)


def _write_raw_pawsx(examples: Sequence[Example], path: Path) -> None:
    rows = (
        "\t".join(_plain(v, path, ex) for v in (ex.id, ex.text_a, ex.text_b, _gold(ex, path)))
        for ex in examples
    )
    write_lines(path, ["\t".join(PAWSX_COLUMNS), *rows])


def _headed_as(*headers: Sequence[str]) -> Sniff:
    def sniff(path: Path) -> bool:
        return tuple(first_line(path).split("\t")) in [tuple(h) for h in headers]

    return sniff


def _headerless(*headers: Sequence[str]) -> Sniff:
    known = [tuple(h) for h in headers]

    def sniff(path: Path) -> bool:
        return tuple(first_line(path).split("\t")) not in known

    return sniff


def _format(
    name: str,
    labels: tuple[str, ...],
    codes: tuple[str, ...],
    aliases: Mapping[str, int],
    description: str,
    raw: Layout,
) -> TaskFormat:
    headers = [XNLI_COLUMNS, XNLI_MT_COLUMNS] if name == "xnli" else [PAWSX_COLUMNS]
    xtreme_r = Layout(
        XTREME_R,
        f"{XTREME_R_NAMING}: quoted TSV text_a, text_b[, label], no header",
        partial(_xtreme_r, name, _codes(codes, aliases)),
        partial(_write_xtreme_r, codes),
        pattern=XTREME_R_NAME,
        sniff=_headerless(*headers),
    )
    return TaskFormat(name, "pair", "tsv", labels, description, (".tsv",), (xtreme_r, raw), label_gold(name))


FORMATS = (
    _format(
        "xnli",
        NLI,
        NLI,
        {"contradictory": 2},
        "XNLI: premise, hypothesis, label TSV (XTREME-R <split>-<lang>.tsv, or XNLI-1.0 xnli.<split>.tsv)",
        Layout(
            RAW,
            "XNLI-1.0/xnli.{dev,test}.tsv (19 columns, header, every language) or "
            "XNLI-MT-1.0/multinli/multinli.train.<lang>.tsv (premise hypo label)",
            _raw_xnli,
            _write_raw_xnli,
            pattern=r"^(?:xnli\.(?:dev|test)|multinli\.\w+\.[a-z]{2,3})\.tsv$",
            sniff=_headed_as(XNLI_COLUMNS, XNLI_MT_COLUMNS),
        ),
    ),
    _format(
        "pawsx",
        PAWS,
        ("0", "1"),
        {},
        "PAWS-X: sentence1, sentence2, label 0/1 TSV (XTREME-R <split>-<lang>.tsv, or x-final/<lang>/*.tsv)",
        Layout(
            RAW,
            "x-final/<lang>/{train,dev_2k,test_2k}.tsv (id sentence1 sentence2 label, header)",
            _raw_pawsx,
            _write_raw_pawsx,
            pattern=r"^(?:train|dev_2k|test_2k|dev|test)\.tsv$",
            sniff=_headed_as(PAWSX_COLUMNS),
        ),
    ),
)
