"""The house rules a newcomer relies on (ARCHITECTURE.md), checked on the source itself: views
hold no query and no transaction, no module grows past 600 lines nor a function past 80 (unless
its docstring says why), and imports only point downward — no cycle between ``witness``
modules, counting imports made inside functions (only ``if TYPE_CHECKING:`` blocks are free)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "witness"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: a longer function says so in its docstring, with the reason
LONG_REASON = re.compile(r"^\s*Long because\b", re.MULTILINE)
VIEW_FORBIDDEN = re.compile(r"\bselect\(|\.commit\(|\.rollback\(")


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The ``witness`` modules ``path`` imports at run time, at any depth."""
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if _is_type_checking(node.test):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(a.name for a in node.names if a.name.split(".")[0] == "witness")

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            module = node.module or ""
            if module.split(".")[0] != "witness":
                return
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in known else module)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_cycles() -> list[list[str]]:
    """Strongly connected components of more than one module in the import graph."""
    known = modules()
    graph = {
        name: sorted(m for m in imports_of(path, known) if m in known and m != name)
        for name, path in known.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycle_between_witness_modules():
    assert import_cycles() == []


def test_no_module_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_over_80_lines_without_a_reason():
    long = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            docstring = ast.get_docstring(node) or ""
            if length > MAX_FUNCTION_LINES and not LONG_REASON.search(docstring):
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    assert long == []


@pytest.mark.parametrize(
    "path",
    sorted(
        p for p in PACKAGE.rglob("*.py") if p.name == "views.py" or p.name.endswith("_views.py")
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_views_hold_no_query_and_no_transaction(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [
        f"{n}: {line.strip()}" for n, line in enumerate(lines, 1) if VIEW_FORBIDDEN.search(line)
    ]
    assert found == []


def test_the_checks_would_see_a_cycle_and_a_query(tmp_path, monkeypatch):
    """The checks themselves: a cycle made of two modules that import each other inside
    functions is found, and so is a select( in a view."""
    package = tmp_path / "witness"
    (package / "a").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a" / "__init__.py").write_text("")
    (package / "a" / "one.py").write_text("def f():\n    from witness.a import two\n")
    (package / "a" / "two.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from witness.b import x\n"
        "def g():\n    import witness.a.one\n"
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "PACKAGE", package)
    assert import_cycles() == [["witness.a.one", "witness.a.two"]]
    assert VIEW_FORBIDDEN.search("    rows = db.scalars(select(Witness))")


def test_the_mutation_testing_configuration_names_files_that_exist():
    """`python -m mutmut run` refuses to start when a test path it names has moved."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    named = config["only_mutate"] + config["pytest_add_cli_args_test_selection"]
    assert [path for path in named if not (ROOT / path).exists()] == []
