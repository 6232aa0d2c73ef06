"""Every task file under ../shared/data/xtreme-r/ and ../shared/data/english/ that the readers claim reads
with the counts its MANIFEST.json entry states; files without gold are reported as such."""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.errors import InputError
from generator.example import Example
from generator.tasks import ReadResult, read_examples
from generator.tasks.mewslix import read_labels
from tests.conftest import SHARED_DATA

XTREME_R = SHARED_DATA / "xtreme-r"
ENGLISH = SHARED_DATA / "english"
MANIFEST = XTREME_R / "MANIFEST.json"
BIG = 2_000_000  # bytes: files read under the `slow` marker


def manifest_path(local: Path) -> str:
    """The path a local file has in MANIFEST.json."""
    if local.is_relative_to(ENGLISH):
        return local.relative_to(ENGLISH).as_posix()
    relative = local.relative_to(XTREME_R).as_posix()
    folder, _, rest = relative.partition("/")
    return {"download": f"xtreme-r/{rest}", "reference": f"xtreme-r_reference/{rest}", "raw": rest}.get(
        folder, relative
    )


def load_manifest() -> dict[str, dict[str, Any]]:
    entries = {entry["path"]: entry for entry in json.loads(MANIFEST.read_text(encoding="utf-8"))}
    for path, entry in entries.items():
        if "symlink_to" in entry:  # download_data.sh leaves the file as the raw one: the raw entry counts
            entries[path] = entries[
                posixpath.normpath(posixpath.join(posixpath.dirname(path), entry["symlink_to"]))
            ]
    return entries


@dataclass(frozen=True)
class Claim:
    """A file a reader reads: the format, and the layout it must be detected as."""

    fmt: str
    layout: str


def claim(local: Path) -> Claim | None:
    """Which format reads `local`; None for files that are no task data, or are read through a sibling."""
    rel = local.relative_to(SHARED_DATA).as_posix()
    rules: list[tuple[str, str, str]] = [
        (r"^xtreme-r/(download|reference)/xnli/.*\.tsv$", "xnli", "xtreme-r"),
        (r"^xtreme-r/raw/xnli/.*\.tsv$", "xnli", "raw"),
        (r"^xtreme-r/(download|reference)/pawsx/.*\.tsv$", "pawsx", "xtreme-r"),
        (r"^(xtreme-r/raw/pawsx|english/paws)/.*\.tsv$", "pawsx", "raw"),
        (r"^xtreme-r/(download|reference)/panx/.*\.tsv$", "wikiann", "xtreme-r"),
        (r"^xtreme-r/raw/panx/hf-dummy/panx_dataset/[a-z]+-(train|dev|test)$", "wikiann", "raw"),
        (r"^xtreme-r/(download|reference)/udpos/.*\.tsv$", "udpos", "xtreme-r"),
        (r"^xtreme-r/raw/ud/.*\.conllu$", "udpos", "raw"),
        (r"^xtreme-r/download/xquad/.*\.json$", "xquad", "xtreme-r"),
        (r"^xtreme-r/(download|raw|reference)/mlqa/.*/test-.*\.json$", "mlqa", "xtreme-r"),
        (r"^xtreme-r/(download|raw|reference)/mlqa/.*\.json$", "mlqa", "raw"),
        (r"^xtreme-r/download/tydiqa/.*\.json$", "tydiqa", "xtreme-r"),
        (r"^xtreme-r/raw/tydiqa/.*\.json$", "tydiqa", "raw"),
        (r"^(xtreme-r/download/squad|english/squad_v1\.1)/.*\.json$", "squad", "raw"),
        (r"^xtreme-r/download/xcopa/.*\.jsonl$", "xcopa", "xtreme-r"),
        (r"^english/copa/.*\.jsonl$", "copa", "raw"),
        (r"^(xtreme-r/download/siqa|english/siqa/xtreme-r_v1\.4)/.*\.jsonl$", "siqa", "xtreme-r"),
        (r"^english/siqa/ai2/socialiqa-train-dev/.*\.jsonl$", "siqa", "raw"),
        (r"^xtreme-r/download/tatoeba/([a-z]+)-en\.(?!en$)[a-z]+$", "tatoeba", "xtreme-r"),
        (r"^xtreme-r/(download|raw)/bucc2018/zh-en\.dev\.zh$", "bucc", "xtreme-r"),
        (r"^xtreme-r/(download|raw)/lareqa/xquad-r/.*\.json$", "lareqa", "raw"),
        (r"^xtreme-r/download/mewslix/wikinews_mentions/.*\.jsonl$", "mewslix", "xtreme-r"),
        (r"^xtreme-r/raw/mewsli-x/.*\.jsonl$", "mewslix", "raw"),
        (r"^english/anli/.*\.jsonl$", "anli", "raw"),
        (r"^english/mnli/.*\.(jsonl|tsv)$", "mnli", "raw"),
        (r"^english/qqp/.*\.tsv$", "qqp", "raw"),
        (r"^english/csqa/.*\.jsonl$", "commonsenseqa", "raw"),
        (r"^english/hellaswag/.*\.jsonl$", "hellaswag", "raw"),
        (r"^english/cosmosqa/.*\.(csv|jsonl)$", "cosmosqa", "raw"),
    ]
    for pattern, fmt, layout in rules:
        if re.search(pattern, rel):
            return Claim(fmt, layout)
    return None


# Files that are no task data, or are read through the file they belong to.
NOT_READ_ALONE = (
    r"/(LICEN[CS]E|README)[^/]*$",
    r"\.zip$",
    r"^xtreme-r/hf_schemas/",
    r"^xtreme-r/download/mewslix/wikinews_labels/",  # checked against the mentions in their test
    r"-labels\.lst$",  # Social IQa labels: read with their .jsonl
    r"^xtreme-r/download/tatoeba/[a-z]+-en\.en$",  # the English side of the <xx>-en.<xx> file
    r"^xtreme-r/(download|raw)/bucc2018/",  # zh-en.dev.{en,gold} with zh-en.dev.zh; de/fr/ru have gold only
)


def shared_files() -> list[Path]:
    if not MANIFEST.is_file():
        return []
    roots = [
        XTREME_R / "download",
        XTREME_R / "raw",
        XTREME_R / "reference",
        XTREME_R / "hf_schemas",
        ENGLISH,
    ]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*") if p.is_file())


FILES = shared_files()
CLAIMED = [p for p in FILES if claim(p) is not None]


def _param(path: Path) -> Any:
    marks = [pytest.mark.slow] if path.stat().st_size > BIG else []
    return pytest.param(path, id=path.relative_to(SHARED_DATA).as_posix(), marks=marks)


needs_data = pytest.mark.skipif(
    not FILES, reason=f"{MANIFEST} not present (real data lives in ../shared/data)"
)


def numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def check_qa(result: ReadResult, entry: dict[str, Any]) -> None:
    articles, paragraphs, questions = numbers(entry["rows"])
    examples = result.examples
    assert len(examples) + len(result.warnings) == questions
    assert len({ex.meta["article"] for ex in examples}) == articles
    assert len({(ex.meta["article"], ex.meta["paragraph"]) for ex in examples}) == paragraphs
    blanked = "blanked answers" in entry["notes"]
    assert bool(result.no_gold) == blanked
    assert all(bool(ex.answers) != blanked for ex in examples)


def check_tokens(result: ReadResult, entry: dict[str, Any]) -> None:
    sentences, tokens = numbers(entry["rows"])[:2]
    examples = result.examples
    assert (len(examples), sum(len(ex.tokens) for ex in examples)) == (sentences, tokens)
    tokens_only = "{1:" in entry["notes"]
    assert bool(result.no_gold) == tokens_only
    assert all(len(ex.tags) == (0 if tokens_only else len(ex.tokens)) for ex in examples)


def check_conllu(result: ReadResult, entry: dict[str, Any]) -> None:
    sentences, token_lines, multiword = numbers(entry["rows"])
    rows = [
        line.split("\t")[0]
        for ex in result.examples
        for line in ex.meta["conllu"].split("\n")
        if not line.startswith("#")
    ]
    assert len(result.examples) == sentences
    assert (len(rows), sum("-" in row for row in rows)) == (token_lines, multiword)
    assert sum(len(ex.tokens) for ex in result.examples) == sum(row.isdigit() for row in rows)


def check_rows(result: ReadResult, entry: dict[str, Any]) -> None:
    (rows,) = numbers(entry["rows"].split(" rows")[0])
    assert len(result.examples) == rows
    widths = {int(k): v for k, v in re.findall(r"(\d+): (\d+)", entry["notes"])}
    unlabelled = set(widths) in ({2}, {3}) and entry["format"].startswith("tsv (csv") and 2 in widths
    unlabelled |= entry["path"].startswith(("mnli/hf-dummy/glue_MNLI/test", "qqp/hf-dummy/QQP/test"))
    assert bool(result.no_gold) == unlabelled
    assert all((ex.label < 0) == unlabelled for ex in result.examples)


def check_records(result: ReadResult, entry: dict[str, Any], fmt: str, path: Path) -> None:
    (records,) = numbers(entry["rows"])
    examples = result.examples
    if fmt == "mewslix":
        assert len({ex.meta["record"] for ex in examples}) == records
        labels_file = path.parent.parent / "wikinews_labels" / f"{path.stem}.json"
        if labels_file.is_file():
            assert read_labels(labels_file) == {ex.id: [ex.meta["entity_id"]] for ex in examples}
        assert bool(result.no_gold) == path.name.startswith("test-")
        return
    assert len(examples) == records
    forced = "labels=Counter({0:" in entry["notes"]
    hidden = re.search(
        r"(copa/test|_test|test_rand_split_no_answers|cosmosqa/hf-dummy/test)\.jsonl$", entry["path"]
    )
    assert bool(result.no_gold) == bool(forced or hidden), result.no_gold
    if fmt in ("xcopa", "copa"):
        lang = re.search(r"[-.]([a-z]{2})\.jsonl$", path.name)
        assert {ex.lang for ex in examples} == {lang.group(1) if lang else "en"}
    if fmt == "siqa" and result.layout == "raw":
        labels = Path(str(path).removesuffix(".jsonl") + "-labels.lst")
        stated = load_manifest()[manifest_path(labels)]["rows"]
        counts = {k: int(v) for k, v in re.findall(r"'(\d)': (\d+)", stated)}
        assert Counter(str(ex.label + 1) for ex in examples) == counts


def check_tatoeba(result: ReadResult, entry: dict[str, Any], path: Path, manifest: dict[str, Any]) -> None:
    (lines,) = numbers(entry["rows"])
    (english,) = numbers(manifest[manifest_path(path.with_suffix(".en"))]["rows"])
    sources = [ex for ex in result.examples if ex.text_a]
    targets = [ex for ex in result.examples if ex.text_b]
    assert (len(sources), len(targets), len(result.examples)) == (lines, english, lines + english)
    assert result.no_gold and {ex.lang for ex in result.examples} == {path.suffix[1:]}


def check_bucc(result: ReadResult, path: Path, manifest: dict[str, Any]) -> None:
    def stated(suffix: str) -> int:
        return numbers(manifest[manifest_path(path.with_suffix(suffix))]["rows"])[0]

    examples = result.examples
    pairs = [ex for ex in examples if ex.text_a and ex.text_b]
    assert len(pairs) == stated(".gold")
    assert sum(bool(ex.text_a) for ex in examples) == stated(".zh")
    assert sum(bool(ex.text_b) for ex in examples) == stated(".en")
    assert not result.no_gold


@needs_data
@pytest.mark.parametrize("path", [_param(p) for p in CLAIMED])
def test_a_shared_file_reads_with_the_counts_the_manifest_states(path: Path) -> None:
    manifest = load_manifest()
    entry = manifest[manifest_path(path)]
    found = claim(path)
    assert found is not None
    if path.name.endswith("_no_text.jsonl"):
        with pytest.raises(InputError, match=r"get-mewsli-x\.sh"):
            read_examples(found.fmt, path)
        return
    result = read_examples(found.fmt, path)
    assert result.layout == found.layout
    assert not result.errors and all(ex.task == found.fmt for ex in result.examples)
    kind = entry["format"]
    if kind == "json":
        check_qa(result, entry)
    elif kind.startswith("tsv (token") or kind.startswith("PAN-X"):
        check_tokens(result, entry)
    elif kind == "conllu":
        check_conllu(result, entry)
    elif kind.startswith(("tsv (csv", "tsv (plain")) or kind == "csv":
        check_rows(result, entry)
    elif kind == "jsonl":
        check_records(result, entry, found.fmt, path)
    elif found.fmt == "tatoeba":
        check_tatoeba(result, entry, path, manifest)
    elif found.fmt == "bucc":
        check_bucc(result, path, manifest)
    else:
        pytest.fail(f"no count check for {kind} ({entry['rows']})")


@needs_data
def test_every_shared_file_is_either_read_or_known_to_be_no_task_data() -> None:
    manifest = load_manifest()
    unlisted = [p for p in FILES if manifest_path(p) not in manifest]
    assert unlisted == []
    rest = [
        rel
        for rel in (p.relative_to(SHARED_DATA).as_posix() for p in FILES if claim(p) is None)
        if not any(re.search(pattern, rel) for pattern in NOT_READ_ALONE)
    ]
    assert rest == []
    assert len(CLAIMED) > 500


def _lang_of(examples: list[Example]) -> set[str]:
    return {ex.lang for ex in examples}


@needs_data
def test_languages_come_from_the_file_names_and_ids_not_a_default() -> None:
    download = XTREME_R / "download"
    assert _lang_of(read_examples("udpos", download / "udpos" / "test-yo.tsv").examples) == {"yo"}
    assert _lang_of(read_examples("wikiann", download / "panx" / "dev-sw.tsv").examples) == {"sw"}
    assert _lang_of(read_examples("xcopa", download / "xcopa" / "test-qu.jsonl").examples) == {"qu"}
    assert _lang_of(
        read_examples("udpos", XTREME_R / "raw/ud/UD_Wolof-WTB/wo_wtb-ud-dev.conllu").examples
    ) == {"wo"}
    tydiqa = read_examples("tydiqa", XTREME_R / "raw/tydiqa/goldp-v1.1-by-language/arabic_tydiqa_dev.json")
    assert _lang_of(tydiqa.examples) == {"ar"}
    mixed = read_examples("xnli", XTREME_R / "raw/xnli/hf-dummy/XNLI-1.0/xnli.test.tsv").examples
    assert len(_lang_of(mixed)) == 15 and len({ex.id for ex in mixed}) == 15
