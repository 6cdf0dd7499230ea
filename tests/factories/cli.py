"""How tests run the ``ceasefire`` CLI: in another process, through its console script
(``run_cli``), or in this one (``run_here``, and the ``cli`` fixture's ``InProcessCli``).

The script is the one installed next to the interpreter running the tests (``.venv/bin``),
the ``ceasefire = ceasefire.cli:main`` entry point a user runs. ``python -m ceasefire`` is no
option: the package has no ``__main__``. A new process costs about two seconds of imports, so
tests keep it for what is about the process (a crash, a server, a real pipe, concurrency) and
run the other commands here: ``main`` returns the exit status the script exits with.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

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
    added) and returns what ``run_cli`` would: the exit status, stdout and stderr
    (``run_here``).
    """

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def text(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``run_here`` in the fixture's environment: the database of ``settings``."""
        return run_here(*args, env=dict(os.environ), input=stdin)

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


def run_here(
    *args: str, env: dict[str, str], input: str | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """``ceasefire <args>`` in this process, as ``run_cli`` would run it in a new one: in
    ``env`` alone (the environment is put back after), ``input`` as its stdin, with a
    context of its own built from ``env`` and disposed of after (a file that ``restore``
    replaced, or rows a test changed, are read afresh), the consoles ``CLI_COLUMNS`` wide;
    ``main``'s return value (the script's exit status) and all it printed. ``check=True``
    fails unless the status is 0.

    For commands whose exit status and output are what a test checks: a new process costs
    about two seconds of imports (and ``init --demo`` seconds more, loading the NLP model
    that this process loads once)."""
    from ceasefire.cli import main
    from ceasefire.console.context import get_context
    from ceasefire.console.output import console, err_console

    out, err = io.StringIO(), io.StringIO()
    # Rich reads COLUMNS when a console is built, and these were built at import.
    widths = [(printer, printer._width) for printer in (console, err_console)]
    saved_stdin = sys.stdin
    with mock.patch.dict(os.environ, env, clear=True):
        try:
            for printer, _ in widths:
                printer._width = CLI_COLUMNS
            sys.stdin = io.StringIO(input or "")
            _forget_context(get_context)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        finally:
            _forget_context(get_context)
            sys.stdin = saved_stdin
            for printer, width in widths:
                printer._width = width
    done = subprocess.CompletedProcess(["ceasefire", *args], code, out.getvalue(), err.getvalue())
    assert code == 0 or not check, f"ceasefire {' '.join(args)} exited {code}: {done.stderr}"
    return done


def _forget_context(get_context: Any) -> None:
    """Dispose of the CLI's cached context, if it built one, and forget it."""
    if get_context.cache_info().currsize:
        get_context().dispose()
    get_context.cache_clear()
