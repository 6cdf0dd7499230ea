"""Every PLOVER event type the news coder finds has a label the pages show (a code such as
``CONSULT`` reached the map's table and the article page as it was)."""

from __future__ import annotations

from datetime import date
from typing import get_args

from ceasefire.i18n import translations
from ceasefire.i18n.labels import MODALITY_LABELS, NEWS_EVENT_LABELS
from ceasefire.news.components.lexicon import PLOVER_TYPES
from ceasefire.news.model import Modality
from ceasefire.news.reporting import report_body, stored_reason
from ceasefire.web.common import problem_text


def test_every_event_type_and_modality_has_a_label() -> None:
    assert set(NEWS_EVENT_LABELS) == set(PLOVER_TYPES)
    assert set(MODALITY_LABELS) == set(get_args(Modality))


def _event(kind: str, modality: str) -> dict[str, object]:
    return {
        "event": kind,
        "modality": modality,
        "sentence": {"section": "body"},
        "source": [],
        "target": [],
        "confidence": 0.9,
    }


def _reason(kind: str, modality: str) -> str:
    body, reason = report_body(
        _event(kind, modality), 0, {}, article_id="art-x", fallback_day=date(2020, 11, 1)
    )
    assert body is None
    return reason


def test_why_an_event_is_no_report_reads_in_the_readers_language() -> None:
    """The article page's note beside an event that is no report: the event type and the
    modality by their words in the reader's language; the API's English keeps the codes,
    and a note stored with an article in that English reads the same way again."""
    consult, planned = _reason("CONSULT", "occurred"), _reason("FIGHT", "planned")
    assert consult == "CONSULT is no observable violation"
    assert planned == "modality planned: nothing observed yet"
    for lang, words in (("ru", ("консультац", "запланирован")), ("tr", ("görüşme", "planlan"))):
        translate = translations(lang).gettext
        for stored in (False, True):
            notes = (stored_reason(str(consult)), stored_reason(str(planned)))
            shown = [problem_text(n, translate) for n in (notes if stored else (consult, planned))]
            assert words[0] in shown[0].lower(), shown
            assert words[1] in shown[1].lower(), shown
            assert "CONSULT" not in shown[0]
            assert "observable" not in shown[0]
            assert "nothing observed" not in shown[1]
    assert problem_text(
        stored_reason("the article does not say where"), translations("ru").gettext
    ) != ("the article does not say where")
