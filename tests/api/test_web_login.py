"""Web sign-in: the form, the cookie, what a signed-in member sees, sign-out, and that the
cookie never authenticates the JSON API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from ceasefire.access import Classification
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members.tables import ApiTokenRow
from ceasefire.reports import service as reports
from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import OPERATOR, PASSWORD, Cast
from tests.factories.reports import shelling_body

ARM_USER = "arm-duty"


@pytest.fixture
def cast(cast: Cast, ctx: ServiceContext) -> Cast:
    """tests/conftest.py's cast, and a user of Armenia's with a password."""
    auth.add_user(ctx, OPERATOR, user_id=ARM_USER, member_id="arm", password=PASSWORD)
    return cast


def sign_in(client: TestClient, user_id: str = ARM_USER, password: str = PASSWORD) -> str:
    """Post the form; returns the session cookie's token."""
    response = client.post(
        "/login", data={"user_id": user_id, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    token: str | None = client.cookies.get(SESSION_COOKIE)
    assert token is not None
    return token


def who(html: str) -> str:
    """The header's 'who is signed in' text, tags removed."""
    found = re.search(r'<span class="who">(.*?)</span>', html, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def token_state(ctx: ServiceContext, token: str) -> str:
    with ctx.reader() as session:
        row = session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.token_hash == auth.hash_token(token))
        ).one()
        return "revoked" if row.revoked_at is not None else "active"


def test_login_page_renders_and_the_header_links_to_it(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<form method="post" action="/login">' in page.text
    assert 'name="user_id"' in page.text
    assert 'type="password"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert who(client.get("/").text) == "public view · sign in"
    assert '<a href="/login">sign in</a>' in client.get("/").text


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    client: TestClient, cast: Cast
) -> None:
    wrong_password = client.post("/login", data={"user_id": ARM_USER, "password": "not it at all"})
    unknown_user = client.post("/login", data={"user_id": "nobody-here", "password": PASSWORD})
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert "Wrong user name or password." in response.text
        assert "set-cookie" not in response.headers
        assert SESSION_COOKIE not in client.cookies
    # The pages differ only in the name typed back into the form.
    assert wrong_password.text.replace(ARM_USER, "X") == unknown_user.text.replace(
        "nobody-here", "X"
    )
    assert "password" not in wrong_password.text.split("Wrong user name or password.")[0][-200:]


def test_an_empty_form_is_explained(client: TestClient) -> None:
    response = client.post("/login", data={"user_id": "", "password": ""})
    assert response.status_code == 422
    assert "Enter a user name and a password." in response.text


def test_good_login_sets_a_strict_httponly_cookie_and_shows_the_member(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    response = client.post(
        "/login", data={"user_id": ARM_USER, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    # the session's cookie (the device marker's is docs/security.md's, test_device_markers)
    cookie = response.headers.get_list("set-cookie")[0]
    assert cookie.startswith(f"{SESSION_COOKIE}=cft_")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert "secure" not in attributes  # plain HTTP here; see the HTTPS test below
    max_age = next(int(a.split("=")[1]) for a in attributes if a.startswith("max-age="))
    assert 11 * 3600 < max_age <= 12 * 3600

    # An ordinary API token: listed with the others, labelled "login", 12 hours.
    tokens = auth.list_tokens(ctx, OPERATOR, user_id=ARM_USER)
    assert [(t.label, t.state) for t in tokens] == [("login", "active")]

    page = client.get("/")
    assert who(page.text) == "signed in as arm-duty (arm · party liaison) · account sign out"
    # A member's view must not be kept by a shared cache; the public view may be.
    assert page.headers["cache-control"] == "private, no-store"
    client.cookies.clear()
    assert "cache-control" not in client.get("/").headers


def test_cookie_is_secure_over_https(ctx: ServiceContext, cast: Cast) -> None:
    with TestClient(create_app(ctx=ctx), base_url="https://testserver") as client:
        response = client.post(
            "/login", data={"user_id": ARM_USER, "password": PASSWORD}, follow_redirects=False
        )
    assert response.status_code == 303
    attributes = {p.strip().lower() for p in response.headers["set-cookie"].split(";")[1:]}
    assert "secure" in attributes


def _incident(
    ctx: ServiceContext,
    cast: Cast,
    title: str,
    classification: Classification,
    concerns: list[str],
) -> None:
    turkey = cast.viewer(ctx, "tur")
    body = shelling_body(concerns=concerns, alleged_perpetrator=concerns[0])
    report = reports.submit_report(ctx, turkey, body).report
    incidents.create_incident(
        ctx, turkey, report_ids=[report.id], title=title, classification=classification
    )


def test_a_signed_in_liaison_sees_what_its_role_allows(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    _incident(ctx, cast, "Shelling near Aghdam", Classification.SHARED, ["ARM", "AZE"])
    _incident(ctx, cast, "Drone over Fuzuli", Classification.SHARED, ["AZE"])
    _incident(ctx, cast, "Working note on Lachin", Classification.INTERNAL, ["ARM", "AZE"])
    _incident(ctx, cast, "Flare near Shusha", Classification.PUBLIC, ["ARM"])

    public = client.get("/").text
    assert "Flare near Shusha" in public
    for hidden in ("Shelling near Aghdam", "Drone over Fuzuli", "Working note on Lachin"):
        assert hidden not in public

    sign_in(client)
    armenia = client.get("/").text
    assert "signed in as arm-duty" in who(armenia)
    assert "Flare near Shusha" in armenia
    assert "Shelling near Aghdam" in armenia  # shared, concerns its party
    assert "Drone over Fuzuli" not in armenia  # shared, concerns another party only
    assert "Working note on Lachin" not in armenia  # internal: monitors only


def test_logout_revokes_the_token_so_the_old_cookie_no_longer_works(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    token = sign_in(client)
    assert token_state(ctx, token) == "active"
    response = client.post(
        "/logout", data={"csrf_token": csrf.token_for(token)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert SESSION_COOKIE not in client.cookies
    assert token_state(ctx, token) == "revoked"
    (listed,) = auth.list_tokens(ctx, OPERATOR, user_id=ARM_USER)
    with ctx.reader() as session:
        tags = session.scalars(
            select(LedgerEntryRow.tag)
            .where(LedgerEntryRow.subject == f"token/{listed.id}")
            .order_by(LedgerEntryRow.seq)
        ).all()
    assert list(tags) == ["auth:token:created", "auth:token:revoked"]

    # Someone who copied the cookie: the page is public and the cookie is cleared.
    client.cookies.set(SESSION_COOKIE, token)
    page = client.get("/")
    assert page.status_code == 200
    assert who(page.text) == "public view · sign in"
    assert page.headers["set-cookie"].startswith(f'{SESSION_COOKIE}=""')
    assert "max-age=0" in page.headers["set-cookie"].lower()
    # The same token as a bearer token is refused as well.
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert me.headers["www-authenticate"] == "Bearer"
    # Signing out again (stale cookie) is harmless.
    again = client.post("/logout", data={"csrf_token": csrf.token_for(token)})
    assert again.status_code == 200  # redirected to the public dashboard


@pytest.mark.parametrize("state", ["garbage", "expired", "disabled"])
def test_an_invalid_cookie_is_the_public_with_the_cookie_cleared(
    ctx: ServiceContext, client: TestClient, cast: Cast, state: str
) -> None:
    token = "cft_not-a-token" if state == "garbage" else sign_in(client)
    if state == "expired":
        with ctx.unit_of_work() as session:
            session.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.token_hash == auth.hash_token(token))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    if state == "disabled":
        auth.disable_user(ctx, OPERATOR, ARM_USER)
    client.cookies.set(SESSION_COOKIE, token)
    page = client.get("/")
    assert page.status_code == 200
    assert who(page.text) == "public view · sign in"
    assert page.headers["set-cookie"].startswith(f'{SESSION_COOKIE}=""')
    # A good page load does not touch the cookie.
    client.cookies.clear()
    assert "set-cookie" not in client.get("/").headers


def test_the_cookie_does_not_authenticate_the_api(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    token = sign_in(client)
    assert client.cookies.get(SESSION_COOKIE) == token
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["public"] is True
    change = client.post(
        "/api/v1/members", json={"id": "geo", "name": "Georgia", "kind": "state", "iso3": "GEO"}
    )
    assert change.status_code == 401
    assert change.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/v1/auth/tokens").status_code == 401
    # With the header, the same token works: it is an ordinary API token.
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["user_id"] == ARM_USER


def test_cross_site_form_posts_are_refused(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    evil = {"Origin": "https://evil.example"}
    forged = client.post("/login", data={"user_id": ARM_USER, "password": PASSWORD}, headers=evil)
    assert forged.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    referred = client.post(
        "/login",
        data={"user_id": ARM_USER, "password": PASSWORD},
        headers={"Referer": "https://evil.example/page"},
    )
    assert referred.status_code == 403
    null_origin = client.post(
        "/login", data={"user_id": ARM_USER, "password": PASSWORD}, headers={"Origin": "null"}
    )
    assert null_origin.status_code == 403

    own = {"Origin": "http://testserver"}
    response = client.post(
        "/login",
        data={"user_id": ARM_USER, "password": PASSWORD},
        headers=own,
        follow_redirects=False,
    )
    assert response.status_code == 303
    token = client.cookies.get(SESSION_COOKIE)
    assert token is not None
    assert client.post("/logout", headers=evil).status_code == 403
    assert token_state(ctx, token) == "active"
    # From this site but without the session's CSRF token (or with another session's):
    # refused too, and the session stays.
    assert client.post("/logout", headers=own).status_code == 403
    other = {"csrf_token": csrf.token_for("cft_another-session")}
    assert client.post("/logout", headers=own, data=other).status_code == 403
    assert token_state(ctx, token) == "active"
    signed = {"csrf_token": csrf.token_for(token)}
    response = client.post("/logout", headers=own, data=signed, follow_redirects=False)
    assert response.status_code == 303
    assert token_state(ctx, token) == "revoked"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/?as_of=2020-11-21", "/?as_of=2020-11-21"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_after_login_only_local_pages(
    client: TestClient, cast: Cast, given: str, expected: str
) -> None:
    form = client.get("/login", params={"next": given}).text
    assert f'name="next" value="{expected}"' in form.replace("&amp;", "&")
    response = client.post(
        "/login",
        data={"user_id": ARM_USER, "password": PASSWORD, "next": given},
        follow_redirects=False,
    )
    assert response.headers["location"] == expected


def test_the_chosen_language_and_zone_are_kept_on_the_user_and_restored_at_sign_in(
    ctx: ServiceContext, cast: Cast
) -> None:
    app = create_app(ctx=ctx)
    with TestClient(app) as first, TestClient(app) as second:
        # The public's choice stays in its cookies only.
        first.get("/preferences?lang=ru&next=/", follow_redirects=False)
        assert auth.preferences_of(ctx, ARM_USER) == auth.UserPreferences(None, None)
        signed = sign_in(first)
        # A GET (a link, which another site could show) only sets this browser's cookie.
        linked = first.get("/preferences?lang=tr&tz=Asia/Baku&next=/", follow_redirects=False)
        assert linked.status_code == 303
        assert "lang=tr" in linked.headers["set-cookie"]
        assert auth.preferences_of(ctx, ARM_USER) == auth.UserPreferences(None, None)
        # The header's form posts with the session's CSRF token: that saves the choice.
        token = csrf.token_for(signed)
        chosen = first.post(
            "/preferences",
            data={"csrf_token": token, "lang": "tr", "tz": "Asia/Baku", "next": "/incidents"},
            follow_redirects=False,
        )
        assert chosen.status_code == 303
        assert chosen.headers["location"] == "/incidents"
        assert auth.preferences_of(ctx, ARM_USER) == auth.UserPreferences("tr", "Asia/Baku")
        # Choosing the same again is not another ledger entry.
        first.post(
            "/preferences",
            data={"csrf_token": token, "lang": "tr", "next": "/"},
            follow_redirects=False,
        )
        with ctx.reader() as session:
            tags = session.scalars(
                select(LedgerEntryRow.tag).where(LedgerEntryRow.subject == f"user/{ARM_USER}")
            ).all()
        assert tags.count("auth:user:preferences-set") == 1
        # The users' state check replays the entry to the same row.
        summary = ledger.verify(ctx).summary()
        assert summary.ok, summary.findings
        assert any(name.startswith("members") for name in summary.state_checks)

        # Another browser: the sign-in sets the user's language and zone.
        assert second.cookies.get("lang") is None
        sign_in(second)
        assert second.cookies.get("lang") == "tr"
        assert (second.cookies.get("tz") or "").strip('"') == "Asia/Baku"  # quoted: a "/"
        assert '<html lang="tr">' in second.get("/").text

    with pytest.raises(InvalidInput) as refused:
        auth.set_preferences(ctx, cast.viewer(ctx, "arm"), lang="xx", time_zone="Mars/Olympus")
    assert {d["loc"] for d in refused.value.details or []} == {"lang", "time_zone"}
