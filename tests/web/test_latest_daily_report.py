"""The publications page names the latest daily report first, for the public too: the
public edition of the latest day in the reader's language; where none is stored, it says so,
and either when the next is due (the schedule is on) or how an operator publishes one."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from ceasefire.db.context import ServiceContext
from ceasefire.publish import service as publishing
from ceasefire.publish.model import Edition, Kind, OutputFormat
from ceasefire.timeutil import utcnow
from tests.factories.members import Cast
from tests.factories.publish import make_day
from tests.web.conftest import Browser

HTML_SCHEDULE = (
    (Edition.PUBLIC, "en", OutputFormat.HTML),
    (Edition.PUBLIC, "tr", OutputFormat.HTML),
    (Edition.INTERNAL, "en", OutputFormat.HTML),
)


def _latest(page: str) -> str:
    found = re.search(r'<h2 id="latest">.*?(?=<h2 id="exports">)', page, re.S)
    assert found is not None, page[-2000:]
    return html.unescape(found.group(0))


def test_with_none_stored_the_public_is_told_how_an_operator_publishes_one(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    make_day(ctx, cast)
    shown = _latest(browsers["public"].client.get("/publications?lang=tr").text)
    assert "Son günlük rapor" in shown
    assert "Henüz yayımlanmış günlük rapor yok." in shown
    assert "<code>ceasefire publish due</code> komutuyla" in shown
    assert "<code>CEASEFIRE_PUBLISH_SCHEDULE=true</code> ayarıyla" in shown


def test_with_the_schedule_on_the_page_says_when_the_next_is_due(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_day(ctx, cast)
    monkeypatch.setattr(ctx.settings, "publish_schedule", True)
    shown = _latest(browsers["public"].client.get("/publications?lang=ru").text)
    assert "Ежедневных отчётов пока не опубликовано." in shown
    assert "Следующий, за " in shown
    assert "publish due" not in shown


def test_the_public_finds_the_latest_days_public_edition_in_its_language(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    make_day(ctx, cast)
    scheduled = publishing.publish_due(ctx, utcnow(), HTML_SCHEDULE)
    latest_day = max(p.period for p in scheduled if p.kind == Kind.DAILY.value)
    # An older day's report generated afterwards by hand is not the latest day's.
    turkey = cast.viewer(ctx, "tur")
    for lang in ("en", "tr"):
        request = publishing.Request(
            Kind.DAILY, Edition.PUBLIC, lang, OutputFormat.HTML, day=date(2020, 11, 26)
        )
        publishing.generate(ctx, turkey, request)
    (expected,) = [
        p
        for p in scheduled
        if p.period == latest_day and p.lang == "tr" and p.edition == Edition.PUBLIC.value
    ]
    public = browsers["public"].client
    shown = _latest(public.get("/publications?lang=tr").text)
    assert f'href="/publications/{expected.id}/content"' in shown
    assert f"{latest_day.split(':')[1]} günlük raporu" in shown
    assert public.get(f"/publications/{expected.id}/content").status_code == 200
    english = _latest(public.get("/publications?lang=en").text)
    assert f"The daily report of {latest_day.split(':')[1]}" in english
    assert f'href="/publications/{expected.id}/content"' not in english
    # A monitor reads the internal edition too, but the public edition comes first.
    monitor = _latest(browsers["tur"].client.get("/publications?lang=en").text)
    assert "public edition" in monitor


def test_the_stored_list_names_the_day_and_the_language_not_their_keys(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    make_day(ctx, cast)
    request = publishing.Request(
        Kind.DAILY, Edition.PUBLIC, "tr", OutputFormat.HTML, day=date(2020, 11, 26)
    )
    made = publishing.generate(ctx, cast.viewer(ctx, "tur"), request).publication
    page = browsers["public"].client.get("/publications?lang=tr").text
    stored = page.split('<h2 id="stored">')[1]
    row = stored.split(f">{made.id}</a>")[1].split("</tr>")[0]
    assert "<td>2020-11-26</td>" in row, row
    assert "<td>Türkçe</td>" in row, row
    assert "daily:" not in stored
