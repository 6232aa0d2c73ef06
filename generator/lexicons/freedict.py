"""FreeDict dictd dictionaries (`freedict-<src>-<tgt>.index` + `.dict.dz`): reading, checking, loading.

Entries are parsed by `generator.lexicons.freedict_entry`; across entries, one more rule: some
dictionaries (eng-spa) file a multiword phrase under its first word with the phrase's
pronunciation (`in /infækt/` -> `enefecto`, spaces lost): an entry whose pronunciation extends the
pronunciation of another entry of the same headword is such a phrase and is rejected.
Translations are ordered by sense (senses without a domain label first), then by listing order.
Parsed dictionaries are cached on disk (keyed by file path, mtime and size), because the large
ones (eng-deu: 460k index lines) take seconds to parse and milliseconds to reload.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from pathlib import Path

from generator.errors import ConfigError, InputError
from generator.languages import LANGUAGES
from generator.lexicons.cache import cache_file, default_cache_dir, read_cache, write_cache
from generator.lexicons.codes import iso_code
from generator.lexicons.freedict_entry import MAX_TRANSLATION_WORDS, DictdEntry, parse_entry
from generator.lexicons.lexicon import EntryBuilder, Lexicon, Rejections

PARSER_VERSION = 3
EXAMPLES_PER_REASON = 3

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
DICTD_NAME = re.compile(r"^freedict-([a-z]{3})-([a-z]{3})\.index$")
_LETTER = re.compile(r"[^\W\d_]")
_PHRASE = "phrase filed under its first word"


def is_metadata(headword: str) -> bool:
    """True for dictd's own `00database...` index entries."""
    return headword.startswith(("00database", "00-database"))


def b64_number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64[char]
    return value


def non_latin_script(lang: str) -> bool:
    """True when XTREME-R language `lang` is written in a script other than Latin."""
    info = LANGUAGES.get(lang)
    return info is not None and info.script != "Latn"


def parse_dictd_entry(body: str, max_words: int = MAX_TRANSLATION_WORDS) -> tuple[str, list[str]]:
    """Headword and translations of one dictd entry, senses in order (see `freedict_entry.parse_entry`)."""
    entry = parse_entry(body, max_words=max_words)
    return entry.headword, _ordered([entry])


def _ordered(entries: list[DictdEntry]) -> list[str]:
    senses = [sense for entry in entries for sense in entry.senses]
    senses.sort(key=lambda sense: sense.labelled)  # stable: listing order within each group
    translations = dict.fromkeys(t for sense in senses for t in sense.translations)
    return list(translations)


def _phrases_under_first_word(entries: list[DictdEntry]) -> list[DictdEntry]:
    """The entries whose pronunciation extends another entry's (phrases filed under the first word)."""
    prons = {e.pronunciation for e in entries if e.pronunciation}
    return [
        e
        for e in entries
        if e.pronunciation
        and " " not in e.headword
        and " " not in e.pronunciation
        and any(p != e.pronunciation and e.pronunciation.startswith(p) for p in prons)
    ]


class _Report:
    def __init__(self) -> None:
        self.rejected: Rejections = {}

    def add(self, reason: str, text: str) -> None:
        count, examples = self.rejected.get(reason, (0, []))
        if len(examples) < EXAMPLES_PER_REASON and text not in examples:
            examples.append(text)
        self.rejected[reason] = (count + 1, examples)


def _read_entries(index: Path, data_path: Path, non_latin: bool, max_words: int) -> list[DictdEntry]:
    raw = gzip.decompress(data_path.read_bytes()) if data_path.suffix == ".dz" else data_path.read_bytes()
    seen: set[tuple[int, int]] = set()
    entries: list[DictdEntry] = []
    with index.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise InputError(
                    str(index), f"line {number}", "entry", "expected 'headword<TAB>offset<TAB>length'"
                )
            if is_metadata(parts[0]):
                continue
            try:
                start, length = b64_number(parts[1]), b64_number(parts[2])
            except KeyError:
                raise InputError(str(index), f"line {number}", "offset", "not dictd base64") from None
            if (start, length) in seen:  # one entry indexed under several forms
                continue
            seen.add((start, length))
            body = raw[start : start + length].decode("utf-8", errors="replace")
            entries.append(parse_entry(body, non_latin_target=non_latin, max_words=max_words))
    return entries


def _parse_dictd(index: Path, max_words: int) -> tuple[dict[str, list[str]], Rejections]:
    data_path, _, tgt = _dictd_paths(index)
    report = _Report()
    by_headword: defaultdict[str, list[DictdEntry]] = defaultdict(list)
    for entry in _read_entries(index, data_path, non_latin_script(iso_code(tgt)), max_words):
        for reason, text in entry.rejected:
            report.add(reason, f"{entry.headword}: {text}")
        if not entry.headword or not _LETTER.search(entry.headword):
            report.add("no headword", entry.headword or "(empty)")
            continue
        by_headword[entry.headword].append(entry)
    builder = EntryBuilder()
    for headword, entries in by_headword.items():
        phrases = _phrases_under_first_word(entries) if len(entries) > 1 else []
        for phrase in phrases:
            report.add(_PHRASE, f"{headword} /{phrase.pronunciation}/: {', '.join(_ordered([phrase]))}")
        kept = [e for e in entries if e not in phrases] if phrases else entries
        for translation in _ordered(kept):
            builder.add(headword, translation)
    return builder.entries, report.rejected


def _dictd_paths(index: Path) -> tuple[Path, str, str]:
    match = DICTD_NAME.match(index.name)
    if match is None:
        raise ConfigError(
            f"{index}: a FreeDict index is named freedict-<src>-<tgt>.index (e.g. freedict-eng-spa)"
        )
    data = index.with_name(index.name[: -len(".index")] + ".dict.dz")
    if not data.exists():
        plain = data.with_suffix("")
        if not plain.exists():
            raise ConfigError(f"{index}: its data file {data} is missing; reinstall the FreeDict package")
        data = plain
    return data, match.group(1), match.group(2)


def load_dictd(
    index: str | Path,
    *,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    max_words: int = MAX_TRANSLATION_WORDS,
) -> Lexicon:
    """A FreeDict dictd dictionary (`freedict-<src>-<tgt>.index` + `.dict.dz`), cached after the first parse."""
    index = Path(index)
    if not index.exists():
        raise ConfigError(
            f"{index} does not exist; install a FreeDict package, e.g. apt-get install dict-freedict-eng-spa"
        )
    data_path, src, tgt = _dictd_paths(index)
    origin = f"freedict:{index}"
    if not use_cache:
        entries, rejected = _parse_dictd(index, max_words)
        return Lexicon(iso_code(src), iso_code(tgt), entries, origin, rejected)
    index_stat = index.stat()
    options = f"{index.resolve()}|{index_stat.st_mtime_ns}|{index_stat.st_size}|{max_words}"
    cache = cache_file(
        data_path, Path(cache_dir) if cache_dir else default_cache_dir(), PARSER_VERSION, options
    )
    cached = read_cache(cache)
    if cached is None:
        cached = _parse_dictd(index, max_words)
        write_cache(cache, cached)
    return Lexicon(iso_code(src), iso_code(tgt), cached[0], origin, cached[1])
