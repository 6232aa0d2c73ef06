"""Mueller's English-Russian dictionary (Debian `mueller7-dict`, dictd format, GPL-2+), read as it means it.

An entry is the headword line, then `[pronunciation]`, parts of speech as labels (`1. _n.`,
`2. _a.`), senses numbered `1)` (sub-senses `а)`), each a list of translations separated by `;`
or `,`, with usage examples run in: an English phrase and its Russian rendering (`new discovery
новое открытие`). A `;`-group holding a Latin letter starts the examples or is a cross-reference
(`= rattle-box`), so it and the rest of its sense are rejected; labels (`_разг.`) and notes in
parentheses are dropped, and a sense with a register or domain label counts as labelled (ranked
after the plain ones). Candidates pass the same checks as FreeDict's (`freedict_entry`).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from generator.errors import ConfigError, InputError
from generator.lexicons.cache import cache_file, default_cache_dir, read_cache, write_cache
from generator.lexicons.freedict import b64_number, is_metadata
from generator.lexicons.freedict_entry import MAX_TRANSLATION_WORDS, candidate_reason
from generator.lexicons.lexicon import EntryBuilder, Lexicon, Rejections

PARSER_VERSION = 1
MUELLER_INDEX = "mueller7.index"
EXAMPLES_PER_REASON = 3

_PRONUNCIATION = re.compile(r"\[[^\]]*\]")
_PARENS = re.compile(r"\([^()]*\)")
_SENSE_MARK = re.compile(r"(?:^|\s)(\d+\.|\d+\)|[а-я]\))\s")
_SUB_SENSE = re.compile(r"[а-я]\)")
_LABEL = re.compile(r"_[^\s.;,]+\.?")
_HOMONYM = re.compile(r"_(?:I|II|III|IV|V|VI)\b")
# Part-of-speech labels (not register or domain labels) and labels of inflected-form references.
_POS_LABELS = frozenset(
    [
        "_n.",
        "_v.",
        "_a.",
        "_adv.",
        "_prep.",
        "_cj.",
        "_pron.",
        "_int.",
        "_num.",
        "_n-ord.",
        "_poss.",
        "_refl.",
        "_pass.",
        "_predic.",
        "_emph.",
        "_part.",
        "_sing.",
        "_pl.",
        "_attr.",
        "_pres-p.",
        "_p-p.",
        "_past",
    ]
)
_FORM_LABELS = frozenset({"_pres-p.", "_p-p.", "_past", "_pl."})
_LATIN = re.compile(r"[A-Za-z]")
_CONJUNCTION = re.compile(r"^\s*sj\b")  # the conjunction label, written without its underscore
_SPACES = re.compile(r"\s+")


def _senses(body: str) -> list[str]:
    """The text of each numbered sense of an entry body (headword line removed), labels kept.

    Sub-senses (`а)`, `б)`) that follow an English phrase are the senses of that example phrase
    (`in good time а) точно; б) заранее`), not of the headword, and are left out.
    """
    text = _SPACES.sub(" ", _HOMONYM.sub(" ", _PRONUNCIATION.sub(" ", body)))
    while _PARENS.search(text):
        text = _PARENS.sub(" ", text)
    parts = _SENSE_MARK.split(text)  # [text, mark, text, mark, text, ...]
    senses = [parts[0]]
    of_example = False
    for mark, part in zip(parts[1::2], parts[2::2], strict=True):
        if _SUB_SENSE.match(mark):
            of_example = of_example or bool(_LATIN.search(senses[-1].rsplit(";", 1)[-1]))
        else:
            of_example = False
        senses.append("" if of_example else part)
    return [sense.strip() for sense in senses if sense.strip()]


def parse_mueller_entry(body: str, report: Rejections, max_words: int = MAX_TRANSLATION_WORDS) -> list[str]:
    """The translations of one entry, unlabelled groups first; rejected candidates are counted in `report`."""
    headword = body.split("\n", 1)[0].strip()
    plain: list[str] = []
    labelled: list[str] = []
    for sense in _senses(body.split("\n", 1)[1] if "\n" in body else ""):
        groups = sense.split(";")
        for g, group in enumerate(groups):
            labels = _LABEL.findall(group)
            if any(label in _FORM_LABELS for label in labels):
                _reject(report, "inflected-form reference", f"{headword}: {group.strip()}")
                continue
            kept = labelled if any(label not in _POS_LABELS for label in labels) else plain
            group = _CONJUNCTION.sub(" ", _LABEL.sub(" ", group))
            if _LATIN.search(group) or group.strip().startswith("="):  # examples follow the translations
                _reject(report, "example or cross-reference", f"{headword}: {';'.join(groups[g:]).strip()}")
                break
            for candidate in (_SPACES.sub(" ", c).strip(" .") for c in group.split(",")):
                if not candidate:
                    continue
                reason = candidate_reason(candidate, headword, True, max_words)
                if reason:
                    _reject(report, reason, f"{headword}: {candidate}")
                else:
                    kept.append(candidate)
    return list(dict.fromkeys(plain + labelled))


def _reject(report: Rejections, reason: str, text: str) -> None:
    count, examples = report.get(reason, (0, []))
    if len(examples) < EXAMPLES_PER_REASON and text not in examples:
        examples.append(text)
    report[reason] = (count + 1, examples)


def _parse(index: Path, data: Path, max_words: int) -> tuple[dict[str, list[str]], Rejections]:
    raw = gzip.decompress(data.read_bytes()) if data.suffix == ".dz" else data.read_bytes()
    builder = EntryBuilder()
    report: Rejections = {}
    with index.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise InputError(
                    str(index), f"line {number}", "entry", "expected 'headword<TAB>offset<TAB>length'"
                )
            if is_metadata(parts[0]):
                continue
            start, length = b64_number(parts[1]), b64_number(parts[2])
            body = raw[start : start + length].decode("utf-8", errors="replace")
            headword = body.split("\n", 1)[0].strip()
            if headword[:1].isupper():  # names and abbreviations (`Tom`, `UN`): never switched
                _reject(report, "name or abbreviation", headword)
                continue
            for translation in parse_mueller_entry(body, report, max_words):
                builder.add(headword, translation)
    return builder.entries, report


def load_mueller(
    index: str | Path, *, cache_dir: str | Path | None = None, max_words: int = MAX_TRANSLATION_WORDS
) -> Lexicon:
    """Mueller's English-Russian dictionary (`mueller7.index` + `mueller7.dict.dz`), cached after the first parse."""
    index = Path(index)
    data = index.with_name("mueller7.dict.dz")
    if not index.exists() or not data.exists():
        raise ConfigError(f"{index} or {data} is missing; install it with apt-get install mueller7-dict")
    cache = cache_file(
        data, Path(cache_dir) if cache_dir else default_cache_dir(), PARSER_VERSION, f"mueller|{max_words}"
    )
    parsed = read_cache(cache)
    if parsed is None:
        parsed = _parse(index, data, max_words)
        write_cache(cache, parsed)
    return Lexicon("en", "ru", parsed[0], f"mueller:{index}", parsed[1])
