"""The caller a route needs is checked before any byte of its body is read (api/authfirst.py).

A request body here is a generator that records whether it was read: the test client hands
it to the application only when the application asks for the body. Without ``AuthFirst`` the
body of every request below was read, and parsed, before the route's 401.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ceasefire.access import Viewer
from ceasefire.api.authfirst import Gate, routing_table
from ceasefire.api.deps import Authenticate
from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.members.auth import viewer_for_token
from ceasefire.web import csrf, session
from ceasefire.web.session import SESSION_COOKIE, get_signed_in_viewer
from tests.factories.members import Cast
from tests.factories.reports import web_report_form

MALFORMED = b'{"channel": "monitor_observation", "observed": [[[[[[[[[[[[[[[[[[[[[['
DEEP = b"[" * 100_000


class Body:
    """A request body that records whether the server asked for it."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks
        self.consumed = False

    def __iter__(self) -> Iterator[bytes]:
        self.consumed = True
        yield from self.chunks


JSON = {"Content-Type": "application/json"}


def _member_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every route that needs a member and may take a body, its path
    parameters filled in."""
    table = routing_table(client.app.router.routes)  # type: ignore[attr-defined]
    found: list[tuple[str, str]] = []
    for route, gate in table:
        if gate is Gate.MEMBER and isinstance(route, APIRoute):
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            methods = (route.methods or set()) - {"GET", "HEAD"}
            found.extend((method, path) for method in sorted(methods))
    return found


def test_every_member_route_refuses_the_public_before_reading_the_body(
    client: TestClient,
) -> None:
    routes = _member_routes(client)
    # The table is derived from the routes' dependencies: the busiest and the largest
    # bodies are in it, and so is every other route that needs a token.
    assert {("POST", "/api/v1/reports"), ("POST", "/api/v1/reports/import")} <= set(routes)
    assert len(routes) >= 30
    for method, path in routes:
        for content in (MALFORMED, DEEP):
            body = Body(content)
            response = client.request(method, path, content=body, headers=JSON)
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"]["code"] == "E401"
            assert response.headers["www-authenticate"] == "Bearer"
            assert not body.consumed, (method, path)


def test_an_oversized_anonymous_body_is_a_401_not_a_413(client: TestClient) -> None:
    """A body over the request limit with no Content-Length: had it been read, the size
    limit would have answered 413."""
    limit = client.app.state.ctx.settings.max_request_bytes  # type: ignore[attr-defined]
    chunk = b" " * (1024 * 1024)
    body = Body(*[chunk] * (limit // len(chunk) + 1))
    response = client.post("/api/v1/incidents", content=body, headers=JSON)
    assert response.status_code == 401, response.text
    assert not body.consumed


@pytest.mark.parametrize(
    "authorization",
    ["Bearer cft_not-a-token-anyone-was-given", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_a_bad_token_is_refused_before_the_body_and_a_good_one_reads_it(
    client: TestClient, cast: Cast, authorization: str
) -> None:
    body = Body(MALFORMED)
    headers = {**JSON, "Authorization": authorization}
    response = client.post("/api/v1/incidents", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "E401"
    assert not body.consumed
    # A valid token: the body is read and its fault named, as before.
    body = Body(b'{"report_ids": []}')
    response = client.post(
        "/api/v1/incidents", content=body, headers={**JSON, **cast.bearer("arm")}
    )
    assert body.consumed
    assert response.status_code == 422, response.text
    assert "title" in {d["loc"] for d in response.json()["error"]["details"]}


def test_routes_open_to_the_public_still_read_their_bodies(client: TestClient) -> None:
    # The same request to a member's route is refused unread ...
    body = Body(MALFORMED)
    assert client.post("/api/v1/reports", content=body, headers=JSON).status_code == 401
    assert not body.consumed
    # ... while sign-in and pre-signed ledger entries take anonymous bodies as before.
    for path in ("/api/v1/auth/token", "/api/v1/ledger/entries"):
        body = Body(b'{"unexpected": 1}')
        response = client.post(path, content=body, headers=JSON)
        assert body.consumed, path
        assert response.status_code == 422, (path, response.text)
    # A web form without a session is answered by its page: the sign-in form.
    response = client.post(
        "/incidents",
        data={"title": "t", "report_ids": ["r"]},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def _count_look_ups(app: FastAPI) -> tuple[list[str], Authenticate]:
    """The tokens ``app`` looks up from now on, and the counting look-up it uses."""
    calls: list[str] = []

    def counted(ctx: ServiceContext, token: str) -> Viewer:
        calls.append(token)
        return viewer_for_token(ctx, token)

    app.state.authenticate = counted
    return calls, counted


def test_the_route_reuses_the_caller_checked_before_the_body(
    settings: Settings, cast: Cast
) -> None:
    """One token look-up per request, not two (the rate limits off: they would have checked
    the token first, with a look-up of their own)."""
    quiet = settings.model_copy(
        update={"public_requests_per_minute": 0, "token_requests_per_minute": 0}
    )
    ctx = ServiceContext.from_settings(quiet)
    app = create_app(ctx=ctx)
    calls, _ = _count_look_ups(app)
    try:
        with TestClient(app) as client:
            body = Body(b'{"report_ids": []}')
            response = client.post(
                "/api/v1/incidents", content=body, headers={**JSON, **cast.bearer("arm")}
            )
            assert response.status_code == 422, response.text
            assert body.consumed
    finally:
        ctx.dispose()
    assert calls == [cast.tokens["arm"]]


FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
SIGNED_IN_FORMS = {
    ("POST", "/incidents"),
    ("POST", "/incidents/x/status"),
    ("POST", "/incidents/x/split"),
    ("POST", "/incidents/x/tasks"),
    ("POST", "/incidents/x/tasks/x/complete"),
    ("POST", "/incidents/x/edit"),
    ("POST", "/incidents/x/decision"),
    ("POST", "/incidents/x/fusion/x/undo"),
    ("POST", "/provisions/status"),
    ("POST", "/provisions/evaluate"),
    ("POST", "/provisions/decision-rule"),
    ("POST", "/reports/new"),
    ("POST", "/reports/import"),
    ("POST", "/reports/x/attachments"),
    ("POST", "/news/analyse"),
    ("POST", "/news/ingest"),
    ("POST", "/alerts/subscriptions"),
    ("POST", "/alerts/subscriptions/x/end"),
    ("POST", "/alerts/deliveries/x/requeue"),
    ("POST", "/publications/daily"),
    ("POST", "/publications/summary"),
    ("POST", "/publications/spot"),
    ("POST", "/members"),
    ("POST", "/members/roles"),
    ("POST", "/members/x/roles/end"),
    ("POST", "/posts"),
    ("POST", "/sensors"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/x/revoke"),
}


def _signed_in_routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every web form that only a signed-in user may send."""
    table = routing_table(
        client.app.router.routes,  # type: ignore[attr-defined]
        frozenset({get_signed_in_viewer}),
    )
    return [
        (method, re.sub(r"\{[^}]+\}", "x", route.path))
        for route, gate in table
        if gate is Gate.SIGNED_IN and isinstance(route, APIRoute)
        for method in sorted((route.methods or set()) - {"GET", "HEAD"})
    ]


def test_every_signed_in_form_sends_the_public_to_sign_in_before_reading_the_body(
    client: TestClient,
) -> None:
    routes = _signed_in_routes(client)
    assert set(routes) >= SIGNED_IN_FORMS
    # Sign-in, sign-out and the preference form are the public's.
    assert not {path for _, path in routes} & {"/login", "/logout", "/preferences"}
    for method, path in routes:
        body = Body(b"title=t&report_ids=r&csrf_token=x")
        response = client.request(
            method, f"{path}?from=list", content=body, headers=FORM, follow_redirects=False
        )
        # The route's own answer: back here after signing in.
        assert response.status_code == 303, (path, response.text)
        assert response.headers["location"] == "/login?next=" + quote(f"{path}?from=list", safe="")
        assert "set-cookie" not in response.headers
        assert not body.consumed, path


def test_a_stale_session_is_sent_to_sign_in_unread_and_its_cookie_dropped(
    client: TestClient,
) -> None:
    client.cookies.set(SESSION_COOKIE, "cft_not-a-token-anyone-was-given")
    for _, path in SIGNED_IN_FORMS:
        body = Body(b"title=t&report_ids=r")
        response = client.post(path, content=body, headers=FORM, follow_redirects=False)
        assert response.status_code == 303, (path, response.text)
        assert response.headers["location"] == "/login?next=" + quote(path, safe="")
        assert response.headers["set-cookie"].startswith(f'{SESSION_COOKIE}="";')
        assert not body.consumed, path


def test_a_signed_in_form_is_read_with_one_session_look_up(
    ctx: ServiceContext, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(ctx=ctx)
    calls, counted = _count_look_ups(app)
    # The web dependency's own look-up, counted too: it must not run again.
    monkeypatch.setattr(session, "viewer_for_token", counted)
    token = cast.tokens["tur"]
    with TestClient(app, headers={"Accept": "text/html"}) as browser:
        browser.cookies.set(SESSION_COOKIE, token)
        form = web_report_form(csrf_token=csrf.token_for(token))
        response = browser.post("/reports/new", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/reports/")
    assert response.headers["cache-control"] == "private, no-store"
    assert calls.count(token) == 1, calls


def test_the_sign_in_form_still_reads_its_body_anonymously(client: TestClient) -> None:
    body = Body(b"user_id=nobody&password=wrong-password")
    response = client.post("/login", content=body, headers=FORM, follow_redirects=False)
    assert body.consumed
    assert response.status_code in (401, 403, 422), response.text
