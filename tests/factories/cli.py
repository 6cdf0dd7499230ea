"""The one way tests run the ``ceasefire`` CLI in another process: its console script.

The script is the one installed next to the interpreter running the tests (``.venv/bin``),
the ``ceasefire = ceasefire.cli:main`` entry point a user runs. ``python -m ceasefire`` is no
option: the package has no ``__main__``. Tests that run commands in this process, to reach the
database or monkeypatch between them, use ``InProcessCli`` (the ``cli`` fixture of tests/e2e).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CEASEFIRE = Path(sys.executable).with_name("ceasefire")

CLI_COLUMNS = 200
"""The terminal width (``COLUMNS``) of the tests' CLI runs, in a process or in this one."""


def cli_command(*args: str) -> list[str]:
    """The command line of ``ceasefire <args>``, for ``subprocess.Popen``."""
    assert CEASEFIRE.is_file(), f"no console script {CEASEFIRE}: install the package (pip -e .)"
    return [str(CEASEFIRE), *args]


def run_cli(
    *args: str,
    env: dict[str, str],
    input: str | None = None,
    check: bool = False,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run ``ceasefire <args>`` to its end; stdout and stderr are captured as text.

    ``timeout`` only stops a hung command; ``check=True`` raises on a non-zero exit.
    """
    return subprocess.run(
        cli_command(*args),
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


class InProcessCli:
    """Runs ``ceasefire <args> --json`` in this process (``ceasefire.cli``).

    The ``cli`` fixture of tests/conftest.py points it at the test database.
    ``cli(...)`` asserts the exit code and returns the parsed output; ``cli.run(...)`` returns
    both for the test to check; ``cli.text(...)`` runs a command as typed (no ``--json``
    added) and returns what ``run_cli`` would: the exit code, stdout and stderr.
    """

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def text(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``ceasefire <args>`` as a new process would run it: ``main``'s return value (the
        process's exit status) and all it printed, with a context of its own (built from
        the environment, disposed after), so a file that ``restore`` replaced or rows a
        test changed are read afresh; the consoles as wide as ``COLUMNS`` of ``cli_env``."""
        from ceasefire.cli import main
        from ceasefire.console.context import get_context
        from ceasefire.console.output import console, err_console

        for printer in (console, err_console):
            # Rich reads COLUMNS when a console is built: these were built at import.
            self.monkeypatch.setattr(printer, "_width", CLI_COLUMNS)
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        _forget_context(get_context)
        self.capsys.readouterr()
        try:
            code = main(list(args))
        finally:
            _forget_context(get_context)
        out, err = self.capsys.readouterr()
        return subprocess.CompletedProcess(["ceasefire", *args], code, out, err)

    def _main(self, args: tuple[str, ...], stdin: str | None) -> tuple[int, str]:
        from ceasefire.cli import main

        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        code = main([*args, "--json"])
        return code, self.capsys.readouterr().out

    def run(self, *args: str, stdin: str | None = None) -> tuple[int, Any]:
        """(exit code, parsed output)."""
        code, out = self._main(args, stdin)
        return code, json.loads(out)

    def __call__(self, *args: str, stdin: str | None = None, code: int = 0) -> Any:
        """The parsed output, once the exit code is ``code``."""
        returned, out = self._main(args, stdin)
        assert returned == code, out
        return json.loads(out)


def _forget_context(get_context: Any) -> None:
    """Dispose of the CLI's cached context, if it built one, and forget it."""
    if get_context.cache_info().currsize:
        get_context().dispose()
    get_context.cache_clear()
