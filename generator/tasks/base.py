"""What every task format shares: the format spec, read results, record collection and file helpers.

A format's parser walks a file and yields one `(where, build)` record per example; `collect` runs
each `build`, turning a `FieldError` into an `InputError` that names the file and position, so
`TaskFormat.read` can either stop at the first bad record or skip and count it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import ConfigError, InputError
from generator.example import Example, Kind

Parsed = Example | InputError
Parser = Callable[[Path], Iterator[Parsed]]
Emitter = Callable[[Sequence[Example], Path], None]
Record = tuple[str, Callable[[], Example]]

EXTRA = "extra"
"""Meta key holding the source fields an `Example` has no place for, as one JSON object."""


class FieldError(Exception):
    """A bad field in the record being built; `collect` adds the file and the record position."""

    def __init__(self, field: str, problem: str, *, where: str = "", path: Path | None = None) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem, self.where, self.path = field, problem, where, path


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The examples read from one file and the bad records skipped on the way."""

    examples: list[Example]
    errors: list[InputError] = field(default_factory=list)


@dataclass(frozen=True)
class TaskFormat:
    """One on-disk task format: what it holds, how to read it into Examples and write them back."""

    name: str
    kind: Kind
    family: str
    labels: tuple[str, ...]
    description: str
    extensions: tuple[str, ...]
    parse: Parser = field(repr=False, compare=False)
    emit: Emitter = field(repr=False, compare=False)

    def read(self, path: str | Path, *, skip_invalid: bool = False) -> ReadResult:
        """Read a file; a bad record raises `InputError`, or is skipped and counted with `skip_invalid`."""
        source = Path(path)
        if not source.is_file():
            raise InputError(str(source), "file", "path", f"no such file; give an existing {self.name} file")
        examples: list[Example] = []
        errors: list[InputError] = []
        for item in self.parse(source):
            if isinstance(item, Example):
                examples.append(item)
            elif skip_invalid:
                errors.append(item)
            else:
                raise item
        return ReadResult(examples, errors)

    def write(self, examples: Sequence[Example], path: str | Path) -> None:
        """Write examples in this format (creating parent folders)."""
        for example in examples:
            if example.kind != self.kind:
                raise ConfigError(
                    f"{self.name} writes {self.kind} examples, but example {example.id} is {example.kind}; "
                    "pick a format of the example's kind"
                )
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.emit(examples, target)


def collect(path: Path, records: Iterable[Record]) -> Iterator[Parsed]:
    """Build one example per record; a bad record or a repeated id becomes an `InputError` in the stream."""
    seen: set[str] = set()
    for where, build in records:
        try:
            example = build()
            if example.id in seen:
                raise FieldError("id", f"'{example.id}' repeats an earlier record's id; ids must be unique")
        except FieldError as err:
            yield InputError(str(err.path or path), err.where or where, err.field, err.problem)
            continue
        seen.add(example.id)
        yield example


def per_line(
    path: Path, build: Callable[[int, str], Example], lines: Iterable[tuple[int, str]] | None = None
) -> Iterator[Parsed]:
    """One example per non-blank line, `build(number, line)`, positioned "line N".

    `lines` replaces `numbered(path)` when the caller has already read past a header.
    """
    rows = numbered(path) if lines is None else lines
    return collect(path, ((f"line {n}", partial(build, n, line)) for n, line in rows))


def fail(field: str, problem: str) -> Example:
    """A record builder for a record already known to be bad."""
    raise FieldError(field, problem)


def need(obj: Any, key: str, kind: type | tuple[type, ...] = str, *, prefix: str = "") -> Any:
    """`obj[key]`, checked to exist and to have the JSON type `kind`."""
    name = f"{prefix}{key}"
    if not isinstance(obj, Mapping):
        raise FieldError(prefix.rstrip(".") or "(record)", "should be a JSON object")
    if key not in obj:
        raise FieldError(name, "is missing")
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise FieldError(name, f"should be {_type_name(kind)}, got {type(value).__name__} {value!r:.40}")
    return value


def need_strings(obj: Any, key: str, *, prefix: str = "") -> list[str]:
    """`obj[key]` checked to be a non-empty list of strings."""
    values = need(obj, key, list, prefix=prefix)
    if not values or not all(isinstance(value, str) for value in values):
        raise FieldError(f"{prefix}{key}", "should be a non-empty list of strings")
    return list(values)


def label_index(value: Any, codes: Mapping[str, int], field: str) -> int:
    """The label index of a label code; JSON integers are read as their decimal code."""
    code = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(code, str) or code not in codes:
        known = ", ".join(sorted(codes))
        raise FieldError(field, f"{value!r} is not one of the labels ({known})")
    return codes[code]


def choice_label(
    value: Any, count: int, field: str, *, base: int = 0, where: str = "", path: Path | None = None
) -> int:
    """A choice index given as an int or a digit string, counted from `base`, checked to be in range."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not base <= value < base + count:
        raise FieldError(
            field,
            f"{value!r} is not a choice number from {base} to {base + count - 1}",
            where=where,
            path=path,
        )
    return value - base


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", list: "a list", dict: "an object", bool: "true/false"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def extra_meta(obj: Mapping[str, Any], known: Iterable[str]) -> dict[str, str]:
    """Meta holding the fields of `obj` not in `known`, so a writer can put them back."""
    skip = set(known)
    rest = {key: value for key, value in obj.items() if key not in skip}
    return {EXTRA: json.dumps(rest, ensure_ascii=False)} if rest else {}


def extra_fields(example: Example) -> dict[str, Any]:
    """The source fields `extra_meta` kept for this example."""
    rest: dict[str, Any] = json.loads(example.meta.get(EXTRA, "{}"))
    return rest


def load_json(path: Path) -> Any:
    """A whole JSON file; a syntax error names its line and column."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(str(path), f"line {err.lineno} column {err.colno}", "(json)", err.msg) from None
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"byte {err.start}", "(encoding)", "not UTF-8; re-encode") from None


def json_object(text: str) -> dict[str, Any]:
    """One JSON-lines record, checked to be an object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise FieldError("(json)", f"not valid JSON: {err.msg} at column {err.colno}") from None
    if not isinstance(value, dict):
        raise FieldError("(json)", f"should be a JSON object, got {type(value).__name__}")
    return value


def read_lines(path: Path) -> list[str]:
    """The lines of a text file, split on newlines only (a stray U+2028 stays inside its line)."""
    try:
        with path.open(encoding="utf-8", newline="\n") as handle:
            return [line.rstrip("\n").removesuffix("\r") for line in handle]
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"byte {err.start}", "(encoding)", "not UTF-8; re-encode") from None


def numbered(path: Path) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers."""
    for number, line in enumerate(read_lines(path), 1):
        if line.strip():
            yield number, line


def columns(line: str, names: Sequence[str]) -> list[str]:
    """The tab-separated cells of a line, checked to be one per column name."""
    cells = line.split("\t")
    if len(cells) != len(names):
        raise FieldError(
            "columns", f"has {len(cells)} tab-separated columns, expected {len(names)} ({' '.join(names)})"
        )
    return cells


def line_id(path: Path, number: int) -> str:
    """The id of the record starting on line `number`: stable as long as the file name and layout are."""
    return f"{path.stem}-{number}"


def lang_from_name(path: Path, pattern: str | None, default: str = "en") -> str:
    """The language code the file name carries by the format's naming convention, else `default`."""
    match = re.search(pattern, path.name) if pattern else None
    return match.group(1) if match else default


def cell(example: Example, field: str, value: str, path: Path) -> str:
    """A value checked to fit in one cell of a line-based file."""
    if "\t" in value or "\n" in value or "\r" in value:
        raise InputError(
            str(path),
            f"example {example.id}",
            field,
            "holds a tab or line break, which this format cannot store",
        )
    return value


def write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write lines, each ending in a newline."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line + "\n")


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write one JSON object per line, non-ASCII kept as is."""
    write_lines(path, (json.dumps(row, ensure_ascii=False) for row in rows))


def write_json(path: Path, value: Any) -> None:
    """Write one JSON document, non-ASCII kept as is."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
