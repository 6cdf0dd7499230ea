"""Device markers (OWASP's device cookies) and the sign-in lock, on both databases.

Clients without a valid marker of a user share one lock of its name: a botnet of many
addresses gets five guesses in all per window. A client holding a marker the user got on a
successful sign-in is refused only after its own five failures, so the user's duty officer is
not locked out by a member failing on purpose. A marker of another user, forged, altered,
expired or from before the password changed counts for nothing (docs/security.md, "Bounds and
abuse"; docs/access.md, "Sign-in throttling").
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth, devices
from ceasefire.members.setup import setup_members
from ceasefire.members.tables import UserRow
from ceasefire.timeutil import utcnow
from ceasefire.web.session import DEVICE_COOKIE
from tests.factories.members import OPERATOR, PASSWORD

OFFICER = "arm-duty-officer"
OTHER = "arm-clerk"
WRONG = "not the password"
NEW_PASSWORD = "a new password, long enough"
OFFICE = "198.51.100.20"
ATTACKER = "203.0.113.7"


@pytest.fixture
def users(ctx: ServiceContext) -> ServiceContext:
    setup_members(ctx, demo=True)
    for user_id in (OFFICER, OTHER):
        auth.add_user(ctx, OPERATOR, user_id=user_id, member_id="arm", password=PASSWORD)
    return ctx


def _client(ctx: ServiceContext, address: str, *, https: bool = False) -> TestClient:
    base = "https://testserver" if https else "http://testserver"
    return TestClient(create_app(ctx=ctx), client=(address, 40000), base_url=base)


def _api(
    client: TestClient, password: str, marker: str | None = None, user_id: str = OFFICER
) -> int:
    headers = {"ceasefire-device": marker} if marker else {}
    response = client.post(
        "/api/v1/auth/token", json={"user_id": user_id, "password": password}, headers=headers
    )
    status: int = response.status_code
    return status


def _marker(client: TestClient, user_id: str = OFFICER) -> str:
    response = client.post("/api/v1/auth/token", json={"user_id": user_id, "password": PASSWORD})
    assert response.status_code == 200, response.text
    marker: str = response.json()["device_cookie"]
    return marker


def _lock(ctx: ServiceContext) -> None:
    """Fail the officer's name to its lock, from the attacker's address (no marker)."""
    limit = ctx.settings.login_max_failures
    with _client(ctx, ATTACKER) as attacker:
        assert [_api(attacker, WRONG) for _ in range(limit)] == [401] * limit
        assert _api(attacker, PASSWORD) == 429


def test_a_botnet_of_many_addresses_gets_only_the_limit_in_all(users: ServiceContext) -> None:
    limit = users.settings.login_max_failures
    outcomes = []
    for n in range(4 * limit):
        with _client(users, f"192.0.2.{n + 1}") as bot:
            outcomes.append(_api(bot, WRONG))
    assert outcomes == [401] * limit + [429] * (3 * limit)
    # the right password from yet another address is refused unchecked too
    with _client(users, "192.0.2.200") as bot:
        assert _api(bot, PASSWORD) == 429


def test_the_officer_with_its_marker_signs_in_while_the_name_is_locked(
    users: ServiceContext,
) -> None:
    # the officer behind the attacker's own NAT address: the address is no help, the marker is
    with _client(users, ATTACKER) as officer:
        marker = _marker(officer)
    _lock(users)
    with _client(users, ATTACKER) as officer:
        assert _api(officer, PASSWORD, marker) == 200
        assert _api(officer, PASSWORD) == 429  # the same address without its marker
    # ... and its success left the lock the attacker caused
    with _client(users, OFFICE) as office:
        assert _api(office, PASSWORD) == 429


def test_failures_with_a_marker_lock_that_marker_only(users: ServiceContext) -> None:
    limit = users.settings.login_max_failures
    with _client(users, OFFICE) as office:
        marker = _marker(office)
        assert [_api(office, WRONG, marker) for _ in range(limit)] == [401] * limit
        # the marker cannot be used to guess on: refused unchecked, right password or not
        assert _api(office, PASSWORD, marker) == 429
        # its failures are not the name's: a client without a marker is still checked
        assert _api(office, PASSWORD) == 200
    listed = {u.id: u for u in auth.list_users(users, OPERATOR)}
    assert listed[OFFICER].locked_until is None
    # an operator's unlock lifts the marker's lock too
    auth.unlock_user(users, OPERATOR, OFFICER)
    with _client(users, OFFICE) as office:
        assert _api(office, PASSWORD, marker) == 200


def _altered(marker: str) -> str:
    last = "A" if marker[-1] != "A" else "B"
    return marker[:-1] + last


def _expired(ctx: ServiceContext, marker: str) -> str:
    """A correctly signed marker of the officer, issued over a year ago."""
    user_part, _, nonce, _ = marker.split(".")
    issued = int((utcnow() - devices.MARKER_TTL - timedelta(days=1)).timestamp())
    with ctx.reader() as session:
        user = session.get(UserRow, OFFICER)
        assert user is not None
        assert user.password_hash is not None
        key = devices._stored_key(session)
        assert key is not None
        mac = devices._mac(key, OFFICER, issued, nonce, user.password_hash)
    return f"{user_part}.{issued}.{nonce}.{mac}"


def test_a_stolen_forged_expired_or_stale_marker_is_untrusted(users: ServiceContext) -> None:
    with _client(users, OFFICE) as office:
        marker = _marker(office)
        others = _marker(office, OTHER)
        stale = _marker(office)
        token = office.post(
            "/api/v1/auth/token", json={"user_id": OFFICER, "password": PASSWORD}
        ).json()["token"]
        changed = office.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers={"authorization": f"Bearer {token}", "ceasefire-device": marker},
        )
        assert changed.status_code == 200, changed.text
        fresh = changed.json()["device_cookie"]
    # another user's marker, renamed to the officer: its MAC no longer matches
    forged = base64.urlsafe_b64encode(OFFICER.encode()).decode().rstrip("=")
    forged += "." + ".".join(others.split(".")[1:])
    untrusted = {
        "another user's": others,
        "altered": _altered(fresh),
        "another user named in it": forged,
        "expired": _expired(users, fresh),
        "from before the password changed": stale,
        "not a marker": "garbage",
    }
    with users.reader() as session:
        assert devices.trusted_device(session, OFFICER, fresh) is not None
        for why, presented in untrusted.items():
            assert devices.trusted_device(session, OFFICER, presented) is None, why
    limit = users.settings.login_max_failures
    with _client(users, ATTACKER) as attacker:
        assert [_api(attacker, WRONG) for _ in range(limit)] == [401] * limit
    with _client(users, OFFICE) as office:
        for why, presented in untrusted.items():
            assert _api(office, NEW_PASSWORD, presented) == 429, why
        assert _api(office, NEW_PASSWORD, fresh) == 200


def _set_cookie_of(response: httpx.Response, name: str) -> str:
    set_cookies = response.headers.get_list("set-cookie")
    found = [h for h in set_cookies if h.startswith(name + "=")]
    assert len(found) == 1, set_cookies
    cookie: str = found[0]
    return cookie


def test_the_web_form_keeps_the_marker_in_a_cookie_like_the_sessions(
    users: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    form = {"user_id": OFFICER, "password": PASSWORD}
    caplog.set_level(logging.DEBUG)
    with _client(users, OFFICE, https=True) as browser:
        first = browser.post("/login", data=form, follow_redirects=False)
        assert first.status_code == 303, first.text
        cookie = _set_cookie_of(first, DEVICE_COOKIE).lower()
        for attribute in ("httponly", "samesite=strict", "secure", "path=/", "max-age=31536000"):
            assert attribute in cookie, cookie
        marker = browser.cookies.get(DEVICE_COOKIE)
        assert marker
        # a second user of the same browser: both markers are kept
        other = browser.post(
            "/login", data={"user_id": OTHER, "password": PASSWORD}, follow_redirects=False
        )
        assert other.status_code == 303
        both = browser.cookies.get(DEVICE_COOKIE)
        assert both is not None
        assert len(devices.markers_of(both)) == 2
        browser.post("/logout", follow_redirects=False)
    _lock(users)
    with _client(users, OFFICE, https=True) as browser:
        refused = browser.post("/login", data=form, follow_redirects=False)
        assert refused.status_code == 429
        assert "set-cookie" not in refused.headers
        browser.cookies.set(DEVICE_COOKIE, both)
        again = browser.post("/login", data=form, follow_redirects=False)
        assert again.status_code == 303, again.text
    # never in the logs nor in the ledger
    nonce = marker.split(".")[2]
    assert nonce not in caplog.text
    with users.reader() as session:
        payloads = " ".join(str(p) for p in session.scalars(select(LedgerEntryRow.payload)))
    assert nonce not in payloads


def test_the_password_form_gives_the_browser_a_new_marker(users: ServiceContext) -> None:
    form = {"user_id": OFFICER, "password": PASSWORD}
    with _client(users, OFFICE) as browser:
        assert browser.post("/login", data=form, follow_redirects=False).status_code == 303
        before = browser.cookies.get(DEVICE_COOKIE)
        page = browser.get("/account/password")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        changed = browser.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_again": NEW_PASSWORD,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert changed.status_code == 303, changed.text
        after = browser.cookies.get(DEVICE_COOKIE)
    assert before
    assert after
    assert before != after
    with users.reader() as session:
        assert devices.trusted_device(session, OFFICER, before) is None
        assert devices.trusted_device(session, OFFICER, after) is not None


def test_tokens_minted_with_the_right_password_are_not_failures(users: ServiceContext) -> None:
    """Each mint's password check was counted and never given back: five right passwords in
    a window locked the name for the minting address (and, under this policy, for every
    client without a marker)."""
    with _client(users, OFFICE) as office:
        token = office.post(
            "/api/v1/auth/token", json={"user_id": OFFICER, "password": PASSWORD}
        ).json()["token"]
        for _ in range(users.settings.login_max_failures):
            minted = office.post(
                "/api/v1/auth/tokens",
                json={"password": PASSWORD, "label": "script"},
                headers={"authorization": f"Bearer {token}"},
            )
            assert minted.status_code == 201, minted.text
            assert minted.json()["device_cookie"]
        assert _api(office, PASSWORD) == 200
    with _client(users, ATTACKER) as elsewhere:
        assert _api(elsewhere, PASSWORD) == 200


def test_openapi_lists_the_device_marker_header_on_the_routes_that_read_it(
    ctx: ServiceContext,
) -> None:
    paths = _client(ctx, OFFICE).get("/openapi.json").json()["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/auth/password", "/api/v1/auth/tokens"):
        (header,) = [p for p in paths[path]["post"]["parameters"] if p["in"] == "header"]
        assert header["name"] == "Ceasefire-Device"
        assert header["required"] is False
        assert "device_cookie" in header["description"]
