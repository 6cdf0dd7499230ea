"""The command line's tables name the domain's values by their labels in the user's
language (``console.lang.word``, the web's and the reports' table ``i18n.labels``), never by
their codes; ``--json`` keeps the codes (both databases)."""

from __future__ import annotations

import pytest

from ceasefire.config import Settings
from tests.factories.cli import InProcessCli

AGREEMENT = "nk-2020-trilateral"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", ["связной стороны", "монитор", "государство", "передача территории", "выполнено"]),
        ("tr", ["taraf irtibat görevlisi", "devlet", "devir", "yerine getirildi"]),
    ],
)
def test_members_and_provisions_are_named_in_the_users_language(
    cli: InProcessCli, demo: Settings, lang: str, words: list[str]
) -> None:
    members = cli.text("--lang", lang, "member", "list")
    provisions = cli.text(
        "--lang", lang, "provisions", "--agreement", AGREEMENT, "--as-of", "2020-11-21T00:00Z"
    )
    assert members.returncode == 0, members.stderr
    assert provisions.returncode == 0, provisions.stderr
    shown = members.stdout + provisions.stdout
    for word in words:
        assert word in shown, word
    for code in ("party_liaison", "cessation_of_hostilities", "fulfilled", "pending", "handover"):
        assert code not in shown, code
    machine = cli("provisions", "--agreement", AGREEMENT, "--as-of", "2020-11-21T00:00Z")
    assert {p["status"] for p in machine["provisions"]} >= {"fulfilled", "pending"}
