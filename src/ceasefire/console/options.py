"""Options and helpers every area's commands share: ``--json``, ``--token``, ``--agreement``,
``--limit``, ``--cursor``, JSON input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_

JSON = typer.Option("--json", help=N_("Machine-readable output."))
AGREEMENT = typer.Option("--agreement", help=N_("Agreement id."))
LIMIT = typer.Option("--limit", min=1, max=500)
CURSOR = typer.Option("--cursor", help=N_("next_cursor of a previous page."))
TOKEN = typer.Option(
    "--token",
    envvar="CEASEFIRE_TOKEN",
    help=N_("Act as this API token's member user (default: the operator)."),
    show_envvar=True,
)


def read_text(path: Path, option: str) -> str:
    """A text file given to ``option``, or standard input when the path is ``-``; one that
    cannot be read, or is not UTF-8, is ``InvalidInput`` naming ``option``."""
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput.worded(
            N_("cannot read %(path)s: %(error)s"),
            details=[problem(option, str(exc))],
            path=path,
            # The system's words for a file that cannot be opened ("No such file or
            # directory"), without the path the message already names.
            error=getattr(exc, "strerror", None) or exc,
        ) from exc


def read_json(source: str) -> Any:
    """JSON from a file, or from standard input when ``source`` is ``-``."""
    text = read_text(Path(source), "file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput.worded(
            N_("%(source)s: not JSON: %(msg)s at line %(lineno)s"),
            details=[
                problem(
                    "body",
                    N_("%(msg)s (line %(lineno)s, column %(colno)s)"),
                    msg=exc.msg,
                    lineno=exc.lineno,
                    colno=exc.colno,
                )
            ],
            source=source,
            msg=exc.msg,
            lineno=exc.lineno,
        ) from exc
