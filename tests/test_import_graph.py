"""The import graph of the four packages, read from source: no cycles, no arrow against the direction.

The allowed directions are the table in docs/architecture.md, so the doc and the code cannot drift.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("generator", "service", "trainer", "xstilts")
ARCHITECTURE = ROOT / "docs" / "architecture.md"
_RULE_ROW = re.compile(r"^\|\s*`(\w+)`\s*\|(.*)\|\s*$")


def module_files() -> dict[str, Path]:
    """Dotted module name -> source file, for every module of the four packages."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_package(module: str, files: dict[str, Path]) -> bool:
    return files[module].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom, files: dict[str, Path]) -> str:
    """The absolute module a `from ... import` names, relative levels resolved."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not _is_package(module, files):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, files: dict[str, Path]) -> Iterator[str]:
    """Every project module `module` imports, anywhere in the file (functions, TYPE_CHECKING included).

    `from pkg import mod` is an edge to both `pkg` (its __init__) and `pkg.mod`.
    """
    tree = ast.parse(files[module].read_text(encoding="utf-8"), filename=str(files[module]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in files:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, files)
            if target in files:
                yield target
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in files:
                    yield submodule


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    return {module: {t for t in imports_of(module, files) if t != module} for module in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def allowed_imports() -> dict[str, tuple[str, ...]]:
    """Package -> the other packages or modules it may import, from the table in docs/architecture.md."""
    rules: dict[str, tuple[str, ...]] = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        match = _RULE_ROW.match(line)
        if match and match.group(1) in PACKAGES:
            rules[match.group(1)] = tuple(re.findall(r"`([\w.]+)`", match.group(2)))
    return rules


def _permitted(target: str, allowed: tuple[str, ...]) -> bool:
    return any(target == prefix or target.startswith(prefix + ".") for prefix in allowed)


def violations(graph: dict[str, set[str]], rules: dict[str, tuple[str, ...]]) -> list[str]:
    """Every edge from one package into another that the rules do not allow."""
    bad = []
    for module, targets in sorted(graph.items()):
        package = module.split(".")[0]
        for target in sorted(targets):
            if target.split(".")[0] != package and not _permitted(target, rules[package]):
                bad.append(f"{module} -> {target}")
    return bad


def test_the_composition_root_imports_all_three_packages() -> None:
    graph = import_graph()
    assert any(target.startswith("generator") for target in graph["xstilts.cli"])
    assert any(target.startswith("trainer") for target in graph["xstilts.cli"])
    assert any(target.startswith("service") for target in graph["xstilts.cli"])


def test_cycles_are_found_through_function_level_and_from_package_imports(tmp_path: Path) -> None:
    files = {"pkg": tmp_path / "__init__.py", "pkg.a": tmp_path / "a.py", "pkg.b": tmp_path / "b.py"}
    files["pkg"].write_text("from pkg.a import thing\n")
    files["pkg.a"].write_text("def f():\n    from pkg import b\n")
    files["pkg.b"].write_text("from . import a\n")
    graph = {module: set(imports_of(module, files)) - {module} for module in files}
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg", "pkg.b"}, "pkg.b": {"pkg", "pkg.a"}}
    assert cycles(graph) == [["pkg", "pkg.a", "pkg.b"]]


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_architecture_doc_states_a_rule_for_every_package() -> None:
    rules = allowed_imports()
    assert set(rules) == set(PACKAGES), f"docs/architecture.md lacks rules for {set(PACKAGES) - set(rules)}"
    assert rules["generator"] == ()


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_follow_the_documented_direction(package: str) -> None:
    graph = {m: t for m, t in import_graph().items() if m.split(".")[0] == package}
    bad = violations(graph, allowed_imports())
    assert not bad, "imports against docs/architecture.md: " + ", ".join(bad)


def test_a_forbidden_arrow_is_reported() -> None:
    graph = {"trainer.x": {"generator.pipeline", "generator.tasks.qa"}, "service.y": {"trainer.x"}}
    rules = {"trainer": ("generator.tasks",), "service": ("generator",)}
    assert violations(graph, rules) == ["service.y -> trainer.x", "trainer.x -> generator.pipeline"]
