"""Reading the pages of the web forms' tests (tests/web, whose ``browsers`` fixture signs
each member in): a page's text, whether it holds a form, the ledger entries a form's
redirect names."""

from __future__ import annotations

import re
from typing import Protocol

from fastapi.testclient import TestClient


class SignedIn(Protocol):
    """A browser of tests/web/conftest.py: its client holds the sign-in cookie."""

    @property
    def client(self) -> TestClient: ...


def page_text(browser: SignedIn, path: str) -> str:
    """The page at ``path`` (which must answer 200)."""
    answer = browser.client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    text: str = answer.text
    return text


def done_seqs(location: str) -> list[int]:
    """The ledger entries a form's redirect names (``done=52,53``)."""
    found = re.search(r"done=([\d,]*)", location)
    assert found is not None, location
    return [int(s) for s in found.group(1).split(",") if s]


def has_form(page: str, action: str) -> bool:
    """Whether the page holds a form posting to ``action``."""
    return f'action="{action}"' in page


def shown_only_to(path: str, action: str, allowed: SignedIn, *others: SignedIn) -> None:
    """The page at ``path`` holds the form posting to ``action`` for ``allowed`` and for
    none of ``others``."""
    assert has_form(page_text(allowed, path), action), (path, action)
    for other in others:
        assert not has_form(page_text(other, path), action), (path, action)
