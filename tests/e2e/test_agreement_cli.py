"""The ``ceasefire agreement`` and ``ceasefire provisions`` commands, run as a user would.

Each command runs at least once as typed (its human output and exit status, ``cli.text``),
and the ``--json`` calls check what a command answers (``cli``): in this process, which saves
the two seconds of imports each new process costs; a usage error exits through the real
executable.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.factories.agreements import NK_ID, malformed_memorandum, shipped_path
from tests.factories.cli import InProcessCli, run_cli


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=env)


def by_id(items: list[dict[str, Any]], pid: str) -> dict[str, Any]:
    return next(item for item in items if item["id"] == pid)


def test_acceptance_show_and_provisions(cli: InProcessCli) -> None:
    init = cli.text("init", "--demo", "--no-demo-month")
    assert init.returncode == 0, init.stderr
    again = cli("init", "--demo", "--no-demo-month")
    assert f"agreement {NK_ID} unchanged, version 1" in again["steps"]

    shown = cli("agreement", "show", NK_ID)
    assert len(shown["provisions"]) == 9
    point6 = by_id(shown["provisions"], "p6-districts-and-corridor")
    kalbajar = by_id(point6["parts"], "p6-kalbajar")
    assert kalbajar["deadline"]["due"] == "2020-11-25"
    (amendment,) = kalbajar["deadline"]["amendments"]
    assert amendment["previous"] == "2020-11-15"
    assert shown["term"]["notice_deadline"] == "2025-05-10"

    before = cli("provisions", "--agreement", NK_ID, "--as-of", "2020-11-21T00:00:00Z")
    statuses = {p["id"]: p["status"] for p in before["provisions"]}
    assert (statuses["p2-aghdam"], statuses["p6-kalbajar"], statuses["p6-lachin"]) == (
        "fulfilled",
        "pending",
        "pending",
    )
    assert before["term"]["notice_deadline"] == "2025-05-10"
    after = cli("provisions", "--agreement", NK_ID, "--as-of", "2020-11-26")
    assert by_id(after["provisions"], "p6-kalbajar")["status"] == "fulfilled"

    human = cli.text("provisions", "--agreement", NK_ID, "--as-of", "2020-11-21T00:00:00Z")
    assert human.returncode == 0
    assert "p6-kalbajar" in human.stdout
    assert "notice deadline 2025-05-10" in human.stdout


def test_validate_lists_every_problem_and_load_writes_nothing(
    cli: InProcessCli, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(malformed_memorandum(), encoding="utf-8")
    human = cli.text("agreement", "validate", str(bad))
    assert human.returncode == 2
    for expected in (
        "2020-11-31",
        "unknown party 'XYZ'",
        "not valid GeoJSON",
        "duplicate provision id",
    ):
        assert expected in human.stderr
    assert f"{bad}:" in human.stderr

    machine = cli("agreement", "validate", str(bad), code=2)
    details = machine["error"]["details"]
    assert len(details) == 4
    assert all(d["line"] and d["path"] and d["field"] for d in details)

    cli("agreement", "load", str(bad), code=2)
    assert cli("agreement", "list") == {"agreements": []}

    # A Russian or Turkish user reads each problem in their language (the JSON keeps English).
    russian = cli.text("--lang", "ru", "agreement", "validate", str(bad))
    assert "неизвестная сторона 'XYZ'" in russian.stderr
    assert "повторный идентификатор положения" in russian.stderr
    turkish = cli.text("--lang", "tr", "agreement", "validate", str(bad))
    assert "bilinmeyen taraf 'XYZ'" in turkish.stderr
    assert "geçerli GeoJSON değil" in turkish.stderr
    for english in ("unknown party", "not valid GeoJSON", "duplicate provision id"):
        assert english not in russian.stderr + turkish.stderr

    good = cli("agreement", "validate", str(shipped_path(NK_ID)))
    assert (good["valid"], good["provisions"]) == (True, 9)
    loaded = cli("agreement", "load", str(shipped_path(NK_ID)))
    assert (loaded["version"], loaded["new_version"]) == (1, True)
    reloaded = cli("agreement", "load", str(shipped_path(NK_ID)))
    assert (reloaded["version"], reloaded["new_version"]) == (1, False)
    listed = cli.text("agreement", "list")
    assert NK_ID in listed.stdout


def test_unknown_agreement_and_bad_instant(cli_env: dict[str, str], cli: InProcessCli) -> None:
    missing = cli.text("agreement", "show", "nope", "--json")
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["error"]["code"] == "E404"
    bad_time = run(cli_env, "provisions", "--agreement", NK_ID, "--as-of", "tomorrow-ish")
    assert bad_time.returncode == 2
    assert "--as-of" in bad_time.stderr


def test_a_date_that_does_not_exist_says_why_in_the_users_language(
    cli: InProcessCli, tmp_path: Path
) -> None:
    """Python's reason for refusing 2020-11-31 ("day is out of range for month") was shown
    in English inside the Russian and Turkish lines; it is the catalogue's now."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(malformed_memorandum(), encoding="utf-8")
    english = " ".join(cli.text("agreement", "validate", str(bad)).stderr.split())
    assert "'2020-11-31' (that month has no such day)" in english, english
    reasons = (("ru", "в этом месяце нет такого дня"), ("tr", "o ayda böyle bir gün yok"))
    for lang, reason in reasons:
        said = cli.text("--lang", lang, "agreement", "validate", str(bad))
        assert said.returncode == 2
        shown = " ".join(said.stderr.split())
        assert f"'2020-11-31' ({reason})" in shown, shown
        assert "out of range" not in shown, shown
