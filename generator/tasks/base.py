"""What every task format shares: the format spec, its file layouts, read results, record collection
and file helpers.

A format's parser walks a file and yields one `(where, build)` record per example; `collect` runs
each `build`, turning a `FieldError` into an `InputError` that names the file and position, so
`TaskFormat.read` can either stop at the first bad record or skip and count it. A parser may also
yield `Skipped`: a record the layout's own reference reader drops with a warning (never fatal).

A format reads one or more file layouts (`Layout`): "xtreme-r" (what google-research/xtreme's
`download_data.sh` leaves), "raw" (the original release of the data set). The layout is given or
detected from the file name and a peek at its content; "hf" data comes from a Hugging Face dataset
id, never from a file.
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
from generator.tasks.files import numbered


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record skipped with a warning, as the layout's reference reader skips it."""

    warning: InputError


Parsed = Example | InputError | Skipped
Parser = Callable[[Path], Iterator[Parsed]]
Emitter = Callable[[Sequence[Example], Path], None]
Record = tuple[str, Callable[[], Example]]

EXTRA = "extra"
"""Meta key holding the source fields an `Example` has no place for, as one JSON object."""

XTREME_R = "xtreme-r"
RAW = "raw"
HF = "hf"
LAYOUTS: dict[str, str] = {
    XTREME_R: "the files google-research/xtreme's scripts/download_data.sh leaves under download/",
    RAW: "the data set's original release (the files XTREME-R's download starts from)",
    HF: "a Hugging Face dataset id (google/xtreme, xcopa, squad, glue, ...), given with `hf:`",
}


class FieldError(Exception):
    """A bad field in the record being built; `collect` adds the file and the record position."""

    def __init__(self, field: str, problem: str, *, where: str = "", path: Path | None = None) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem, self.where, self.path = field, problem, where, path


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The examples read from one file, the bad records skipped on the way, the records the layout
    skips by design (`warnings`), the layout it was read as and, when it holds no gold labels,
    why and where to find them (`no_gold`)."""

    examples: list[Example]
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    layout: str = RAW
    no_gold: str = ""


Sniff = Callable[[Path], bool]
GoldCheck = Callable[[Path, Sequence[Example]], str]


@dataclass(frozen=True)
class Layout:
    """One file layout of a format: how its files are named and shaped, and how they read and write.

    `pattern` (a regex searched in the file name) and `sniff` (a peek at the content) say whether a
    file looks like this layout; a layout without either matches any file.
    """

    name: str
    naming: str
    parse: Parser = field(repr=False, compare=False)
    emit: Emitter = field(repr=False, compare=False)
    pattern: str | None = None
    sniff: Sniff | None = field(default=None, repr=False, compare=False)

    def named(self, path: Path) -> bool:
        return self.pattern is not None and re.search(self.pattern, path.name) is not None

    def looks(self, path: Path) -> bool:
        if self.sniff is not None:
            return self.sniff(path)
        return self.pattern is None or self.named(path)


@dataclass(frozen=True)
class TaskFormat:
    """One task format: what it holds, the file layouts it reads into Examples and writes back."""

    name: str
    kind: Kind
    family: str
    labels: tuple[str, ...]
    description: str
    extensions: tuple[str, ...]
    layouts: tuple[Layout, ...] = field(repr=False, compare=False)
    gold: GoldCheck | None = field(default=None, repr=False, compare=False)

    def layout_for(self, path: Path, asked: str | None = None, *, reading: bool = True) -> Layout:
        """The layout `asked` for (checked against the file), else the one the file name and content show.

        Reading, a layout recognised by its content beats one recognised by its name, which beats a
        catch-all; writing, the file name decides, else the format's first layout.
        """
        if asked == HF:
            raise ConfigError(
                f"{path}: layout 'hf' is read from a Hugging Face dataset id, not a file; give "
                "`hf: {id: ..., config: ..., split: ...}` instead of a path, or layout xtreme-r / raw"
            )
        names = list(dict.fromkeys(layout.name for layout in self.layouts))
        if asked is not None and asked not in names:
            raise ConfigError(
                f"{self.name} has no layout {asked!r}; its layouts: {', '.join(names)} "
                f"({'; '.join(f'{k}: {v}' for k, v in LAYOUTS.items())})"
            )
        pool = [layout for layout in self.layouts if asked is None or layout.name == asked]
        if not reading:
            return next((layout for layout in pool if layout.named(path)), pool[0])
        fits = [layout for layout in pool if layout.looks(path)]
        if not fits:
            others = [layout for layout in self.layouts if layout not in pool and layout.looks(path)]
            shapes = "; ".join(f"{layout.name}: {layout.naming}" for layout in pool)
            hint = (
                f"; it looks like the {others[0].name} layout ({others[0].naming}): set layout: "
                f"{others[0].name}, or drop layout: to detect it"
                if others
                else ""
            )
            raise InputError(str(path), "file", "layout", f"is not a {self.name} file ({shapes}){hint}")
        return max(fits, key=lambda layout: 2 * (layout.sniff is not None) + layout.named(path))

    def read(self, path: str | Path, *, skip_invalid: bool = False, layout: str | None = None) -> ReadResult:
        """Read a file; a bad record raises `InputError`, or is skipped and counted with `skip_invalid`."""
        source = Path(path)
        if not source.is_file():
            raise InputError(str(source), "file", "path", f"no such file; give an existing {self.name} file")
        chosen = self.layout_for(source, layout)
        examples: list[Example] = []
        errors: list[InputError] = []
        warnings: list[InputError] = []
        for item in chosen.parse(source):
            if isinstance(item, Example):
                examples.append(item)
            elif isinstance(item, Skipped):
                warnings.append(item.warning)
            elif skip_invalid:
                errors.append(item)
            else:
                raise item
        no_gold = self.gold(source, examples) if self.gold is not None and examples else ""
        return ReadResult(examples, errors, warnings, chosen.name, no_gold)

    def write(self, examples: Sequence[Example], path: str | Path, *, layout: str | None = None) -> None:
        """Write examples in this format (creating parent folders), in the layout asked for or the
        one the file name shows (else the format's first)."""
        for example in examples:
            if example.kind != self.kind:
                raise ConfigError(
                    f"{self.name} writes {self.kind} examples, but example {example.id} is {example.kind}; "
                    "pick a format of the example's kind"
                )
        target = Path(path)
        chosen = self.layout_for(target, layout, reading=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        chosen.emit(examples, target)


def one_layout(parse: Parser, emit: Emitter, naming: str, name: str = RAW) -> tuple[Layout, ...]:
    """The layouts of a format whose files have one layout."""
    return (Layout(name, naming, parse, emit),)


class SkipRecord(FieldError):
    """A record the layout's reference reader skips with a warning; `collect` yields it as `Skipped`."""


def collect(path: Path, records: Iterable[Record]) -> Iterator[Parsed]:
    """Build one example per record; a bad record or a repeated id becomes an `InputError` in the stream,
    a `SkipRecord` a `Skipped` warning."""
    seen: set[str] = set()
    for where, build in records:
        try:
            example = build()
            if example.id in seen:
                raise FieldError("id", f"'{example.id}' repeats an earlier record's id; ids must be unique")
        except SkipRecord as err:
            yield Skipped(InputError(str(err.path or path), err.where or where, err.field, err.problem))
            continue
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


TOO_DEEP = "arrays and objects are nested too deeply for a task file; flatten the records"


def load_json(path: Path) -> Any:
    """A whole JSON file; a syntax error names its line and column."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(str(path), f"line {err.lineno} column {err.colno}", "(json)", err.msg) from None
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"byte {err.start}", "(encoding)", "not UTF-8; re-encode") from None
    except RecursionError:
        raise InputError(str(path), "the whole file", "(json)", TOO_DEEP) from None


def json_object(text: str) -> dict[str, Any]:
    """One JSON-lines record, checked to be an object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise FieldError("(json)", f"not valid JSON: {err.msg} at column {err.colno}") from None
    except RecursionError:
        raise FieldError("(json)", TOO_DEEP) from None
    if not isinstance(value, dict):
        raise FieldError("(json)", f"should be a JSON object, got {type(value).__name__}")
    return value


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


def lang_in_name(path: Path, pattern: str, naming: str) -> str:
    """The language code the file name must carry; InputError naming the convention when it does not."""
    match = re.search(pattern, path.name)
    if match is None:
        raise InputError(
            str(path), "file", "path", f"the name does not say the language; name the file {naming}"
        )
    return match.group(1)


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
