"""Docs that stay true: every API route and every CLI command is documented."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from typing import Any

import typer.main
from typer.core import TyperGroup

from ceasefire.app import create_app
from ceasefire.cli import app as cli_app
from ceasefire.config import Settings
from ceasefire.errors import ERRORS

ROOT = Path(__file__).resolve().parents[2]


def test_every_api_route_is_in_docs_api(tmp_path: Path) -> None:
    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    served = {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    documented = {
        f"{method} {path}"
        for method, path in re.findall(
            r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", api_doc, re.MULTILINE
        )
    }
    assert sorted(served - documented) == [], "routes missing from docs/api.md"
    assert sorted(documented - served) == [], "docs/api.md lists routes the app does not serve"


def test_every_error_code_is_in_docs_api() -> None:
    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [
        f"{code} {error.status}"
        for code, error in ERRORS.items()
        if f"| `{code}` | {error.status} |" not in api_doc
    ]
    assert missing == []


def _command_paths(group: TyperGroup, prefix: str = "") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, TyperGroup):
            paths += _command_paths(command, full + " ")
        else:
            paths.append(full)
    return paths


def test_every_cli_command_is_documented() -> None:
    docs = "\n".join(
        path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *ROOT.glob("docs/*.md")]
    )
    group = typer.main.get_command(cli_app)
    assert isinstance(group, TyperGroup)
    missing = [p for p in _command_paths(group) if f"ceasefire {p}" not in docs]
    assert missing == []


def test_docs_cli_is_what_scripts_cli_reference_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts" / "cli_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rendered = module.render()
    assert "| `ceasefire compliance evaluate` |" in rendered
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == rendered, (
        "docs/cli.md is stale: run .venv/bin/python scripts/cli_reference.py"
    )


def test_every_setting_is_in_docs_operations() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = [
        name for name in Settings.model_fields if f"`CEASEFIRE_{name.upper()}`" not in operations
    ]
    assert missing == []


def _documented_default(cell: str) -> str:
    quoted = re.match(r"`([^`]*)`", cell)
    return quoted.group(1) if quoted else cell.split()[0].lower()


def _same_default(documented: str, default: Any) -> bool:
    if default is None:
        return documented in {"unset", "none"}
    if isinstance(default, bool):
        return documented == str(default).lower()
    if isinstance(default, int | float):
        try:
            return float(documented) == float(default)
        except ValueError:
            return False
    return documented.removeprefix("./") == str(default).removeprefix("./")


def test_every_setting_default_in_docs_operations_is_the_code_default() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(CEASEFIRE_[A-Z0-9_]+)` \| ([^|]*) \|", operations, re.MULTILINE))
    wrong = []
    for name, field in Settings.model_fields.items():
        variable = f"CEASEFIRE_{name.upper()}"
        documented = _documented_default(rows.get(variable, "(no row)"))
        if not _same_default(documented, field.default):
            wrong.append(f"{variable}: docs {documented!r}, code {field.default!r}")
    assert wrong == []


def test_every_environment_variable_read_in_src_is_in_docs_operations() -> None:
    """Settings fields and the names read directly (``os.environ``, Typer's ``envvar=``)."""
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    read = {
        name
        for source in (ROOT / "src" / "ceasefire").rglob("*.py")
        for name in re.findall(r"CEASEFIRE_[A-Z0-9_]*[A-Z0-9]", source.read_text(encoding="utf-8"))
    }
    assert "CEASEFIRE_LANG" in read
    assert sorted(name for name in read if f"`{name}`" not in operations) == []


def _imported_modules(source: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_docs_architecture_shows_a_reports_path_of_six_files_in_two_folders() -> None:
    """Issue 11: a report goes from its route to its ledger entry through at most six files
    in two folders, and docs/architecture.md lists them: each exists, holds the function the
    list names, and is imported by a file before it."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## A report from its route to its ledger entry", 1)[1].split("\n## ")[0]
    steps = re.findall(r"^\d\. `([a-z_/]+\.py)` — (?:`([A-Za-z_]+)`)?", section, re.MULTILINE)
    files = [path for path, _ in steps]
    assert 2 <= len(files) <= 6
    assert len({path.split("/")[0] for path in files}) <= 2
    package = ROOT / "src" / "ceasefire"
    for index, (path, function) in enumerate(steps):
        source = package / path
        assert source.is_file(), path
        if function:
            assert re.search(rf"^def {function}\(", source.read_text(encoding="utf-8"), re.M), (
                f"{path} has no function {function}"
            )
        if index:
            module = "ceasefire." + path.removesuffix(".py").replace("/", ".")
            earlier = set().union(*(_imported_modules(package / p) for p in files[:index]))
            assert module in earlier, f"no file before {path} imports it"


def test_docs_architecture_maps_every_shared_module() -> None:
    """Each top-level module and package, and each module of the plumbing the areas share
    (api/, console/, db/, i18n/), is named in docs/architecture.md's module map."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "src" / "ceasefire"
    names = [
        f"{path.name}/" if path.is_dir() else path.name
        for path in sorted(package.iterdir())
        if (path.suffix == ".py" or (path / "__init__.py").is_file()) and path.stem != "__init__"
    ]
    for plumbing in ("api", "console", "db", "i18n"):
        names += [
            f"{plumbing}/{path.name}"
            for path in sorted((package / plumbing).glob("*.py"))
            if path.stem != "__init__"
        ]
    missing = [name for name in names if not _named_in(name, doc)]
    assert missing == []


def _named_in(name: str, doc: str) -> bool:
    """``api/deps.py`` is named as itself or as `deps.py`; ``config.py`` and ``api/`` as
    themselves, not inside a longer name."""
    base = name.rstrip("/").rpartition("/")[2] + ("/" if name.endswith("/") else "")
    plain = rf"(?<![\w/.]){re.escape(name)}(?![\w])"
    return re.search(rf"`{re.escape(base)}`|{plain}", doc) is not None


def test_docs_architecture_names_every_module_of_every_area() -> None:
    """Each module directly in an area's folder (``news/entity_decoder.py``, ``ledger/cosign.py``)
    is named in docs/architecture.md: the usual ones in "Inside an area", the others where
    their area's modules are listed. A module added without a word there fails here."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "src" / "ceasefire"
    areas = [
        path
        for path in sorted(package.iterdir())
        if (path / "__init__.py").is_file() and path.name not in {"api", "console", "db", "i18n"}
    ]
    assert {area.name for area in areas} >= {"news", "ledger", "web", "reports"}
    missing = [
        f"{area.name}/{module.name}"
        for area in areas
        for module in sorted(area.glob("*.py"))
        if module.stem != "__init__" and not _named_in(f"{area.name}/{module.name}", doc)
    ]
    assert missing == []


def test_every_repository_path_in_the_docs_exists() -> None:
    """A `src/…`, `tests/…`, `scripts/…`, `bench/…`, `requirements/…` or `docs/…` path quoted
    in README.md or docs/ names a file or folder that is there (patterns and placeholders
    aside): a module that moved or a script that was renamed fails here."""
    quoted = [
        (doc.name, match.group(1).split("::")[0].rstrip(".,:;"))
        for doc in [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]
        for match in re.finditer(
            r"`((?:src|tests|scripts|bench|requirements|docs)/[^`\s]*)`",
            doc.read_text(encoding="utf-8"),
        )
    ]
    assert len(quoted) > 100
    missing = [
        f"{doc}: {path}"
        for doc, path in quoted
        if not any(mark in path for mark in "*<{…$") and not (ROOT / path).exists()
    ]
    assert missing == []


def test_every_cli_command_the_docs_name_exists() -> None:
    """The reverse of the test above: `ceasefire report import` quoted in a doc, or a line of a
    shell block starting `ceasefire …`, names a command the CLI has (its words walked down
    the command groups until an option, an argument or the end)."""
    group = typer.main.get_command(cli_app)
    assert isinstance(group, TyperGroup)
    quoted = []
    for doc in [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]:
        text = doc.read_text(encoding="utf-8")
        quoted += [(doc.name, words) for words in re.findall(r"`ceasefire ([^`]+)`", text)]
        quoted += [
            (doc.name, words)
            for block in re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.DOTALL)
            for words in re.findall(r"^ceasefire ([^\n]+)", block, re.MULTILINE)
        ]
    assert len(quoted) > 100
    unknown = []
    for name, words in quoted:
        command: Any = group
        for word in words.split():
            if not isinstance(command, TyperGroup) or not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                break
            if word not in command.commands:
                unknown.append(f"{name}: ceasefire {words}")
                break
            command = command.commands[word]
    assert unknown == []
