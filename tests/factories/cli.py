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

    The ``cli`` fixture of tests/e2e/conftest.py points it at the test database.
    ``cli(...)`` asserts the exit code and returns the parsed output; ``cli.run(...)`` returns
    both for the test to check.
    """

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

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
