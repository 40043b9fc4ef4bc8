"""The layers hold by test, not by habit (STYLE.md "The shape of the code"): the pure core
reads no database, terminal or environment; use cases print nothing; commands reach the
database only through the store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "benefit_cli"

# layer -> modules it must never import (a module or any of its submodules)
FORBIDDEN = {
    "domain": ["sqlite3", "sqlite_utils", "typer", "click", "rich", "tabulate", "os", "benefit_cli.db",
               "benefit_cli.services", "benefit_cli.reports", "benefit_cli.cli", "benefit_cli.render",
               "benefit_cli.csvio", "benefit_cli.app"],
    "db": ["typer", "click", "rich", "tabulate", "benefit_cli.services", "benefit_cli.reports",
           "benefit_cli.cli", "benefit_cli.render", "benefit_cli.app"],
    "services": ["typer", "click", "rich", "tabulate", "benefit_cli.cli", "benefit_cli.render",
                 "benefit_cli.reports", "benefit_cli.app"],
    "reports": ["typer", "click", "benefit_cli.cli", "benefit_cli.services.importing", "benefit_cli.app"],
    "cli": ["sqlite3", "sqlite_utils"],
}


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


CASES = [(layer, path) for layer in FORBIDDEN for path in modules(layer)]


@pytest.mark.parametrize(("layer", "path"), CASES, ids=[str(p.relative_to(PACKAGE)) for _, p in CASES])
def test_a_layer_imports_nothing_it_must_not(layer: str, path: Path) -> None:
    wrong = sorted(
        name for name in imports_of(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    )
    assert wrong == [], f"{path.relative_to(PACKAGE)} ({layer}) imports {wrong}"


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import sqlite3\n    from rich.console import Console\n")
    assert imports_of(sample) >= {"sqlite3", "rich.console", "rich.console.Console"}


def test_every_layer_is_checked() -> None:
    layers = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert layers - {"csvio"} == set(FORBIDDEN)
