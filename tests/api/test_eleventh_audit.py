"""The eleventh audit: what docs/security.md left "not covered", and the web layer's HTTP
hygiene, attacked as one member's staff would attack another's (both databases).

- Passwords needed 10 characters only: ``password123``, ``qwertyuiop`` and a user's own name
  with a year were accepted. zxcvbn now refuses a guessable one (score below 3 of 4) on every
  path that sets one (a new user, an operator's reset from the CLI, a user's own change
  through the API and the web form), with a coded 422 naming the field and why, in the
  reader's language; the user's and its member's names count as known words.
- An attachment's media type was the uploader's: an HTML page or a Windows executable sent
  as ``image/jpeg`` was listed and ledgered as a photo. The type stored is now the one the
  file's first bytes show, and a declaration they contradict is refused before anything is
  stored; the web form (whose type a browser guesses from the name) declares none.
- Answers to a request with credentials carried no ``Cache-Control``: an API answer, an
  internal report or an attachment download could be kept by a browser on a shared machine
  or a misconfigured proxy. They are ``private, no-store`` now, every answer that is not
  ``public`` says ``Vary: Authorization, Cookie``, and HTTPS answers carry HSTS.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members.setup import setup_demo_users, setup_members
from ceasefire.reports import service as reports
from ceasefire.reports.schemas import ReportPublic
from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.cli import InProcessCli
from tests.factories.members import OPERATOR, PASSWORD, Cast
from tests.factories.reports import shelling_body, web_report_form

USER = "aze-liaison"
# Each at least 10 characters: every one of them passed before.
WEAK = {
    "password123": "common_password",
    "qwertyuiop": "common_password",
    "aze-liaison2020": "names_the_user",
    "Azerbaijan1234": "names_the_user",
    "0123456789": "sequence",
    "abcabcabcabc": "repeats",
    "asdfghjkl;'": "keyboard_pattern",
}


def _reason(error: InvalidInput) -> str:
    reason: str = error.details[0]["reason"]
    return reason


# --------------------------------------------------------------------------- passwords


@pytest.mark.parametrize(("password", "reason"), sorted(WEAK.items()))
def test_a_new_user_with_a_guessable_password_is_refused(
    ctx: ServiceContext, password: str, reason: str
) -> None:
    setup_members(ctx, demo=True)
    with pytest.raises(InvalidInput) as refused:
        auth.add_user(ctx, OPERATOR, user_id=USER, member_id="aze", password=password)
    assert refused.value.code == "E422"
    assert refused.value.details[0]["loc"] == "password"
    assert _reason(refused.value) == reason
    assert USER not in {u.id for u in auth.list_users(ctx, OPERATOR)}


def test_the_member_name_counts_as_a_known_word(ctx: ServiceContext) -> None:
    """``Azerbaijan1234`` is no dictionary word to zxcvbn: it is the member's name, which
    every member reads in the ledger."""
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id="arm-liaison-2", member_id="arm", password=PASSWORD)
    with pytest.raises(InvalidInput) as refused:
        auth.set_password(ctx, OPERATOR, "arm-liaison-2", "Armenia12345")
    assert _reason(refused.value) == "names_the_user"


def test_the_api_and_the_cli_refuse_a_guessable_password(
    ctx: ServiceContext, client: TestClient, cli: InProcessCli
) -> None:
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="aze", password=PASSWORD)
    token = auth.login(ctx, user_id=USER, password=PASSWORD).token

    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "password123"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert changed.status_code == 422, changed.text
    error = changed.json()["error"]
    assert error["code"] == "E422"
    assert error["details"][0]["loc"] == "new_password"
    assert error["details"][0]["reason"] == "common_password"

    code, out = cli.run("user", "password", USER, "--password-stdin", stdin="qwertyuiop\n")
    assert code != 0
    assert out["error"]["details"][0]["loc"] == "password"
    code, out = cli.run(
        "user", "add", "aze-third", "--member", "aze", "--password-stdin", stdin="0123456789\n"
    )
    assert code != 0
    assert out["error"]["details"][0]["reason"] == "sequence"
    # the password is still the old one
    assert auth.login(ctx, user_id=USER, password=PASSWORD).token


def test_the_web_form_says_why_in_the_reader_s_language(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="aze", password=PASSWORD)
    with TestClient(create_app(ctx=ctx)) as browser:
        signed = browser.post(
            "/login", data={"user_id": USER, "password": PASSWORD}, follow_redirects=False
        )
        assert signed.status_code == 303
        session = browser.cookies.get(SESSION_COOKIE)
        assert session is not None
        form = {
            "current_password": PASSWORD,
            "new_password": "aze-liaison2020",
            "new_password_again": "aze-liaison2020",
            "csrf_token": csrf.token_for(session),
        }
        english = browser.post("/account/password", data=form)
        assert english.status_code == 422
        assert "it contains the user&#39;s or the member&#39;s name" in english.text
        browser.cookies.set("lang", "ru")
        russian = browser.post("/account/password", data=form)
        assert russian.status_code == 422
        assert "имя пользователя или участника" in russian.text
        browser.cookies.set("lang", "tr")
        turkish = browser.post("/account/password", data=form)
        assert "kullanıcının veya üyenin adını" in turkish.text


def test_demo_users_get_passwords_that_pass(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    created = setup_demo_users(ctx)
    assert created
    first = created[0]
    assert auth.login(ctx, user_id=first.user_id, password=first.password).token


# ------------------------------------------------------------------------- attachments


def _attachment_entries(ctx: ServiceContext) -> list[dict[str, Any]]:
    with ctx.reader() as session:
        payloads = session.scalars(
            select(LedgerEntryRow.payload).where(LedgerEntryRow.tag == "intake:attachment:received")
        ).all()
    return [json.loads(p) for p in payloads]


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (b"<!DOCTYPE html><html><script>fetch('/api')</script></html>", "text/html"),
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64),
            "application/x-msdownload",
        ),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "application/x-executable"),
    ],
    ids=["html", "windows-exe", "elf"],
)
def test_a_file_sent_as_a_photo_is_refused_when_its_bytes_are_not_one(
    ctx: ServiceContext, client: TestClient, cast: Cast, content: bytes, detected: str
) -> None:
    report = reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body()).report
    refused = client.post(
        f"/api/v1/reports/{report.id}/attachments?filename=crater.jpg",
        content=content,
        headers={"Content-Type": "image/jpeg", **cast.bearer("tur")},
    )
    assert refused.status_code == 422, refused.text
    detail = refused.json()["error"]["details"][0]
    assert (detail["loc"], detail["declared"], detail["detected"]) == (
        "file",
        "image/jpeg",
        detected,
    )
    assert _attachment_entries(ctx) == []
    stored = reports.get_report(ctx, cast.viewer(ctx, "tur"), report.id)
    assert isinstance(stored, ReportPublic)
    assert stored.attachments == []


def test_the_stored_type_is_the_one_the_bytes_show(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    report = reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body()).report
    photo = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)

    def upload(content: bytes, media_type: str | None) -> dict[str, Any]:
        headers = cast.bearer("tur") | ({"Content-Type": media_type} if media_type else {})
        sent = client.post(
            f"/api/v1/reports/{report.id}/attachments?filename=x", content=content, headers=headers
        )
        assert sent.status_code == 201, sent.text
        return dict(sent.json())

    assert upload(photo, "application/octet-stream")["media_type"] == "image/jpeg"
    assert upload(b"lat,lon\n39.98,46.93\n", "text/csv")["media_type"] == "text/csv"
    # a type no signature tells is not shown: the label could not be checked
    assert upload(bytes(range(1, 40)), "application/x-anything")["media_type"] == (
        "application/octet-stream"
    )
    assert {e["media_type"] for e in _attachment_entries(ctx)} == {
        "image/jpeg",
        "text/csv",
        "application/octet-stream",
    }


def test_the_web_form_stores_the_detected_type_not_the_browser_s_guess(
    ctx: ServiceContext, cast: Cast
) -> None:
    """A browser names the type after the file's extension: ``crater.jpg`` holding a page is
    stored as the page it is, and downloads as one (``attachment``, ``nosniff``)."""
    page = b"<html><body onload=alert(1)>look</body></html>"
    with TestClient(create_app(ctx=ctx)) as browser:
        browser.cookies.set(SESSION_COOKIE, cast.tokens["tur"])
        filed = browser.post(
            "/reports/new",
            data={**web_report_form(), "csrf_token": csrf.token_for(cast.tokens["tur"])},
            files={"attachments": ("crater.jpg", page, "image/jpeg")},
            follow_redirects=False,
        )
        assert filed.status_code == 303, filed.text
    assert [e["media_type"] for e in _attachment_entries(ctx)] == ["text/html"]


# ------------------------------------------------------------------------- HTTP hygiene


def test_answers_to_a_member_are_never_kept_by_a_cache(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    internal = reports.submit_report(
        ctx, cast.viewer(ctx, "tur"), shelling_body(classification="internal")
    ).report
    photo = b"\xff\xd8\xff\xe0" + bytes(100)
    attached = client.post(
        f"/api/v1/reports/{internal.id}/attachments?filename=a.jpg",
        content=photo,
        headers={"Content-Type": "image/jpeg", **cast.bearer("tur")},
    ).json()
    for path in (
        "/api/v1/reports",
        f"/api/v1/reports/{internal.id}",
        f"/api/v1/reports/{internal.id}/attachments/{attached['id']}",
        "/api/v1/auth/tokens",
        "/api/v1/no-such-route",
    ):
        answer = client.get(path, headers=cast.bearer("tur"))
        assert answer.headers.get("cache-control") == "private, no-store", path
        assert "Authorization" in answer.headers.get("vary", ""), path
    # the public's answers vary with who asks too (a signed-in view must not be served)
    public = client.get("/api/v1/incidents")
    assert "Authorization" in public.headers["vary"]
    page = client.get("/")
    assert "Cookie" in page.headers["vary"]
    # files that are the same for everyone stay cacheable, without a Vary
    static = client.get("/static/web/style.css?v=1")
    assert static.status_code == 200
    assert static.headers["cache-control"].startswith("public")
    assert "vary" not in static.headers


def test_hsts_over_https_only(ctx: ServiceContext) -> None:
    app = create_app(ctx=ctx)
    with TestClient(app, base_url="https://centre.example") as secure:
        assert secure.get("/login").headers["strict-transport-security"] == "max-age=31536000"
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/login").headers
