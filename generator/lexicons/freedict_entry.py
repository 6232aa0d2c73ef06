"""One FreeDict dictd entry read as the format means it: headword line, senses, and what is not a translation.

An entry (as FreeDict's TEI -> dictd conversion writes it) is a headword line —
`headword /pronunciation/ (inflected or alternative forms) <part of speech>` — then senses: a line
optionally numbered `1.`, holding the translations separated by `,` or `;`, each possibly followed by
`<grammar>`, `[domain]` or `(note)`. Lines after a sense's translation line are not translations:
examples (`"..."`, or after the first full stop of a numbered free-text sense), cross-references
(`see:`, `Synonyms:`, `{...}`, Turkish `(bak.)`), notes (`Note:`) and English definitions of the
sense (Wiktionary-based dictionaries write the definition on the line after the translation; a sense
number run on to the end of a line, `粗い 2.`, opens a sense that holds only a definition).
Every candidate that is not kept is returned with the reason it was rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TRANSLATION_WORDS = 4

_PRONUNCIATION = re.compile(r"/+[^/]*/+")
_ANGLE = re.compile(r"<([^>]*)>")
_BRACKETED = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_PAREN_LABEL = re.compile(r"\(([^)]*)\)")
_SQUARE_LABEL = re.compile(r"\[([^\]]*)\]")
_PLACEHOLDER = re.compile(r"\b(?:sth|sb|etw|jdn|jdm|jds|jd)\.(?:/(?:sth|sb|etw|jdn|jdm|jds|jd)\.)*")
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")
_RUN_ON_NUMBER = re.compile(r"\s+\d+\.\s*$")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_SEPARATORS = re.compile(r"[,;]")
_BAD_CHARS = re.compile(r"[\d./\\()\[\]{}<>=\"…|:!?+*&%#@]")
_SPACES = re.compile(r"\s+")
_STRESS = re.compile("[\u0300\u0301]")  # stress accents some dictionaries mark (eng-bul `прия́тел`)
_TRAILING_CODE = re.compile(r"\s+[A-Z]{2,3}$")  # a country or language code after the word
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
_NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-zÀ-ɏ]")
_CROSS_REFERENCE = ("see:", "see also:", "synonym:", "synonyms:", "antonym:", "antonyms:", "{", "=")
_NOTE = ("note:", "usage:")
# Labels that say a sense is not a translation: cross-references, abbreviations, affixes (FreeDict
# eng-tur writes them in Turkish: bak. = see, kıs. = abbreviation, önek/sonek = prefix/suffix).
_LABEL_REASONS = {
    "bak.": "cross-reference",
    "bak": "cross-reference",
    "see": "cross-reference",
    "kıs.": "abbreviation",
    "kıs": "abbreviation",
    "abbr.": "abbreviation",
    "abbr": "abbreviation",
    "önek": "affix",
    "sonek": "affix",
    "prefix": "affix",
    "suffix": "affix",
}


@dataclass(slots=True)
class Sense:
    """The translations of one sense; `labelled` when a domain or register label restricts it."""

    translations: list[str] = field(default_factory=list)
    labelled: bool = False


@dataclass(slots=True)
class DictdEntry:
    """A parsed entry: headword (as its headword line writes it), pronunciation, senses and rejections."""

    headword: str
    pronunciation: str
    pos: str
    senses: list[Sense] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (reason, text)


def clean_headword(line: str) -> str:
    """The headword of a headword line: pronunciation, forms, labels and placeholders removed."""
    head = _PRONUNCIATION.split(line, 1)[0] if "/" in line else line
    head = _PLACEHOLDER.sub(" ", _BRACKETED.sub(" ", head))
    return _SPACES.sub(" ", head.replace("…", " ")).strip(" .,;")


def _pronunciation(line: str) -> str:
    match = _PRONUNCIATION.search(line)
    return match.group(0).strip("/").replace("ˈ", "").replace("ˌ", "") if match else ""


def _pos(line: str) -> str:
    tags = [t.strip() for t in _ANGLE.findall(_PRONUNCIATION.sub(" ", line)) if t.strip()]
    return tags[-1].lower() if tags else ""


def _labels(text: str) -> list[str]:
    return [label.strip().lower() for label in _PAREN_LABEL.findall(text) + _SQUARE_LABEL.findall(text)]


def _word_count(text: str) -> int:
    return text.count(" ") + 1


def candidate_reason(candidate: str, headword: str, non_latin_target: bool, max_words: int) -> str:
    """Why `candidate` is not a translation of `headword`, or "" when it is one."""
    if not _LETTER.search(candidate):
        return "not a word"
    if candidate.startswith("-") or candidate.endswith("-") or "- " in candidate:
        return "affix"
    if _BAD_CHARS.search(candidate):
        return "not a word"
    if non_latin_target and _LATIN.search(candidate) and not _NON_LATIN_LETTER.search(candidate):
        return "not in the target script"
    if _word_count(candidate) > min(max_words, max(2, _word_count(headword) + 1)):
        return "definition"
    return ""


def _translation_line(
    text: str, entry: DictdEntry, non_latin_target: bool, max_words: int, free_text: bool
) -> Sense:
    sense = Sense()
    for label in _labels(text):
        reason = _LABEL_REASONS.get(label)
        if reason is not None:
            entry.rejected.append((reason, text))
            return sense
    sense.labelled = any(label and not label.startswith(("+", "wo", "wann")) for label in _labels(text))
    body = _PLACEHOLDER.sub(" ", _BRACKETED.sub(" ", text)).replace("~", " ")
    if free_text:  # numbered free-text senses (eng-tur): examples follow the first full stop
        end = _SENTENCE_END.search(body)
        if end is not None:
            if body[end.end() :].strip():
                entry.rejected.append(("example", body[end.end() :].strip()))
            body = body[: end.start()]
    for part in _SEPARATORS.split(body):
        candidate = _TRAILING_CODE.sub("", _STRESS.sub("", _SPACES.sub(" ", part).strip(" '‘’")))
        if not candidate:
            continue
        reason = candidate_reason(candidate, entry.headword, non_latin_target, max_words)
        if reason:
            entry.rejected.append((reason, candidate))
        elif candidate not in sense.translations:
            sense.translations.append(candidate)
    return sense


def parse_entry(
    body: str, *, non_latin_target: bool = False, max_words: int = MAX_TRANSLATION_WORDS
) -> DictdEntry:
    """Parse one dictd entry; `non_latin_target` rejects Latin-only candidates (English glosses)."""
    lines = body.split("\n")
    first = lines[0]
    entry = DictdEntry(clean_headword(first), _pronunciation(first), _pos(first))
    sense_open = False  # a translation line was read in the current sense
    definition_only = False  # the current sense was opened by a run-on number: it holds a definition
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped:
            continue
        low = stripped.lower()
        if stripped.startswith('"'):
            entry.rejected.append(("example", stripped))
            continue
        if low.startswith(_CROSS_REFERENCE):
            entry.rejected.append(("cross-reference", stripped))
            continue
        if low.startswith(_NOTE):
            entry.rejected.append(("note", stripped))
            continue
        numbered = _SENSE_NUMBER.match(stripped)
        if numbered:
            stripped = stripped[numbered.end() :]
            sense_open, definition_only = False, False
            if not stripped:  # a bare number: the sense holds only a definition
                definition_only = True
                continue
        run_on = _RUN_ON_NUMBER.search(stripped)
        if run_on:
            stripped = stripped[: run_on.start()]
        if sense_open or definition_only:
            entry.rejected.append(("definition", stripped))
        else:
            sense = _translation_line(stripped, entry, non_latin_target, max_words, bool(numbered))
            if sense.translations:
                entry.senses.append(sense)
            sense_open = True
        if run_on:
            sense_open, definition_only = False, True
    if not entry.senses and not entry.rejected:
        entry.rejected.append(("no translation", first))
    return entry
