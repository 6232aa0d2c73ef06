"""FreeDict dictd dictionaries (`freedict-<src>-<tgt>.index` + `.dict.dz`): entry parsing and loading.

Parsed dictionaries are cached on disk (keyed by file path, mtime and size), because the large
ones (eng-deu: 460k index lines) take seconds to parse and milliseconds to reload.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from generator.errors import ConfigError, InputError
from generator.lexicons.cache import cache_file, default_cache_dir, read_cache, write_cache
from generator.lexicons.codes import iso_code
from generator.lexicons.lexicon import EntryBuilder, Lexicon

PARSER_VERSION = 1
MAX_TRANSLATION_WORDS = 4

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
DICTD_NAME = re.compile(r"^freedict-([a-z]{3})-([a-z]{3})\.index$")
_NON_TRANSLATION = ("see:", "synonym:", "synonyms:", "note:", '"', "{")
_BRACKETED = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_PLACEHOLDER = re.compile(r"\b(?:sth|sb|etw|jdn|jdm|jds|jd)\.(?:/(?:sth|sb|etw|jdn|jdm|jds|jd)\.)*")
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_SEPARATORS = re.compile(r"[,;]")
_BAD_CHARS = re.compile(r"[\d./\\()\[\]{}<>=\"…|:!?]")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")


def is_metadata(headword: str) -> bool:
    return headword.startswith(("00database", "00-database"))


def _b64_number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64[char]
    return value


def _clean_headword(line: str) -> str:
    head = line.split(" /", 1)[0]
    head = _PLACEHOLDER.sub(" ", _BRACKETED.sub(" ", head))
    return _SPACES.sub(" ", head.replace("…", " ")).strip(" .,;")


def _translations(line: str, max_words: int) -> list[str]:
    text = _PLACEHOLDER.sub(" ", _BRACKETED.sub(" ", _SENSE_NUMBER.sub("", line)))
    end = _SENTENCE_END.search(text)
    if end is not None:
        text = text[: end.start()]
    found = []
    for part in _SEPARATORS.split(text):
        candidate = _SPACES.sub(" ", part).strip(" '‘’-")
        if (
            candidate
            and not _BAD_CHARS.search(candidate)
            and "- " not in candidate
            and _LETTER.search(candidate)
            and candidate.count(" ") < max_words
        ):
            found.append(candidate)
    return found


def parse_dictd_entry(body: str, max_words: int = MAX_TRANSLATION_WORDS) -> tuple[str, list[str]]:
    """Headword and translations of one dictd entry (pronunciation, grammar notes, senses removed)."""
    lines = body.split("\n")
    headword = _clean_headword(lines[0])
    translations: list[str] = []
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped or stripped.lower().startswith(_NON_TRANSLATION):
            continue
        for candidate in _translations(stripped, max_words):
            if candidate not in translations and candidate.casefold() != headword.casefold():
                translations.append(candidate)
    return headword, translations


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


def _parse_dictd(index: Path, max_words: int) -> dict[str, list[str]]:
    data_path, _, _ = _dictd_paths(index)
    raw = gzip.decompress(data_path.read_bytes()) if data_path.suffix == ".dz" else data_path.read_bytes()
    builder = EntryBuilder()
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
                start, length = _b64_number(parts[1]), _b64_number(parts[2])
            except KeyError:
                raise InputError(str(index), f"line {number}", "offset", "not dictd base64") from None
            body = raw[start : start + length].decode("utf-8", errors="replace")
            headword, translations = parse_dictd_entry(body, max_words)
            if not headword or not _LETTER.search(headword):
                continue
            for translation in translations:
                builder.add(headword, translation)
    return builder.entries


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
        return Lexicon(iso_code(src), iso_code(tgt), _parse_dictd(index, max_words), origin)
    index_stat = index.stat()
    options = f"{index.resolve()}|{index_stat.st_mtime_ns}|{index_stat.st_size}|{max_words}"
    cache = cache_file(
        data_path, Path(cache_dir) if cache_dir else default_cache_dir(), PARSER_VERSION, options
    )
    entries = read_cache(cache)
    if entries is None:
        entries = _parse_dictd(index, max_words)
        write_cache(cache, entries)
    return Lexicon(iso_code(src), iso_code(tgt), entries, origin)
