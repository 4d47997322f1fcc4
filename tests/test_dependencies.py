"""What the product imports is what ``pip install -e .`` installs.

The README's run command installs the project without its ``test`` extra; a module that the app
imports from a test-only package starts in the test suite and fails on a newcomer's machine (it
did: the print batches imported pypdf, listed only under ``test``)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: what the installed product runs: the package, the app module and the migrations
PRODUCT = [
    *sorted((ROOT / "witness").rglob("*.py")),
    ROOT / "app.py",
    *sorted((ROOT / "migrations").rglob("*.py")),
]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(section: str | None = None) -> set[str]:
    """Distribution names in ``[project.dependencies]`` (or an optional-dependencies section)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["optional-dependencies"][section] if section else project["dependencies"]
    return {_normalise(re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0]) for spec in specs}


def third_party_imports(path: Path) -> set[str]:
    """Top-level names of the non-standard-library modules ``path`` imports, at any depth."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return {
        name
        for name in found
        if name not in sys.stdlib_module_names and name not in {"witness", "app", "__future__"}
    }


def undeclared(paths: list[Path], allowed: set[str]) -> dict[str, list[str]]:
    """Imported top-level module → the files importing it, where no allowed distribution has it."""
    owners = packages_distributions()
    missing: dict[str, list[str]] = {}
    for path in paths:
        for module in third_party_imports(path):
            distributions = {_normalise(d) for d in owners.get(module, [module])}
            if not distributions & allowed:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                missing.setdefault(module, []).append(str(where))
    return missing


def test_every_module_the_product_imports_is_a_declared_dependency():
    assert undeclared(PRODUCT, declared()) == {}


def test_the_check_sees_a_package_that_only_the_tests_install(tmp_path):
    module = tmp_path / "jobs.py"
    module.write_text(
        "from aiosmtpd.controller import Controller\nimport json\n"
        "from witness.core import db\nfrom pypdf import PdfWriter\n"
    )
    assert undeclared([module], declared() | declared("test")) == {}
    assert undeclared([module], declared()) == {"aiosmtpd": ["jobs.py"]}
