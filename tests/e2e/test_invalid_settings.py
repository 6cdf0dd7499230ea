"""An invalid ``CEASEFIRE_*`` variable stops every entry point with a coded error (``E605``)
naming the variable, the value given and what it expects, in the CLI's language, without a
traceback: a command, ``ceasefire serve``, and the app factory an outside server builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ceasefire.config import SHOWN_VALUE_CHARS
from tests.factories.cli import run_here


def _environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "CEASEFIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "CEASEFIRE_KEY_FILE": str(tmp_path / "keys.json"),
        "CEASEFIRE_DATA_DIR": str(tmp_path / "data"),
        "CEASEFIRE_LANG": "en",
        **variables,
    }


@pytest.mark.parametrize("command", [("init",), ("serve", "--port", "1"), ("member", "list")])
def test_a_bad_number_names_the_variable_not_the_field(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = _environment(tmp_path, CEASEFIRE_REQUEST_THREADS="abc")
    ran = run_here(*command, env=env)
    assert ran.returncode == 1
    assert "[E605] CEASEFIRE_REQUEST_THREADS is 'abc': expected a whole number ≥ 1, ≤ 256" in (
        ran.stderr
    )
    assert "request_threads" not in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "c.db").exists()  # stopped before it touched anything


def test_a_negative_limit_is_refused_with_its_floor_in_russian_and_turkish(
    tmp_path: Path,
) -> None:
    env = _environment(tmp_path, CEASEFIRE_LOGIN_MAX_FAILURES="-5", CEASEFIRE_LANG="ru")
    russian = run_here("init", env=env)
    assert russian.returncode == 1
    assert (
        "недопустимая настройка: CEASEFIRE_LOGIN_MAX_FAILURES = '-5': ожидается целое число ≥ 1"
        in (russian.stderr)
    )
    turkish = run_here("--lang", "tr", "init", env=env)
    assert "geçersiz ayar: CEASEFIRE_LOGIN_MAX_FAILURES = '-5': ≥ 1 olan bir tam sayı" in (
        turkish.stderr
    )


def test_json_lists_every_invalid_variable_with_its_value(tmp_path: Path) -> None:
    env = _environment(
        tmp_path,
        CEASEFIRE_SQL_ECHO="maybe",
        CEASEFIRE_SQLITE_SYNCHRONOUS="off",
        CEASEFIRE_ALERTS_SPIKE_ALPHA="2",
    )
    ran = run_here("member", "list", "--json", env=env)
    assert ran.returncode == 1
    error = json.loads(ran.stdout)["error"]
    assert error["code"] == "E605"
    assert {(d["loc"], d["value"], d["message"]) for d in error["details"]} == {
        ("CEASEFIRE_SQL_ECHO", "'maybe'", "expected true or false (1, 0, yes, no, on, off)"),
        ("CEASEFIRE_SQLITE_SYNCHRONOUS", "'off'", "expected one of full, normal"),
        ("CEASEFIRE_ALERTS_SPIKE_ALPHA", "'2'", "expected a number > 0, < 1"),
    }


def test_a_long_or_hostile_value_is_quoted_short_and_escaped(tmp_path: Path) -> None:
    hostile = "\x1b[31m[bold]" + "9" * 5000
    ran = run_here("init", env=_environment(tmp_path, CEASEFIRE_INTAKE_MAX_BATCH=hostile))
    assert ran.returncode == 1
    assert "\x1b" not in ran.stderr
    assert "\\x1b[31m[bold]" in ran.stderr  # shown, not obeyed
    assert "9" * SHOWN_VALUE_CHARS not in ran.stderr
    assert "…" in ran.stderr


def test_an_outside_server_building_the_app_stops_with_the_coded_error(tmp_path: Path) -> None:
    env = {
        **os.environ,
        **_environment(tmp_path, CEASEFIRE_REQUEST_THREADS="-1", COLUMNS="200"),
    }
    ran = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "ceasefire.app:create_app", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 3  # uvicorn's and gunicorn's "cannot boot": no restarts
    assert "[E605] CEASEFIRE_REQUEST_THREADS is '-1': expected a whole number ≥ 1, ≤ 256" in (
        ran.stderr
    )
    assert "Traceback" not in ran.stderr
