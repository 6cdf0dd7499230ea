"""An error page of a page's form (the map's period, the dashboard's and provisions' "record
as of") and a list's filter refusal name the field by the label the reader saw in the form,
in the page's language, not by the query's name (``days``, ``as_of``, ``start``); the API
keeps the names (both databases)."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.conftest import Browser


def _error(page: str) -> str:
    """The text of the error page's section, or of the list's error paragraph."""
    found = re.search(r'<section class="error".*?</section>', page, re.S) or re.search(
        r'<p class="error" role="alert">.*?</p>', page, re.S
    )
    assert found is not None, page[-2000:]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


@pytest.mark.parametrize(
    ("path", "lang", "said", "name"),
    [
        ("/map?days=abc", "ru", "неверный запрос: Период Период: не целое число", "days"),
        ("/map/table?until=bad", "en", "Shown up to: not a date (YYYY-MM-DD)", "until"),
        ("/?as_of=bad", "tr", "Kayıt tarihi: ISO 8601 tarih ya da saat değil: 'bad'", "as_of"),
        (
            "/provisions?as_of=bad",
            "ru",
            "Состояние на: не дата и не время в формате ISO 8601: 'bad'",
            "as_of",
        ),
        ("/incidents?start=bad", "ru", "С: не дата и не время в формате ISO 8601", "start"),
        ("/reports?start=bad", "tr", "Başlangıç: ISO 8601 tarih ya da saat değil", "start"),
    ],
)
def test_a_refused_field_is_named_by_its_label_in_the_readers_language(
    browsers: dict[str, Browser], path: str, lang: str, said: str, name: str
) -> None:
    joiner = "&" if "?" in path else "?"
    page = browsers["tur"].client.get(f"{path}{joiner}lang={lang}")
    assert page.status_code == 422
    shown = _error(page.text)
    assert said in shown, shown
    assert f"{name}:" not in shown, shown


def test_the_api_keeps_the_fields_names(browsers: dict[str, Browser]) -> None:
    """A program reads the refused field's name, as it sent it."""
    answer = browsers["public"].client.get("/map?days=abc", headers={"accept": "*/*"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["message"] == "invalid request: days"
    assert error["details"][0]["loc"] == "days"


def _back_links(page: str) -> list[str]:
    section = re.search(r'<section class="error".*?</section>', page, re.S)
    assert section is not None, page[-2000:]
    return re.findall(r'<a href="([^"]*)">', section.group(0))


def test_a_refused_form_links_back_to_the_form_the_reader_came_from(
    browsers: dict[str, Browser],
) -> None:
    answer = browsers["tur"].client.get(
        "/provisions?as_of=bad&lang=tr",
        headers={"referer": "http://testserver/provisions?as_of=2020-11-21"},
    )
    assert answer.status_code == 422
    assert _back_links(answer.text) == ["/provisions?as_of=2020-11-21", "/"]
    assert "geldiğiniz sayfaya dön" in answer.text


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/reports/new",
        "http://testserver.evil.example/reports/new",
        "http://testserver//evil.example/x",
        "http://testserver/api/v1/reports",
        "http://testserver/",
        "",
    ],
)
def test_another_sites_page_or_none_links_to_the_dashboard_only(
    browsers: dict[str, Browser], referer: str
) -> None:
    answer = browsers["public"].client.get("/map?days=abc", headers={"referer": referer})
    assert answer.status_code == 422
    assert _back_links(answer.text) == ["/"]


def test_an_address_no_route_serves_is_said_in_the_readers_language(
    browsers: dict[str, Browser],
) -> None:
    page = browsers["public"].client.get("/no-such-page?lang=tr")
    assert page.status_code == 404
    shown = _error(page.text)
    assert "bu adreste sayfa ya da kayıt yok" in shown, shown
    assert "Not Found" not in shown
    answer = browsers["public"].client.get("/api/v1/no-such-thing", headers={"accept": "*/*"})
    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "code": "E404",
        "message": "no page or record at this address",
        "details": None,
    }
    wrong = browsers["public"].client.delete("/map?lang=ru")
    assert wrong.status_code == 405
    assert "этот адрес не принимает такой метод запроса" in _error(wrong.text)
