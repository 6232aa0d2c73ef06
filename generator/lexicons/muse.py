"""MUSE-format lexicon files: one `source target` pair per line, whitespace-separated."""

from __future__ import annotations

import re
from pathlib import Path

from generator.errors import ConfigError, InputError
from generator.lexicons.codes import iso_code
from generator.lexicons.lexicon import EntryBuilder, Lexicon

MUSE_NAME = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})(?:\.[^/]*)?\.txt$")


def load_muse(path: str | Path, src: str | None = None, tgt: str | None = None) -> Lexicon:
    """A MUSE-format lexicon: one `source target` pair per line, whitespace-separated.

    Languages come from the arguments or from a MUSE file name such as `en-es.txt` / `en-es.0-5000.txt`.
    """
    path = Path(path)
    if src is None or tgt is None:
        match = MUSE_NAME.match(path.name)
        if match is None:
            raise ConfigError(
                f"{path}: name the languages (src=, tgt=) or call the file <src>-<tgt>.txt, e.g. en-es.txt"
            )
        src, tgt = src or match.group(1), tgt or match.group(2)
    builder = EntryBuilder()
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


def save_muse(lexicon: Lexicon, path: str | Path) -> Path:
    """Write `lexicon` as a MUSE file (one `source target` pair per line; multiwords are skipped)."""
    path = Path(path)
    lines = [
        f"{word} {translation}\n"
        for word, translations in lexicon.entries.items()
        if " " not in word
        for translation in translations
        if " " not in translation
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path
