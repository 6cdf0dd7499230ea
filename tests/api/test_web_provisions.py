"""The provisions tracker names the part that makes a provision overdue, and shows each
deadline amendment with who asked, who agreed and the evidence."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext


@pytest.fixture(scope="module")
def client(module_demo: ServiceContext) -> TestClient:
    """The demo, once per backend: these tests only read pages (GET, no session)."""
    return TestClient(create_app(ctx=module_demo))


def test_the_overdue_part_of_provision_6_is_named(client: TestClient) -> None:
    html = client.get("/provisions", params={"as_of": "2024-01-01"}).text
    row = html[html.index("<td>6</td>") : html.index("<td>6.1</td>")]
    assert "status-overdue" in row
    assert "overdue: part 6.4, A new route along the Lachin corridor within three years" in row
    assert "(due 10 Nov 2023)" in row
    # Before the new route's deadline nothing of provision 6 was overdue.
    before = client.get("/provisions", params={"as_of": "2023-11-10"}).text
    row = before[before.index("<td>6</td>") : before.index("<td>6.1</td>")]
    assert "status-overdue" not in row


def test_amendments_and_evidence_per_provision(client: TestClient) -> None:
    html = client.get("/provisions", params={"as_of": "2020-11-21"}).text
    part = html[html.index("<td>6.1</td>") : html.index("<td>6.2</td>")]
    assert "15 Nov 2020 → 25 Nov 2020, decided 2020-11-15 Asia/Baku" in part
    assert "requested by ARM" in part
    assert "agreed by AZE" in part
    assert '<ul class="evidence">' in part
    # On 21 November the deadline in force was the amended one, the original struck out.
    assert '<s class="muted">15 Nov 2020</s>' in part
    russian = client.get("/provisions", params={"as_of": "2020-11-21", "lang": "ru"}).text
    assert "Изменения срока" in russian
    assert 'lang="ru"' in russian
    # ?lang= stays with the browser (its cookie); this module's other pages are read in English.
    client.cookies.delete("lang")


def test_the_timeline_holds_the_amendment(client: TestClient) -> None:
    html = client.get("/provisions", params={"as_of": "2020-11-21"}).text
    timeline = html[html.index('<ol class="timeline">') :]
    assert (
        "deadline moved</span> 6.1 Kalbajar district returned to Azerbaijan: "
        "2020-11-15 → 2020-11-25" in timeline
    )
