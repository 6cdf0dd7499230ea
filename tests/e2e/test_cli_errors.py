"""Usage errors end in a message and exit 2, never a traceback."""

from __future__ import annotations

import pytest

from ceasefire.cli import main


@pytest.mark.parametrize(
    "argv",
    [["no-such-command"], ["provisions", "--agreement", "x", "--due-within", "abc"]],
)
def test_usage_errors_exit_2_without_traceback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "Error" in err
