"""Fixtures of the web forms' tests: one in-process browser per signed-in member (the sign-in
cookie holds the member's API token, as a web sign-in leaves it), the public, and an
operator of the centre."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE
from tests.factories.members import Cast, add_user_with_token

HTML = {"accept": "text/html"}


@dataclass
class Browser:
    """A signed-in browser and its session's CSRF token."""

    client: TestClient
    csrf: str

    def post(self, path: str, data: Mapping[str, object], *, token: bool = True) -> httpx.Response:
        form = {**data, "csrf_token": self.csrf} if token else dict(data)
        response: httpx.Response = self.client.post(path, data=form, follow_redirects=False)
        return response


@pytest.fixture
def browsers(ctx: ServiceContext, cast: Cast) -> Iterator[dict[str, Browser]]:
    """``tur`` and ``rus`` monitors, ``aze``/``arm`` liaisons, ``fra`` observer, ``operator``
    and ``public`` (no cookie)."""
    app = create_app(ctx=ctx)
    _, operator_token = add_user_with_token(ctx, "centre", "web-operator", operator=True)
    tokens = {**cast.tokens, "operator": operator_token}
    with TestClient(app, headers=HTML) as public:
        found = {"public": Browser(public, "")}
        for who in ("tur", "rus", "aze", "arm", "fra", "operator"):
            client = TestClient(app, headers=HTML)
            client.cookies.set(SESSION_COOKIE, tokens[who])
            found[who] = Browser(client, csrf.token_for(tokens[who]))
        yield found
