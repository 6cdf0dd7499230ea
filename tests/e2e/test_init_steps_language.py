"""``ceasefire init`` says its steps in the operator's language; ``--json`` keeps them in
English. Every line a step says is one of ``ceasefire.console.steps.STEPS``: a step whose
English changes without its wording there fails here."""

from __future__ import annotations

import pytest

from ceasefire.console import steps
from tests.factories.cli import InProcessCli


def test_init_steps_read_in_the_chosen_language(
    cli: InProcessCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cli("init", "--demo")["steps"]  # the demo month and its fusion included
    monkeypatch.setenv("CEASEFIRE_LANG", "ru")
    again = cli("init", "--demo", "--no-demo-month")["steps"]  # --json: English in Russian too
    said = {line: steps.wording(line) for line in (*first, *again)}
    assert not [line for line, wording in said.items() if wording is None]
    assert len({wording[0] for wording in said.values() if wording}) >= 10
    assert any(line.startswith("agreement ") and "unchanged" in line for line in again)

    monkeypatch.setenv("CEASEFIRE_LANG", "tr")
    shown = cli.text("init", "--demo", "--no-demo-month")
    assert shown.returncode == 0, shown.stderr
    ticked = [line for line in shown.stdout.splitlines() if line.startswith("✓")]
    assert len(ticked) == len(again)
    page = " ".join(shown.stdout.split())
    assert "veritabanı şeması güncel" in page
    assert "anlaşması değişmedi, sürüm" in page
    assert "tanıtım haber makalesi zaten yüklü" in page
    for line in again:
        assert line not in shown.stdout


def test_a_line_of_no_step_is_printed_as_it_was() -> None:
    assert steps.wording("something else (0600)") is None
    assert steps.say("something else (0600)") == "something else (0600)"


def test_a_title_with_brackets_and_digits_is_one_parameter() -> None:
    line = "demo news article ingested: Talks (round 2) in Moscow (3 events, 1 reports)"
    assert steps.wording(line) == (
        "demo news article ingested: {title} ({events} events, {reports} reports)",
        {"title": "Talks (round 2) in Moscow", "events": "3", "reports": "1"},
    )
