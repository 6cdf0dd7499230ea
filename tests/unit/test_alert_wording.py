"""What a delivery says in its subscription's language (``alerts.wording``): each kind's
summary worded again from the alert's details in Russian and Turkish, the codes named by
their labels and a rule's reasons by their msgids (English too: the stored summary names a
category by its code); an alert whose details lack what the wording needs keeps the stored
summary. The e-mail names its record and period in words, not by their codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.schemas import AlertPublic, SeverityName
from ceasefire.alerts.wording import alert_summary, mail_text

RAISED = datetime(2020, 11, 26, 12, 0, tzinfo=UTC)


def alert(kind: AlertKind, details: dict[str, Any], **fields: Any) -> AlertPublic:
    return AlertPublic(
        id="alr-1",
        kind=kind,
        severity=fields.get("severity", SeverityName.WARNING),
        subject=fields.get("subject", "incident/inc-1"),
        period="2020-11-26",
        agreement_id="nk-2020-trilateral",
        classification="shared",
        area=fields.get("area"),
        summary="the stored English summary",
        details=details,
        raised_at=RAISED,
    )


SPIKE = alert(
    AlertKind.SPIKE,
    {"area": "grid0.25:159:187", "count": 7, "expected": 1.234, "p_value": 0.000123},
    area="grid0.25:159:187",
)
OVERDUE = alert(
    AlertKind.DEADLINE_OVERDUE,
    {"number": "6", "agreement_id": "nk-2020-trilateral", "reasons": ["no fulfilment recorded"]},
    severity=SeverityName.CRITICAL,
)
BREACH = alert(
    AlertKind.ZONE_BREACH,
    {
        "incident_id": "inc-1",
        "level": "possible",
        "provision": "p-1",
        "zone": "aghdam-district",
        "reasons": ["no fulfilment recorded", "words no rule gives"],
    },
)


@pytest.mark.parametrize(
    ("lang", "summaries"),
    [
        (
            "ru",
            [
                "квадрат рядом с населённым пунктом Ходжалы (grid0.25:159:187): "
                "инцидентов за 24 часа до 26.11.2020, 12:00 UTC — 7, "
                "ожидалось 1,2 (p = 1,23E-4)",
                "Срок по пункту 6 (nk-2020-trilateral) истёк: исполнение не записано",
                "Возможное нарушение положения p-1 в зоне aghdam-district — инцидент inc-1: "
                "исполнение не записано; words no rule gives",
            ],
        ),
        (
            "tr",
            [
                "Khojaly yakınındaki kare (grid0.25:159:187): "
                "26.11.2020 12:00 UTC'ye kadarki 24 saatte 7 olay, "
                "beklenen 1,2 (p = 1,23E-4)",
                "6 (nk-2020-trilateral) için süre geçti: yerine getirme kaydı yok",
                "inc-1 olayı ile aghdam-district bölgesinde p-1 hükmünün olası ihlali: "
                "yerine getirme kaydı yok; words no rule gives",
            ],
        ),
    ],
)
def test_each_kind_is_worded_in_the_language(lang: str, summaries: list[str]) -> None:
    assert [alert_summary(a, lang) for a in (SPIKE, OVERDUE, BREACH)] == summaries


def test_details_of_an_older_form_keep_the_stored_summary() -> None:
    assert alert_summary(BREACH, "en") == (
        "Possible breach of p-1 in aghdam-district by incident inc-1: "
        "no fulfilment recorded; words no rule gives"
    )
    older = alert(AlertKind.ZONE_BREACH, {"incident_id": "inc-1", "level": "breach"})
    assert alert_summary(older, "ru") == "the stored English summary"
    broken = alert(AlertKind.CASUALTIES, {"incident_id": "inc-1"})
    assert alert_summary(broken, "tr") == "the stored English summary"


def test_the_mail_names_its_lines_in_the_language() -> None:
    subject, text = mail_text(OVERDUE, "tr")
    assert subject == "[ceasefire] KRİTİK süre geçti: olay inc-1"
    assert "\ntür: süre geçti\nönem derecesi: kritik\n" in text
    assert "uyarı kimliği: alr-1" in text
    subject, text = mail_text(OVERDUE, "en")
    assert subject == "[ceasefire] CRITICAL deadline overdue: incident inc-1"
    assert "raised: 2020-11-26T12:00:00+00:00" in text


CASUALTIES = alert(
    AlertKind.CASUALTIES,
    {
        "incident_id": "inc-7",
        "category": "civilian_casualty",
        "casualties": {"injured_civilian": 3},
    },
    subject="incident/inc-7",
    area="grid0.25:159:187",
)


@pytest.mark.parametrize(
    ("lang", "subject", "lines"),
    [
        (
            "en",
            "[ceasefire] WARNING casualties: incident inc-7",
            ["Incident inc-7 (civilian casualty): civilians injured: 3", "about: incident inc-7"],
        ),
        (
            "ru",
            "[ceasefire] ПРЕДУПРЕЖДЕНИЕ жертвы: инцидент inc-7",
            ["предмет: инцидент inc-7"],
        ),
        ("tr", "[ceasefire] UYARI kayıplar: olay inc-7", ["konu: olay inc-7"]),
    ],
)
def test_a_casualty_mail_names_its_incident_and_no_period_code(
    lang: str, subject: str, lines: list[str]
) -> None:
    said, text = mail_text(CASUALTIES, lang)
    assert said == subject
    for line in lines:
        assert f"{line}\n" in text
    # Its period is its severity ("warning"), already said: no line repeats the code.
    assert "period" not in text
    assert "civilian_casualty" not in text


def test_the_mail_words_each_kind_of_subject_and_period() -> None:
    breach = alert(
        AlertKind.ZONE_BREACH,
        BREACH.details,
        subject="incident/inc-1/hostilities-after-handover/aghdam-district",
        area="aghdam-district",
    ).model_copy(update={"period": "possible"})
    subject, text = mail_text(breach, "ru")
    assert subject.endswith(": инцидент inc-1, зона aghdam-district")
    assert "\nвывод: возможное нарушение\n" in text
    assert "possible\n" not in text
    due = alert(
        AlertKind.DEADLINE_DUE,
        {"number": "6.1", "agreement_id": "nk-2020-trilateral", "reasons": []},
        subject="provision/nk-2020-trilateral/p6-1-kalbajar",
    ).model_copy(update={"period": "2020-11-25"})
    subject, text = mail_text(due, "tr")
    assert subject.endswith(": nk-2020-trilateral anlaşmasının 6.1 hükmü")
    assert "\nson tarih: 25 Kas 2020\n" in text
    spike = SPIKE.model_copy(update={"subject": "area/nk-2020-trilateral/grid0.25:159:187"})
    subject, text = mail_text(spike, "en")
    assert subject == (
        "[ceasefire] WARNING spike in incidents: cell near Khojaly (grid0.25:159:187)"
    )
    assert "\nday: 26 Nov 2020\n" in text


@pytest.mark.parametrize(
    ("lang", "place"),
    [
        ("en", "cell near Khojaly (grid0.25:159:187)"),
        ("ru", "квадрат рядом с населённым пунктом Ходжалы (grid0.25:159:187)"),
        ("tr", "Khojaly yakınındaki kare (grid0.25:159:187)"),
    ],
)
def test_a_grid_cell_reads_as_a_place_with_its_code_kept(lang: str, place: str) -> None:
    """The e-mail's area line, a spike's summary and its subject name a grid cell by the
    district seat near its centre (Khojaly, 8 km; the village of Askyaran is as near), in
    the reader's language (Cyrillic in Russian), the cell's code kept for reference."""
    _, text = mail_text(CASUALTIES, lang)
    assert text.endswith(f": {place}\n"), text
    spike = SPIKE.model_copy(update={"subject": "area/nk-2020-trilateral/grid0.25:159:187"})
    subject, text = mail_text(spike, lang)
    assert place in subject
    assert text.startswith(place), text


@pytest.mark.parametrize(
    ("cell", "town"),
    [
        # The demo month's busiest cells (Nagorno-Karabakh), by the district seat or town
        # nearest to each centre: the town the cell is about, within a few kilometres.
        ("grid0.25:159:186", "Khankendi"),  # 39.875, 46.625: 12.6 km (village Karkijahan 12.5)
        ("grid0.25:158:186", "Laçın"),  # 6.6 km
        ("grid0.25:160:184", "Kalbajar"),  # 7.1 km
        ("grid0.25:158:188", "Fuzuli"),  # 3.2 km
        ("grid0.25:157:188", "Jabrayil"),  # 8.7 km
        ("grid0.25:156:186", "Zangilan"),  # 5.5 km
        ("grid0.25:158:187", "Shusha"),  # 18.4 km, the nearest though the cell lies south
    ],
)
def test_demo_cells_are_named_after_their_nearest_town(cell: str, town: str) -> None:
    _, text = mail_text(SPIKE.model_copy(update={"area": cell}), "en")
    assert text.endswith(f"area: cell near {town} ({cell})\n"), text


@pytest.mark.parametrize(
    ("lang", "place"),
    [
        ("en", "cell around 41.125° N 51.125° E (grid0.25:164:204)"),
        ("ru", "квадрат с центром 41,125° с. ш. 51,125° в. д. (grid0.25:164:204)"),
        ("tr", "merkezi 41,125° K 51,125° D olan kare (grid0.25:164:204)"),
    ],
)
def test_a_cell_with_no_town_within_reach_keeps_its_coordinates(lang: str, place: str) -> None:
    """A cell of the Caspian Sea, its nearest town (Pirallahı) some 90 km away: named by its
    centre's coordinates, not after a town too far to help."""
    _, text = mail_text(SPIKE.model_copy(update={"area": "grid0.25:164:204"}), lang)
    assert text.endswith(f": {place}\n"), text


@pytest.mark.parametrize(
    ("cell", "lang", "town"),
    [
        ("grid0.25:159:186", "ru", "Ханкенди"),
        ("grid0.25:158:186", "ru", "Лачин"),
        ("grid0.25:160:184", "ru", "Кельбаджар"),
        ("grid0.25:158:187", "ru", "Шуша"),
        ("grid0.25:158:187", "tr", "Şuşa"),
        ("grid0.25:158:188", "tr", "Füzuli"),
        ("grid0.25:158:186", "tr", "Laçın"),
        ("grid0.25:159:186", "tr", "Khankendi"),  # no Turkish spelling in GeoNames' list
    ],
)
def test_a_cell_is_named_in_the_readers_spelling_where_the_gazetteer_has_one(
    cell: str, lang: str, town: str
) -> None:
    """A Russian reader finds the town in Cyrillic, a Turkish one in Turkish letters, from
    the gazetteer's alternate names; where it has none, the GeoNames name."""
    _, text = mail_text(SPIKE.model_copy(update={"area": cell}), lang)
    area = text.splitlines()[-1]  # "area: cell near …", "bölge: … yakınındaki kare (…)"
    assert f" {town} " in area, area
    assert area.endswith(f"({cell})"), area


def test_the_alerts_table_keeps_ids_whole_at_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``alerts show`` at 80 columns: what an alert is about (said in its summary too)
    is left out first, so no id folds across lines; the caption names it."""
    from ceasefire.alerts.commands import _print_alerts
    from ceasefire.console.output import console

    monkeypatch.setattr(console, "_width", 80)
    incident = "inc-1a252cf10f8219fc50950"
    breach = alert(
        AlertKind.ZONE_BREACH,
        {**BREACH.details, "incident_id": incident},
        subject=f"incident/{incident}/hostilities-after-handover/aghdam-district",
        area="aghdam-district",
    ).model_copy(update={"id": "alr-1a252cfd4f027c353237e"})
    _print_alerts([breach])
    shown = capsys.readouterr().out
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    assert "alr-1a252cfd4f027c353237e" in shown
    assert incident in shown, shown
    assert "not shown at 80 columns: about" in " ".join(shown.split()), shown
