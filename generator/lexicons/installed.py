"""The lexicons installed on this machine (FreeDict dictd files, MUSE files) and loading one by language."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ConfigError
from generator.lexicons.codes import ISO_TO_FREEDICT, iso_code
from generator.lexicons.derive import invert
from generator.lexicons.freedict import DICTD_NAME, is_metadata, load_dictd
from generator.lexicons.lexicon import Lexicon, merge
from generator.lexicons.mueller import MUELLER_INDEX, load_mueller
from generator.lexicons.muse import MUSE_NAME, load_muse
from generator.lexicons.ranking import rank

DEFAULT_DICTD_DIR = Path("/usr/share/dictd")


@dataclass(frozen=True, slots=True)
class LexiconInfo:
    """An installed lexicon: target language, file, headword count and kind."""

    lang: str
    source: Path
    entries: int
    kind: str  # "freedict", "freedict-reverse", "freedict-inverted", "mueller", "muse" or "muse-inverted"


def _muse_dirs(muse_dirs: Sequence[str | Path] | None) -> list[Path]:
    if muse_dirs is not None:
        return [Path(d) for d in muse_dirs]
    env = os.environ.get("XSTILTS_LEXICONS", "")
    return [Path(d) for d in env.split(os.pathsep) if d]


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def _dictd_indexes(dictd: Path) -> list[tuple[Path, str, str]]:
    """(index file, kind, FreeDict code) of the English FreeDict dictionaries in `dictd`, from names alone."""
    indexes = sorted(dictd.glob("freedict-*-*.index")) if dictd.is_dir() else []
    forward = {m.group(2) for p in indexes if (m := DICTD_NAME.match(p.name)) and m.group(1) == "eng"}
    out = []
    for index in indexes:
        match = DICTD_NAME.match(index.name)
        if match is None or "eng" not in (match.group(1), match.group(2)) or match.group(1) == match.group(2):
            continue
        if match.group(1) == "eng":
            out.append((index, "freedict", match.group(2)))
        elif match.group(1) in forward:
            out.append((index, "freedict-reverse", match.group(1)))
        else:
            out.append((index, "freedict-inverted", match.group(1)))
    return out


def lexicon_languages(
    dictd_dir: str | Path = DEFAULT_DICTD_DIR, muse_dirs: Sequence[str | Path] | None = None
) -> set[str]:
    """The languages `available_lexicons` lists, from file names alone (no dictionary is read)."""
    langs = {iso_code(code) for _, _, code in _dictd_indexes(Path(dictd_dir))}
    if (Path(dictd_dir) / MUELLER_INDEX).exists():
        langs.add("ru")
    for directory in _muse_dirs(muse_dirs):
        for path in directory.glob("*.txt"):
            if match := MUSE_NAME.match(path.name):
                source, target = iso_code(match.group(1)), iso_code(match.group(2))
                if source != target and "en" in (source, target):
                    langs.add(target if source == "en" else source)
    return langs


def available_lexicons(
    dictd_dir: str | Path = DEFAULT_DICTD_DIR, muse_dirs: Sequence[str | Path] | None = None
) -> list[LexiconInfo]:
    """English->X lexicons found on this machine (FreeDict eng-X, inverted X-eng, MUSE en-X files).

    A FreeDict X-eng dictionary next to an eng-X one is listed as `freedict-reverse`: it ranks the
    senses of eng-X (back-translation) instead of adding entries.

    `entries` is the headword count of the index (FreeDict) or the pair count (MUSE), read without parsing.
    MUSE directories default to `$XSTILTS_LEXICONS` (os.pathsep-separated).
    """
    found: list[LexiconInfo] = []
    for index, kind, code in _dictd_indexes(Path(dictd_dir)):
        with index.open(encoding="utf-8") as handle:
            heads = {head for line in handle if not is_metadata(head := line.split("\t", 1)[0])}
        found.append(LexiconInfo(iso_code(code), index, len(heads), kind))
    mueller = Path(dictd_dir) / MUELLER_INDEX
    if mueller.exists():  # Debian mueller7-dict: English->Russian
        found.append(LexiconInfo("ru", mueller, _count_lines(mueller), "mueller"))
    for directory in _muse_dirs(muse_dirs):
        for path in sorted(directory.glob("*.txt")):
            match = MUSE_NAME.match(path.name)
            if match is None:
                continue
            source, target = iso_code(match.group(1)), iso_code(match.group(2))
            if source == "en" and target != "en":
                found.append(LexiconInfo(target, path, _count_lines(path), "muse"))
            elif target == "en" and source != "en":
                found.append(LexiconInfo(source, path, _count_lines(path), "muse-inverted"))
    return found


def load_lexicon(
    lang: str,
    sources: Sequence[str] = ("freedict", "mueller", "muse"),
    *,
    dictd_dir: str | Path = DEFAULT_DICTD_DIR,
    muse_dirs: Sequence[str | Path] | None = None,
    cache_dir: str | Path | None = None,
    extra: Sequence[Lexicon] = (),
) -> Lexicon:
    """The English->`lang` lexicon from every installed source in `sources` ("freedict", "mueller", "muse"), merged.

    `extra` lexicons (e.g. one induced from the pipeline's own translations) are merged after them;
    the translations are then ranked (generator.lexicons.ranking).
    """
    unknown = set(sources) - {"freedict", "mueller", "muse"}
    if unknown:
        raise ConfigError(
            f"unknown lexicon source(s) {sorted(unknown)}; use 'freedict', 'mueller' and/or 'muse'"
        )
    loaded: list[Lexicon] = []
    reverse: Lexicon | None = None
    for info in available_lexicons(dictd_dir, muse_dirs):
        if info.lang != lang or info.kind.split("-")[0] not in sources:
            continue
        if info.kind == "freedict-reverse":
            reverse = load_dictd(info.source, cache_dir=cache_dir)
        elif info.kind == "freedict":
            loaded.append(load_dictd(info.source, cache_dir=cache_dir))
        elif info.kind == "freedict-inverted":
            loaded.append(invert(load_dictd(info.source, cache_dir=cache_dir)))
        elif info.kind == "mueller":
            loaded.append(load_mueller(info.source, cache_dir=cache_dir))
        elif info.kind == "muse":
            loaded.append(load_muse(info.source))
        else:
            loaded.append(invert(load_muse(info.source)))
    loaded.extend(extra)
    if loaded:
        return rank(merge(loaded), reverse)
    package = ISO_TO_FREEDICT.get(lang, lang)
    raise ConfigError(
        f"no English->{lang} lexicon found in {sources}: install one with "
        f"`apt-get install dict-freedict-eng-{package}` (FreeDict) or provide a MUSE file en-{lang}.txt "
        f"(one 'english {lang}-word' pair per line, whitespace-separated) in a directory listed in "
        "XSTILTS_LEXICONS or passed as muse_dirs"
    )
