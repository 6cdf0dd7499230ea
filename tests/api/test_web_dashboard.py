"""The dashboard page: served from the same services, escaped, and honest about time."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from ceasefire.access import Viewer
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.ledger.schemas import LedgerHead
from ceasefire.web.dashboard import Dashboard
from ceasefire.web.pages import render


@pytest.fixture(scope="module")
def demo_client(module_demo: ServiceContext) -> TestClient:
    """The demo, once per backend: the tests that use it only read pages (GET)."""
    return TestClient(create_app(ctx=module_demo))


def test_dashboard_shows_the_demo_record(demo_client: TestClient) -> None:
    page = demo_client.get("/", params={"as_of": "2020-11-21"})
    assert page.status_code == 200
    html = page.text
    assert "Provisions as of 21 Nov 2020" in html
    # Aghdam was handed over on 20 Nov (Moscow time); Kalbajar not yet on 21 Nov.
    assert "Aghdam district returned to Azerbaijan: fulfilled" in html
    assert "Kalbajar district returned to Azerbaijan: fulfilled" in html  # later, dimmed
    assert "notice deadline 2025-05-10" in html
    assert 'href="/map?until=2020-11-21"' in html
    assert "Kalbajar district" in html
    assert "public view" in html


def test_dashboard_rejects_a_malformed_date_naming_it(ctx: ServiceContext) -> None:
    client = TestClient(create_app(ctx=ctx))
    response = client.get("/", params={"as_of": "21/11/2020"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == "as_of"


def test_dashboard_escapes_recorded_text() -> None:
    hostile = "<script>alert(1)</script>"
    incident = SimpleNamespace(
        observed_start=datetime(2020, 11, 20, tzinfo=UTC),
        title=hostile,
        category="shelling",
        status="reported",
        attribution="pending",
        attributed_party=None,
    )
    board = Dashboard(
        as_of=datetime(2020, 11, 21, tzinfo=UTC),
        agreements=[],
        incidents=[incident],
        ledger_head=LedgerHead(seq=0, entry_hash="0" * 64, recorded_at=None),
    )
    body = render("dashboard.html", board=board, viewer=Viewer.public()).body
    assert isinstance(body, bytes)
    html = body.decode()
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_dashboard_names_the_overdue_part(demo_client: TestClient) -> None:
    html = demo_client.get("/", params={"as_of": "2024-01-01"}).text
    row = html[html.index("<td>6</td>") : html.index("<td>7</td>")]
    assert "status-overdue" in row
    assert "part 6.4, A new route along the Lachin corridor within three years" in row
    assert "(due 10 Nov 2023)" in row
