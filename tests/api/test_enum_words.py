"""No code of the domain's values reaches a reader as text: the main pages and the daily
report, in Russian and Turkish, over the demo month (both databases), name every status,
category, role, channel and the like by its translated label (``i18n.labels``), never by
its code (``handed_over``, ``party_liaison``, ``reported``, ``pending``). Codes may stay in
attributes (CSS classes, form values, links), which no reader sees as text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from ceasefire import i18n
from ceasefire.access import Viewer
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.i18n.labels import LABELS
from ceasefire.publish.compose import compose
from ceasefire.publish.model import Edition, daily_period
from ceasefire.publish.render import render_html
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import add_user_with_token

AGREEMENT = "nk-2020-trilateral"
DAY = date(2020, 11, 26)


NAMES = frozenset({"ceasefire"})
"""Codes that are also names a page shows as they are: the software's own, in the header."""


def known_codes(lang: str) -> set[str]:
    """Every code the label table words (a number is no code to look for), but those whose
    label in ``lang`` is the code itself (Turkish says "webhook" too)."""
    translate = i18n.translations(lang).gettext
    return {
        code
        for table in LABELS.values()
        for code, msgid in table.items()
        if isinstance(code, str) and code not in NAMES and translate(msgid) != code
    }


def visible_words(page: str) -> list[str]:
    """The text a reader sees: what is between tags, outside ``<script>`` and ``<style>``,
    unescaped, cut where a label could begin or end (``·``, commas, colons, brackets)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    texts = re.findall(r">([^<>]+)<", page)
    words: list[str] = []
    for text in texts:
        for piece in re.split(r"[·,;()\[\]|—–]|: | - |\s{2,}", html.unescape(text)):
            if piece.strip():
                words.append(piece.strip())
    return words


def codes_shown(page: str, lang: str) -> set[str]:
    """The codes ``page`` shows as text."""
    codes = known_codes(lang)
    return {word for word in visible_words(page) if word in codes}


@pytest.fixture(scope="module")
def tur_client(module_demo: ServiceContext) -> Iterator[TestClient]:
    """The Turkish monitor, signed in, reading the demo month."""
    _, token = add_user_with_token(module_demo, "tur", "words-tur")
    client = TestClient(create_app(ctx=module_demo), headers={"accept": "text/html"})
    client.cookies.set(SESSION_COOKIE, token)
    with client:
        yield client


def _pages(client: TestClient) -> list[str]:
    """The main pages, one incident's and one report's among them."""
    incident = re.search(r'href="/incidents/(inc-[0-9a-f-]+)"', client.get("/incidents").text)
    report = re.search(r'href="/reports/(rep-[0-9a-f-]+)"', client.get("/reports").text)
    article = re.search(r'href="/news/(art-[0-9a-f-]+)"', client.get("/news").text)
    assert incident is not None
    assert report is not None
    assert article is not None
    return [
        "/?as_of=2020-11-21",
        "/?as_of=2020-12-31",
        "/incidents",
        f"/incidents/{incident.group(1)}",
        "/reports",
        f"/reports/{report.group(1)}",
        "/provisions?as_of=2020-11-21",
        "/map?until=2020-12-31",
        "/map/table?until=2020-12-31",
        "/reports/new",
        "/members",
        "/posts",
        "/alerts",
        "/publications",
        "/ledger/1",
        "/news",
        f"/news/{article.group(1)}",
    ]


@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_the_pages_name_values_by_their_labels(tur_client: TestClient, lang: str) -> None:
    shown: dict[str, set[str]] = {}
    for path in _pages(tur_client):
        sep = "&" if "?" in path else "?"
        answer = tur_client.get(f"{path}{sep}lang={lang}")
        assert answer.status_code == 200, (path, answer.status_code)
        found = codes_shown(answer.text, lang)
        if found:
            shown[path] = found
    assert not shown, shown


@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_the_daily_report_names_values_by_their_labels(
    module_demo: ServiceContext, lang: str
) -> None:
    digest = compose(
        module_demo,
        Viewer.cli_operator(),
        agreement_id=AGREEMENT,
        period=daily_period(DAY, "Europe/Moscow"),
        edition=Edition.INTERNAL,
    )
    page = render_html(digest, lang)
    assert digest.items  # the day has incidents to name
    assert not codes_shown(page, lang), codes_shown(page, lang)


def test_the_check_tells_a_code_in_text_from_one_in_an_attribute() -> None:
    page = (
        '<td><span class="status status-reported">сообщено</span></td>'
        '<option value="party_liaison">связной стороны</option>'
        "<td>ARM · party_liaison</td><p>Статус: pending</p>"
        "<script>const s = 'handed_over';</script>"
    )
    assert codes_shown(page, "ru") == {"party_liaison", "pending"}
