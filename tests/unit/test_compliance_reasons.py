"""Every reason a compliance rule gives (``compliance.model``) is given by code, reads back
from its stored English wording, and has a Russian and a Turkish translation: a reason
worded anew without its code would show in English on a Russian or Turkish page and in the
CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ceasefire import i18n
from ceasefire.agreements.loader import check_file
from ceasefire.agreements.model import (
    Agreement,
    Evidence,
    ProvisionStatus,
    SourceInstant,
    StatusChange,
)
from ceasefire.compliance.model import (
    REASON_TEXTS,
    ComplianceEvaluator,
    IncidentFacts,
    Reason,
    deadline_states,
    translated_reason,
)
from ceasefire.reports.model import Category
from tests.factories.agreements import NK_ID, shipped_path, utc

AGHDAM = (39.991, 46.927)
LACHIN_CORRIDOR_MID = (39.7275, 46.6515)


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return check_file(shipped_path(NK_ID)).raise_if_invalid()


def _incident(
    where: tuple[float, float],
    precision: int,
    categories: frozenset[Category],
    *,
    start: tuple[int, ...] = (2020, 11, 26, 10),
    end: tuple[int, ...] = (2020, 11, 26, 10),
    actor: str | None = None,
    attributed: bool = False,
) -> IncidentFacts:
    return IncidentFacts(
        "inc-1",
        categories,
        utc(*start),
        utc(*end),
        *where,
        where_precision=precision,
        actor=actor,
        attributed=attributed,
    )


def _kalbajar_recorded(agreement: Agreement, status: ProvisionStatus, day: str) -> Agreement:
    """The agreement with Kalbajar's handover recorded ``status`` on ``day`` (Baku)."""
    change = StatusChange(
        status, SourceInstant.parse(day, "Asia/Baku"), (Evidence(source="azerbaijan-mod"),)
    )
    return agreement.with_history({"p6-kalbajar": (change,)})


def _given_reasons(agreement: Agreement) -> list[Reason]:
    """What the shipped rules say of incidents and deadlines chosen to meet every case."""
    evaluator = ComplianceEvaluator(agreement, agreement.rules)
    shelling = frozenset({Category.SHELLING})
    movement = frozenset({Category.TROOP_OR_VEHICLE_MOVEMENT})
    incidents = [
        _incident(AGHDAM, 1, shelling, actor="ARM", attributed=True),
        _incident(AGHDAM, 2, shelling, actor="ARM"),
        _incident(AGHDAM, 3, shelling),
        _incident(AGHDAM, 1, shelling, start=(2020, 11, 19, 12), end=(2020, 11, 20, 12)),
        _incident(LACHIN_CORRIDOR_MID, 1, movement),
    ]
    reasons = [r for i in incidents for f in evaluator.incident_findings(i) for r in f.reason_codes]
    unfulfilled = agreement.with_history({})
    fulfilled = _kalbajar_recorded(agreement, ProvisionStatus.FULFILLED, "2020-11-25")
    breached = _kalbajar_recorded(agreement, ProvisionStatus.BREACHED, "2020-11-20")
    for history in (unfulfilled, fulfilled, breached):
        for state in deadline_states(
            history, history.rules, utc(2020, 11, 26, 12), due_within=timedelta(days=365)
        ):
            reasons += state.reason_codes
    return reasons


def test_every_reason_code_is_given_by_some_rule(agreement: Agreement) -> None:
    assert {r.code for r in _given_reasons(agreement)} == set(REASON_TEXTS)


def test_each_english_wording_reads_back_as_its_reason(agreement: Agreement) -> None:
    for reason in _given_reasons(agreement):
        assert Reason.parse(str(reason)) == reason


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_reason_has_a_translation_with_its_parameters(
    agreement: Agreement, lang: str
) -> None:
    for code, msgid in REASON_TEXTS.items():
        translated = i18n.gettext(lang, msgid)
        assert translated != msgid, (lang, code)
    for reason in _given_reasons(agreement):
        shown = translated_reason(str(reason), lambda m: i18n.gettext(lang, m))
        assert shown != str(reason)
        for name, value in reason.params:
            if name != "categories":  # named in the reader's language
                assert value in shown, (lang, reason.code, value)


def test_categories_are_named_in_the_readers_language() -> None:
    reason = Reason.of("category", categories="explosion_impact, shelling")
    assert str(reason) == "category explosion_impact, shelling"  # the API's wording
    shown = translated_reason(str(reason), lambda m: i18n.gettext("ru", m))
    assert shown == "категория " + ", ".join(
        i18n.gettext("ru", m) for m in ("explosion (impact)", "shelling")
    )


def test_a_wording_no_rule_gives_is_shown_as_it_is() -> None:
    assert translated_reason("a note typed by hand", lambda m: "X") == "a note typed by hand"
