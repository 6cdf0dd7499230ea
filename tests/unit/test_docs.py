"""Docs that stay true: every API route and every CLI command is documented."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer.main
from typer.core import TyperGroup

from ceasefire.app import create_app
from ceasefire.cli import app as cli_app
from ceasefire.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_api_route_is_in_docs_api(tmp_path: Path) -> None:
    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    missing = []
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            row = f"| {method.upper()} | `{path}` |"
            if row not in api_doc:
                missing.append(f"{method.upper()} {path}")
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
