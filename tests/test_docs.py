"""The user docs cannot drift: the language table is generated, every `xstilts` command shown is real."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from xstilts.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DOC_FILES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
_INLINE = re.compile(r"`([^`\n]+)`")
# `xstilts` as a command word (line start, after whitespace, a prompt or a shell operator), then a verb.
_COMMAND = re.compile(r"(?:^|(?<=[\s$(|;&]))xstilts\s+([a-z][a-z0-9-]*)((?:[ \t]+[^\s|;&)]+)*)")
_COMMENT = re.compile(r"(?:^|\s)#.*$")  # a shell comment
_OPTION = re.compile(r"^--[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class Mention:
    """One `xstilts <verb> ...` command found in a doc."""

    doc: str
    verb: str
    words: tuple[str, ...]


def _code_texts(text: str) -> list[str]:
    """Fenced blocks (backslash continuations joined) and inline code spans of a Markdown text."""
    blocks = [block.replace("\\\n", " ") for block in _FENCE.findall(text)]
    prose = _FENCE.sub("", text)
    return blocks + _INLINE.findall(prose)


def mentions(path: Path) -> list[Mention]:
    found = []
    for code in _code_texts(path.read_text(encoding="utf-8")):
        for line in code.splitlines():
            for match in _COMMAND.finditer(_COMMENT.sub("", line)):
                found.append(Mention(path.name, match.group(1), tuple(match.group(2).split())))
    return found


ALL_MENTIONS = [m for path in DOC_FILES for m in mentions(path)]
ROOT_COMMAND = typer.main.get_command(app)


def _resolve(mention: Mention) -> tuple[list[str], Any]:
    """The command path (verb, and subcommand of a group) and the click command it names."""
    verbs: dict[str, Any] = getattr(ROOT_COMMAND, "commands", {})
    command = verbs.get(mention.verb)
    assert command is not None, (
        f"{mention.doc}: `xstilts {mention.verb}` is not a verb of the CLI; verbs: {', '.join(sorted(verbs))}"
    )
    path = [mention.verb]
    if hasattr(command, "commands"):
        sub = mention.words[0] if mention.words else ""
        assert sub in command.commands, (
            f"{mention.doc}: `xstilts {mention.verb} {sub}`: {mention.verb} takes one of "
            f"{', '.join(sorted(command.commands))}"
        )
        path.append(sub)
        command = command.commands[sub]
    return path, command


def test_docs_mention_commands() -> None:
    assert {m.doc for m in ALL_MENTIONS} >= {"README.md", "api.md", "generation.md", "trainer.md"}


@pytest.mark.parametrize(
    "mention", ALL_MENTIONS, ids=[f"{m.doc}:{m.verb}:{' '.join(m.words)[:40]}" for m in ALL_MENTIONS]
)
def test_documented_command_exists(mention: Mention) -> None:
    path, command = _resolve(mention)
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, f"{mention.doc}: `xstilts {' '.join(path)} --help` failed:\n{result.output}"
    options = {opt: param for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    # Usage brackets (`[--tier low]`) mark optional parts; the words inside still have to be valid.
    words = [w.strip("[]") for w in mention.words[len(path) - 1 :] if w.strip("[]")]
    positional = 0
    while words:
        word = words.pop(0)
        option = _OPTION.match(word)
        if option is None:
            positional += 1
            continue
        name = option.group(0)
        assert name in options or name == "--help", (
            f"{mention.doc}: `xstilts {' '.join(path)}` has no option {name}; "
            f"it takes {', '.join(sorted(options))}"
        )
        param = options.get(name)
        if param is not None and not param.is_flag and "=" not in word and words:
            words.pop(0)
    unlimited = any(p.nargs == -1 for p in arguments)
    assert unlimited or positional <= len(arguments), (
        f"{mention.doc}: `xstilts {' '.join((mention.verb, *mention.words))}` "
        f"passes {positional} argument(s); `xstilts {' '.join(path)}` takes {len(arguments)} "
        f"({', '.join(p.name or '' for p in arguments) or 'only options'})"
    )


def test_mention_parser_finds_verbs_and_options(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "xstilts turns data into data.\n\n```bash\n$ xstilts keys create --name ci\n"
        "xstilts generate --task squad \\\n  --out out\n```\n\nRun `xstilts grid CONFIG --seeds 1,2`.\n",
        encoding="utf-8",
    )
    found = [(m.verb, m.words) for m in mentions(doc)]
    assert found == [
        ("keys", ("create", "--name", "ci")),
        ("generate", ("--task", "squad", "--out", "out")),
        ("grid", ("CONFIG", "--seeds", "1,2")),
    ]


def test_unknown_verb_and_option_are_caught() -> None:
    with pytest.raises(AssertionError, match="not a verb"):
        _resolve(Mention("x.md", "frobnicate", ()))
    with pytest.raises(AssertionError, match="has no option --colour"):
        test_documented_command_exists(Mention("x.md", "inspect", ("DIR", "--colour")))
    with pytest.raises(AssertionError, match="passes 1 argument"):
        test_documented_command_exists(Mention("x.md", "keys", ("create", "NAME")))
    test_documented_command_exists(Mention("x.md", "keys", ("create", "--name", "ci", "--rate-limit", "5")))
    test_documented_command_exists(Mention("x.md", "generate", ("--skip-invalid", "--out", "o")))


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_languages", DOCS / "gen_languages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_languages_md_is_generated_from_the_registry() -> None:
    from generator.languages import LANGUAGES

    expected = _generator().render()
    assert (DOCS / "languages.md").read_text(encoding="utf-8") == expected, (
        "docs/languages.md is out of date; run python docs/gen_languages.py"
    )
    rows = [line for line in expected.splitlines() if re.match(r"^\| [a-z]{2} \|", line)]
    assert [row.split(" | ")[0].strip("| ") for row in rows] == list(LANGUAGES)
