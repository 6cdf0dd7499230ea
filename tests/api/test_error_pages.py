"""One error handler for the whole application: HTML pages for a browser, JSON for the API,
and every error code from the one table in ceasefire.errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.errors import ERRORS, CeasefireError, IntegrityError

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize(("path", "status"), [("/?as_of=garbage", 422), ("/no-such-page", 404)])
def test_a_browser_gets_an_html_error_page(settings: Settings, path: str, status: int) -> None:
    response = TestClient(create_app(settings)).get(path, headers=BROWSER)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"E{status}" in response.text
    assert "<script" not in response.text


@pytest.mark.parametrize("path", ["/?as_of=garbage", "/no-such-page", "/api/v1/nothing-here"])
def test_a_program_gets_json(settings: Settings, path: str) -> None:
    response = TestClient(create_app(settings)).get(path)
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] in ERRORS


def test_the_api_answers_json_even_to_a_browser(settings: Settings) -> None:
    response = TestClient(create_app(settings)).get("/api/v1/nothing-here", headers=BROWSER)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "E404"


def test_an_unexpected_exception_is_a_coded_json_500_without_internals(
    settings: Settings,
) -> None:
    app = create_app(settings)
    router = APIRouter()

    @router.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret path /etc/ceasefire/keys.json")

    app.include_router(router)
    response = TestClient(app, raise_server_exceptions=False).get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "E500"
    assert "secret" not in response.text


def test_a_failed_verification_is_not_a_generic_server_error() -> None:
    assert IntegrityError("x").code == "E600"
    verified = IntegrityError("the chain breaks", code="E601")
    assert (verified.code, verified.status, verified.title) == (
        "E601",
        500,
        "ledger does not verify",
    )
    with pytest.raises(ValueError, match=r"not in ceasefire\.errors\.ERRORS"):
        CeasefireError("x", code="E999")


def test_every_code_the_source_names_is_in_the_table() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "ceasefire"
    named = set()
    for path in source.rglob("*.py"):
        named |= set(re.findall(r'code\s*=\s*"(E[0-9A-Z-]+)"', path.read_text(encoding="utf-8")))
    assert named, "no coded raise site found"
    assert named <= set(ERRORS), named - set(ERRORS)


def test_a_browser_gets_the_error_page_in_its_language(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    response = client.get(
        "/no-such-page", headers={"accept": "text/html", "accept-language": "ru-RU,ru;q=0.9"}
    )
    assert response.status_code == 404
    assert '<html lang="ru">' in response.text
    assert "не найдено" in response.text
    assert response.headers["content-language"] == "ru"
    turkish = client.get("/no-such-page?lang=tr", headers={"accept": "text/html"})
    assert "bulunamadı" in turkish.text
