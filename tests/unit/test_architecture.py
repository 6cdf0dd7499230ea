"""Dependencies point inwards: the domain knows nothing of HTTP, SQL or the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "ceasefire"

FRAMEWORKS = ("sqlalchemy", "alembic", "fastapi", "starlette", "typer", "click", "uvicorn")
INTERFACES = ("ceasefire.api", "ceasefire.cli", "ceasefire.web")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def _offending(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in paths:
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(SRC)} imports {name}")
    return found


def test_domain_imports_no_framework() -> None:
    assert _modules("domain"), "the domain package is missing"
    assert _offending(_modules("domain"), FRAMEWORKS + INTERFACES + ("ceasefire.db",)) == []


@pytest.mark.parametrize("package", ["services", "agreements", "ledger", "intake", "news"])
def test_inner_layers_do_not_import_interfaces(package: str) -> None:
    forbidden = ("fastapi", "starlette", "typer", "click", *INTERFACES)
    assert _offending(_modules(package), forbidden) == []


def test_errors_and_config_are_framework_free() -> None:
    paths = [SRC / "errors.py", SRC / "config.py"]
    assert _offending(paths, FRAMEWORKS + INTERFACES) == []
