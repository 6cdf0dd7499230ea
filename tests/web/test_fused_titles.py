"""Fused incident titles say "near" once whatever the place typed ("near Aghdam", "в районе
Агдама", "Ağdam yakınında"), in every language (both databases)."""

from __future__ import annotations

import pytest

from ceasefire import i18n
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import place_without_nearness
from ceasefire.reports import service as reports
from ceasefire.web.common import incident_title
from tests.factories.cli import InProcessCli
from tests.factories.members import Cast
from tests.factories.reports import shelling_body
from tests.factories.web_session import page_text
from tests.web.conftest import Browser


def test_a_place_typed_with_its_nearness_loses_it_in_every_language() -> None:
    assert place_without_nearness("near Aghdam") == "Aghdam"
    assert place_without_nearness("Near near Aghdam") == "Aghdam"
    assert place_without_nearness("в районе Агдама") == "Агдама"
    assert place_without_nearness("около Агдама") == "Агдама"
    assert place_without_nearness("Ağdam yakınında") == "Ağdam"
    assert place_without_nearness("Ağdam civarında") == "Ağdam"
    # A name that only looks like one, or nothing but the word, is kept as typed.
    assert place_without_nearness("Nearside farm") == "Nearside farm"
    assert place_without_nearness("Uzundere") == "Uzundere"
    assert place_without_nearness("near") == "near"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "shelling near Aghdam, 2020-11-26"),
        ("ru", "обстрел в районе Aghdam, 2020-11-26"),
        ("tr", "Aghdam yakınında topçu atışı, 2020-11-26"),
    ],
)
def test_a_title_fused_with_near_twice_reads_it_once(lang: str, expected: str) -> None:
    """Titles fused before the fix were stored as 'shelling near near Aghdam'."""
    shown = incident_title(
        "shelling near near Aghdam, 2020-11-26",
        lambda msgid: i18n.gettext(lang, msgid),
        lambda day: day.date().isoformat(),
    )
    assert shown == expected


@pytest.mark.parametrize(
    ("typed", "lang", "shown"),
    [
        ("near Aghdam", "ru", "обстрел в районе Aghdam, 26 нояб. 2020"),
        ("в районе Агдама", "ru", "обстрел в районе Агдама, 26 нояб. 2020"),
        ("Ağdam yakınında", "tr", "Ağdam yakınında topçu atışı, 26 Kas 2020"),
    ],
)
def test_fusion_titles_a_place_typed_with_near_once(
    ctx: ServiceContext,
    cast: Cast,
    browsers: dict[str, Browser],
    cli: InProcessCli,
    typed: str,
    lang: str,
    shown: str,
) -> None:
    turkey = cast.viewer(ctx, "tur")
    body = shelling_body()
    body["event_position"] = {**body["event_position"], "place_name": typed}
    report = reports.submit_report(ctx, turkey, body).report
    fusion.drain(ctx)
    fused = reports.get_report(ctx, turkey, report.id).incident_id
    assert fused is not None
    title = incidents.get_incident(ctx, turkey, fused).title
    assert title == f"shelling near {place_without_nearness(typed)}, 2020-11-26"
    page = page_text(browsers["tur"], f"/incidents/{fused}?lang={lang}")
    assert f"<h1>{shown}</h1>" in page
    # The CLI's list and incident say it as the page does, the day in ISO (it said English).
    worded = f"{shown.rsplit(', ', 1)[0]}, 2020-11-26"
    for command in (["incident", "show", fused], ["incident", "list", "--limit", "50"]):
        said = cli.text("--lang", lang, *command)
        assert said.returncode == 0, said.stderr
        assert worded in " ".join(said.stdout.split()), said.stdout
        assert "shelling" not in said.stdout
    # ``fusion show`` words its sources so too (it printed the API's English summary).
    sources = cli.text("--lang", lang, "fusion", "show", fused)
    assert sources.returncode == 0, sources.stderr
    words = {"ru": ("Независимых источников: 1", "монитор"), "tr": ("Bağımsız kaynak: 1",)}
    for word in words[lang]:
        assert word in sources.stdout, sources.stdout
    for english in ("independent source", "monitor ", "observer"):
        assert english not in sources.stdout, sources.stdout
