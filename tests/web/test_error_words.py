"""A refusal a page shows is in the reader's language, by the wording its raise site gave
(``CeasefireError.worded``): the account page's password errors, a sign-in's too many tries
and an error page were English on Russian and Turkish pages (both databases)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import PASSWORD, Cast, add_user_with_token
from tests.web.conftest import HTML, Browser


def _alert(page: str) -> str:
    """The text of the page's error paragraph."""
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert found is not None, page
    return html.unescape(found.group(1)).strip()


@pytest.mark.parametrize(
    ("lang", "wrong", "differ"),
    [
        ("en", "The current password is wrong.", "The two new passwords differ."),
        ("ru", "Текущий пароль неверен.", "Два новых пароля не совпадают."),
        ("tr", "Mevcut parola yanlış.", "İki yeni parola birbirinden farklı."),
    ],
)
def test_the_account_page_refuses_a_password_change_in_the_readers_language(
    ctx: ServiceContext, cast: Cast, lang: str, wrong: str, differ: str
) -> None:
    _, session = add_user_with_token(ctx, "arm", "arm-officer", password=PASSWORD)
    with TestClient(create_app(ctx=ctx), headers=HTML) as client:
        client.cookies.set(SESSION_COOKIE, session)
        me = Browser(client, csrf.token_for(session))
        new = "a new password long enough"
        form = {"current_password": "not the password", "new_password": new}
        refused = me.post(f"/account/password?lang={lang}", {**form, "new_password_again": new})
        assert refused.status_code == 403
        assert _alert(refused.text) == wrong
        mismatch = me.post(f"/account/password?lang={lang}", {**form, "new_password_again": "x"})
        assert mismatch.status_code == 422
        assert _alert(mismatch.text) == differ


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "no report 'rep-nope'"),
        ("ru", "нет донесения 'rep-nope'"),
        ("tr", "'rep-nope' raporu yok"),
    ],
)
def test_an_error_page_words_the_refusal_in_the_readers_language(
    browsers: dict[str, Browser], lang: str, shown: str
) -> None:
    page = browsers["tur"].client.get(f"/reports/rep-nope?lang={lang}")
    assert page.status_code == 404
    assert shown in html.unescape(page.text)
    # The API keeps the English message, whatever the language asked for.
    api = browsers["tur"].client.get(
        "/api/v1/reports/rep-nope", headers={"accept": "application/json", "accept-language": lang}
    )
    assert api.json()["error"]["message"] == "no report 'rep-nope'"
