"""Signed-in browsers of the web application, in process: the sign-in cookie holds the
member's API token, as a web sign-in leaves it (the password check itself is
tests/api/test_web_login.py's)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE

HTML = {"accept": "text/html"}


class Browser:
    """A client of ``app`` signed in with ``token`` (asking for pages, as a browser does),
    and the session's CSRF token that its forms carry."""

    def __init__(self, app: FastAPI, token: str) -> None:
        self.client = TestClient(app, headers=HTML)
        self.client.cookies.set(SESSION_COOKIE, token)
        self.csrf = csrf.token_for(token)

    def page(self, path: str) -> str:
        answer = self.client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        text: str = answer.text
        return text

    def post(
        self, path: str, data: Mapping[str, str | list[str]], *, with_csrf: bool = True
    ) -> httpx.Response:
        """Post a form (with the session's CSRF token unless ``with_csrf`` is false),
        without following the redirect."""
        sent = {**data, "csrf_token": self.csrf} if with_csrf else data
        answer: httpx.Response = self.client.post(path, data=sent, follow_redirects=False)
        return answer


def done_seqs(location: str) -> list[int]:
    """The ledger entries a form's redirect names (``done=52,53``)."""
    found = re.search(r"done=([\d,]*)", location)
    assert found is not None, location
    return [int(s) for s in found.group(1).split(",") if s]


def has_form(page: str, action: str) -> bool:
    """Whether the page holds a form posting to ``action``."""
    return f'action="{action}"' in page


def shown_only_to(path: str, action: str, allowed: Browser, *others: Browser) -> None:
    """The page at ``path`` holds the form posting to ``action`` for ``allowed`` and for
    none of ``others``."""
    assert has_form(allowed.page(path), action), (path, action)
    for other in others:
        assert not has_form(other.page(path), action), (path, action)
