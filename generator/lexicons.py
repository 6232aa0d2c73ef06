"""Bilingual lexicons for code-switching: FreeDict dictd files, MUSE text files, induced lexicons.

Every lexicon maps English words and multiword expressions to target-language translations.
Parsed FreeDict dictionaries are cached on disk (keyed by file path, mtime and size), because the
large ones (eng-deu: 460k index lines) take seconds to parse and milliseconds to reload.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import marshal
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ConfigError, InputError

DEFAULT_DICTD_DIR = Path("/usr/share/dictd")
PARSER_VERSION = 1
MAX_TRANSLATION_WORDS = 4

# FreeDict (ISO 639-3) codes -> XTREME-R / ISO 639-1 codes.
FREEDICT_TO_ISO: dict[str, str] = {
    "afr": "af", "ara": "ar", "aze": "az", "bul": "bg", "ben": "bn", "deu": "de", "ell": "el",
    "eng": "en", "spa": "es", "est": "et", "eus": "eu", "fas": "fa", "pes": "fa", "fin": "fi",
    "fra": "fr", "guj": "gu", "heb": "he", "hin": "hi", "hat": "ht", "hun": "hu", "ind": "id",
    "ita": "it", "jpn": "ja", "jav": "jv", "kat": "ka", "kaz": "kk", "kor": "ko", "lit": "lt",
    "mal": "ml", "mar": "mr", "msa": "ms", "zsm": "ms", "mya": "my", "nld": "nl", "pan": "pa",
    "pol": "pl", "por": "pt", "que": "qu", "ron": "ro", "rus": "ru", "swa": "sw", "swh": "sw",
    "tam": "ta", "tel": "te", "tha": "th", "tgl": "tl", "tur": "tr", "ukr": "uk", "urd": "ur",
    "vie": "vi", "wol": "wo", "yor": "yo", "zho": "zh", "cmn": "zh",
    "ces": "cs", "dan": "da", "swe": "sv", "nor": "no", "nob": "nb", "gle": "ga", "cym": "cy",
    "lat": "la", "srp": "sr", "hrv": "hr", "slk": "sk", "slv": "sl", "isl": "is", "epo": "eo",
    "bre": "br", "gla": "gd", "kur": "ku", "lav": "lv", "mkd": "mk", "sqi": "sq", "bos": "bs",
}  # fmt: skip
# The package to install for each ISO code (first FreeDict code wins for fa, ms, sw, zh).
ISO_TO_FREEDICT: dict[str, str] = {}
for _three, _two in FREEDICT_TO_ISO.items():
    ISO_TO_FREEDICT.setdefault(_two, _three)
ISO_TO_FREEDICT["sw"] = "swh"
ISO_TO_FREEDICT["fa"] = "pes"

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_DICTD_NAME = re.compile(r"^freedict-([a-z]{3})-([a-z]{3})\.index$")
_MUSE_NAME = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})(?:\.[^/]*)?\.txt$")
_NON_TRANSLATION = ("see:", "synonym:", "synonyms:", "note:", '"', "{")
_BRACKETED = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_PLACEHOLDER = re.compile(r"\b(?:sth|sb|etw|jdn|jdm|jds|jd)\.(?:/(?:sth|sb|etw|jdn|jdm|jds|jd)\.)*")
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_SEPARATORS = re.compile(r"[,;]")
_BAD_CHARS = re.compile(r"[\d./\\()\[\]{}<>=\"…|:!?]")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(eq=False)
class Lexicon:
    """Translations of source words/multiwords (`entries[word] -> [translation, ...]`) into `tgt`."""

    src: str
    tgt: str
    entries: dict[str, list[str]]
    origin: str
    # Lookup tables derived from `entries` by their users (generator.codeswitch), built once per object.
    derived: dict[object, object] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True, slots=True)
class LexiconInfo:
    """An installed lexicon: target language, file, headword count and kind."""

    lang: str
    source: Path
    entries: int
    kind: str  # "freedict", "freedict-inverted" or "muse"


@dataclass(slots=True)
class _Builder:
    entries: dict[str, list[str]] = field(default_factory=dict)

    def add(self, word: str, translation: str) -> None:
        known = self.entries.setdefault(word, [])
        if translation not in known:
            known.append(translation)


def iso_code(freedict_code: str) -> str:
    """The XTREME-R (ISO 639-1) code for a FreeDict 3-letter code; unknown codes pass through."""
    return FREEDICT_TO_ISO.get(freedict_code, freedict_code)


def _is_metadata(headword: str) -> bool:
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
    match = _DICTD_NAME.match(index.name)
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
    builder = _Builder()
    with index.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise InputError(
                    str(index), f"line {number}", "entry", "expected 'headword<TAB>offset<TAB>length'"
                )
            if _is_metadata(parts[0]):
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


def default_cache_dir() -> Path:
    """`$XSTILTS_CACHE_DIR/lexicons`, else `~/.cache/xstilts/lexicons`."""
    root = os.environ.get("XSTILTS_CACHE_DIR")
    return Path(root) / "lexicons" if root else Path.home() / ".cache" / "xstilts" / "lexicons"


def _cache_file(source: Path, cache_dir: Path, options: str) -> Path:
    stat = source.stat()
    version = f"{PARSER_VERSION}|{sys.version_info[:2]}"
    key = f"{source.resolve()}|{stat.st_mtime_ns}|{stat.st_size}|{version}|{options}"
    return cache_dir / f"{source.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"


def _read_cache(path: Path) -> dict[str, list[str]] | None:
    """The cached entries (marshal: no code runs on load), or None when absent or unreadable."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    # Hundreds of thousands of small lists: the cyclic collector only slows their creation down.
    paused = gc.isenabled()
    gc.disable()
    try:
        entries = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return None
    finally:
        if paused:
            gc.enable()
    return entries if isinstance(entries, dict) else None


def _write_cache(path: Path, entries: dict[str, list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(marshal.dumps(entries))
    tmp.replace(path)


def invert(lexicon: Lexicon, origin: str | None = None) -> Lexicon:
    """The reverse lexicon: each translation maps back to the words it translates."""
    builder = _Builder()
    for word, translations in lexicon.entries.items():
        for translation in translations:
            builder.add(translation, word)
    return Lexicon(lexicon.tgt, lexicon.src, builder.entries, origin or f"inverted:{lexicon.origin}")


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
    cache = _cache_file(data_path, Path(cache_dir) if cache_dir else default_cache_dir(), options)
    entries = _read_cache(cache)
    if entries is None:
        entries = _parse_dictd(index, max_words)
        _write_cache(cache, entries)
    return Lexicon(iso_code(src), iso_code(tgt), entries, origin)


def load_muse(path: str | Path, src: str | None = None, tgt: str | None = None) -> Lexicon:
    """A MUSE-format lexicon: one `source target` pair per line, whitespace-separated.

    Languages come from the arguments or from a MUSE file name such as `en-es.txt` / `en-es.0-5000.txt`.
    """
    path = Path(path)
    if src is None or tgt is None:
        match = _MUSE_NAME.match(path.name)
        if match is None:
            raise ConfigError(
                f"{path}: name the languages (src=, tgt=) or call the file <src>-<tgt>.txt, e.g. en-es.txt"
            )
        src, tgt = src or match.group(1), tgt or match.group(2)
    builder = _Builder()
    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the MUSE lexicon ({err.strerror})") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise InputError(
                    str(path),
                    f"line {number}",
                    "entry",
                    f"expected 'source target' (2 fields), got {len(parts)}",
                )
            if parts[0] != parts[1]:
                builder.add(parts[0], parts[1])
    return Lexicon(iso_code(src), iso_code(tgt), builder.entries, f"muse:{path}")


def lexicon_from_word_pairs(
    pairs: Iterable[tuple[str, str]], src: str, tgt: str, *, min_count: int = 1, origin: str = "induced:words"
) -> Lexicon:
    """A lexicon from word alignments (source word, translated word); translations ordered by frequency."""
    counts = Counter((s.strip(), t.strip()) for s, t in pairs)
    builder = _Builder()
    for (source, target), count in counts.most_common():
        if count >= min_count and source and target and source.casefold() != target.casefold():
            builder.add(source, target)
    return Lexicon(src, tgt, builder.entries, origin)


_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def induce_lexicon(
    sentence_pairs: Iterable[tuple[str, str]],
    src: str,
    tgt: str,
    *,
    min_cooccur: int = 2,
    min_dice: float = 0.5,
    origin: str = "induced:sentences",
) -> Lexicon:
    """A lexicon induced from (source sentence, translated sentence) pairs by Dice co-occurrence.

    Word pairs are linked when each is the other's best Dice partner (a one-step competitive
    linking), they co-occur in at least `min_cooccur` pairs and their Dice score reaches `min_dice`.
    """
    source_counts: Counter[str] = Counter()
    target_counts: Counter[str] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    for source, target in sentence_pairs:
        source_words = set(_WORDS.findall(source.lower()))
        target_words = set(_WORDS.findall(target.lower()))
        source_counts.update(source_words)
        target_counts.update(target_words)
        joint.update((s, t) for s in source_words for t in target_words)
    best_target: dict[str, tuple[float, str]] = {}
    best_source: dict[str, tuple[float, str]] = {}
    for (s, t), together in joint.items():
        if together < min_cooccur:
            continue
        dice = 2.0 * together / (source_counts[s] + target_counts[t])
        if dice > best_target.get(s, (0.0, ""))[0]:
            best_target[s] = (dice, t)
        if dice > best_source.get(t, (0.0, ""))[0]:
            best_source[t] = (dice, s)
    builder = _Builder()
    for s, (dice, t) in sorted(best_target.items()):
        if dice >= min_dice and best_source[t][1] == s and s != t:
            builder.add(s, t)
    return Lexicon(src, tgt, builder.entries, origin)


def _muse_dirs(muse_dirs: Sequence[str | Path] | None) -> list[Path]:
    if muse_dirs is not None:
        return [Path(d) for d in muse_dirs]
    env = os.environ.get("XSTILTS_LEXICONS", "")
    return [Path(d) for d in env.split(os.pathsep) if d]


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def available_lexicons(
    dictd_dir: str | Path = DEFAULT_DICTD_DIR, muse_dirs: Sequence[str | Path] | None = None
) -> list[LexiconInfo]:
    """English->X lexicons found on this machine (FreeDict eng-X, inverted X-eng, MUSE en-X files).

    `entries` is the headword count of the index (FreeDict) or the pair count (MUSE), read without parsing.
    MUSE directories default to `$XSTILTS_LEXICONS` (os.pathsep-separated).
    """
    found: list[LexiconInfo] = []
    dictd = Path(dictd_dir)
    indexes = sorted(dictd.glob("freedict-*-*.index")) if dictd.is_dir() else []
    forward = {m.group(2) for p in indexes if (m := _DICTD_NAME.match(p.name)) and m.group(1) == "eng"}
    for index in indexes:
        match = _DICTD_NAME.match(index.name)
        if match is None or "eng" not in (match.group(1), match.group(2)) or match.group(1) == match.group(2):
            continue
        if match.group(1) == "eng":
            kind, code = "freedict", match.group(2)
        elif match.group(1) in forward:
            continue
        else:
            kind, code = "freedict-inverted", match.group(1)
        with index.open(encoding="utf-8") as handle:
            heads = {head for line in handle if not _is_metadata(head := line.split("\t", 1)[0])}
        found.append(LexiconInfo(iso_code(code), index, len(heads), kind))
    for directory in _muse_dirs(muse_dirs):
        for path in sorted(directory.glob("*.txt")):
            match = _MUSE_NAME.match(path.name)
            if match is None:
                continue
            source, target = iso_code(match.group(1)), iso_code(match.group(2))
            if source == "en" and target != "en":
                found.append(LexiconInfo(target, path, _count_lines(path), "muse"))
            elif target == "en" and source != "en":
                found.append(LexiconInfo(source, path, _count_lines(path), "muse-inverted"))
    return found


def merge(lexicons: Sequence[Lexicon]) -> Lexicon:
    """One lexicon holding every translation of the given ones, earlier lexicons' translations first."""
    if len(lexicons) == 1:
        return lexicons[0]
    first = lexicons[0]
    if any((lex.src, lex.tgt) != (first.src, first.tgt) for lex in lexicons):
        raise ConfigError(
            "only lexicons of the same language pair merge: " + ", ".join(lex.origin for lex in lexicons)
        )
    builder = _Builder()
    for lexicon in lexicons:
        for word, translations in lexicon.entries.items():
            for translation in translations:
                builder.add(word, translation)
    return Lexicon(first.src, first.tgt, builder.entries, "+".join(lex.origin for lex in lexicons))


def load_lexicon(
    lang: str,
    sources: Sequence[str] = ("freedict", "muse"),
    *,
    dictd_dir: str | Path = DEFAULT_DICTD_DIR,
    muse_dirs: Sequence[str | Path] | None = None,
    cache_dir: str | Path | None = None,
) -> Lexicon:
    """The English->`lang` lexicon from every installed source in `sources` ("freedict", "muse"), merged."""
    unknown = set(sources) - {"freedict", "muse"}
    if unknown:
        raise ConfigError(f"unknown lexicon source(s) {sorted(unknown)}; use 'freedict' and/or 'muse'")
    loaded: list[Lexicon] = []
    for info in available_lexicons(dictd_dir, muse_dirs):
        if info.lang != lang or info.kind.split("-")[0] not in sources:
            continue
        if info.kind == "freedict":
            loaded.append(load_dictd(info.source, cache_dir=cache_dir))
        elif info.kind == "freedict-inverted":
            loaded.append(invert(load_dictd(info.source, cache_dir=cache_dir)))
        elif info.kind == "muse":
            loaded.append(load_muse(info.source))
        else:
            loaded.append(invert(load_muse(info.source)))
    if loaded:
        return merge(loaded)
    package = ISO_TO_FREEDICT.get(lang, lang)
    raise ConfigError(
        f"no English->{lang} lexicon found in {sources}: install one with "
        f"`apt-get install dict-freedict-eng-{package}` (FreeDict) or provide a MUSE file en-{lang}.txt "
        f"(one 'english {lang}-word' pair per line, whitespace-separated) in a directory listed in "
        "XSTILTS_LEXICONS or passed as muse_dirs"
    )
