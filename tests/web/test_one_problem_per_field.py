"""A refused date is said once per field, in the reader's language: the error page of the
dashboard's and the provisions' "record as of", the incident and report lists' filters and
the report form give one line per field, in the most specific wording (the message "not an
ISO 8601 date or time: 'bad'", not that line and then the field's ``details`` entry
again); the API keeps its ``details`` entry (both databases)."""

from __future__ import annotations

import html
import re

import pytest

from ceasefire.db.context import ServiceContext
from tests.factories.members import Cast
from tests.factories.reports import web_report_form
from tests.web.conftest import Browser
from tests.web.test_incident_forms import _incident

WORDS: dict[str, tuple[str, str]] = {
    "Record as of": ("Состояние на", "Kayıt tarihi"),
    "From": ("С", "Başlangıç"),
    "To": ("По", "Bitiş"),
    "not an ISO 8601 date or time": (
        "не дата и не время в формате ISO 8601",
        "ISO 8601 tarih ya da saat değil",
    ),
    "Start": ("Начало", "Başlangıç"),
    "End": ("Окончание", "Bitiş"),
    # The report's own check, in English read back as the shorter "not a date or time".
    "not a date or time": (
        "не дата и не время в формате ISO 8601",
        "ISO 8601 biçiminde tarih veya saat değil",
    ),
}
"""The labels and problems the pages show, in English and (Russian, Turkish)."""


def _in(lang: str, english: str) -> str:
    return english if lang == "en" else WORDS[english][("ru", "tr").index(lang)]


def _lines(page: str) -> list[str]:
    """The lines of the refusal: the error page's message and problems, a list's error
    paragraph, or a form's heading and problems (the page's links left out)."""
    found = (
        re.search(r'<section class="error".*?</section>', page, re.S)
        or re.search(r'<p class="error" role="alert">.*?</p>', page, re.S)
        or re.search(r'<div class="error" role="alert".*?</div>', page, re.S)
    )
    assert found is not None, page[-2000:]
    block = re.sub(r'<p class="muted">.*?</p>', "", found.group(0), flags=re.S)
    parts = re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", block, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split()) for part in parts]


def _one_line_each(lines: list[str], said: dict[str, str]) -> None:
    """Exactly one line starts with each field's label, and it says the problem."""
    for label, problem in said.items():
        named = [line for line in lines if line.startswith(f"{label}:")]
        assert len(named) == 1, lines
        assert problem in named[0], lines


LANGS = ("en", "ru", "tr")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/", "/provisions"])
def test_a_bad_record_as_of_is_said_once(
    browsers: dict[str, Browser], path: str, lang: str
) -> None:
    page = browsers["tur"].client.get(f"{path}?as_of=bad&lang={lang}")
    assert page.status_code == 422
    lines = _lines(page.text)
    _one_line_each(
        lines, {_in(lang, "Record as of"): f"{_in(lang, 'not an ISO 8601 date or time')}: 'bad'"}
    )
    assert sum("'bad'" in line for line in lines) == 1, lines


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/incidents", "/reports"])
@pytest.mark.parametrize(("field", "label"), [("start", "From"), ("end", "To")])
def test_a_bad_list_filter_is_said_once(
    browsers: dict[str, Browser], path: str, field: str, label: str, lang: str
) -> None:
    page = browsers["tur"].client.get(f"{path}?{field}=bad&lang={lang}")
    assert page.status_code == 422
    lines = _lines(page.text)
    _one_line_each(lines, {_in(lang, label): f"{_in(lang, 'not an ISO 8601 date or time')}: 'bad'"})
    assert len(lines) == 1, lines


@pytest.mark.parametrize("lang", LANGS)
def test_bad_dates_on_the_report_form_are_said_once_each(
    browsers: dict[str, Browser], lang: str
) -> None:
    form = web_report_form(observed_start="bad", observed_end="worse")
    answer = browsers["rus"].post(f"/reports/new?lang={lang}", form)
    assert answer.status_code == 422
    lines = _lines(answer.text)
    _one_line_each(
        lines,
        {
            _in(lang, "Start"): f"{_in(lang, 'not a date or time')}: 'bad'",
            _in(lang, "End"): f"{_in(lang, 'not a date or time')}: 'worse'",
        },
    )
    assert len(lines) == 3, lines  # the heading and one line per field


def test_the_api_keeps_the_problem_in_its_details(browsers: dict[str, Browser]) -> None:
    """A program still finds the field in ``details``, once."""
    answer = browsers["public"].client.get("/?as_of=bad", headers={"accept": "*/*"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["message"] == "as_of: not an ISO 8601 date or time: 'bad'"
    assert error["details"] == [{"loc": "as_of", "message": "not an ISO 8601 date or time: 'bad'"}]


@pytest.mark.parametrize("lang", LANGS)
def test_a_bad_date_on_a_form_is_said_once_by_its_label(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser], lang: str
) -> None:
    """A form refused by a message worded for one field (``due_at: not an ISO 8601 date or
    time``) shows the heading that names no field, then the problem by the field's label:
    not the API's name above the same problem again."""
    base = f"/incidents/{_incident(ctx, cast)}"
    task = {"team": "A", "instructions": "Visit the site", "due_at": "next week"}
    answer = browsers["tur"].post(f"{base}/tasks?lang={lang}", task)
    assert answer.status_code == 422
    lines = _lines(answer.text)
    assert len(lines) == 2, lines  # the heading and the one problem
    assert "due_at" not in lines[0], lines
    assert "'next week'" in lines[1], lines
