"""A CSV upload costs an unauthorised member nothing, and a member's token has a rate.

- An observer's upload is refused (403) before its header is parsed: a 60,000-column header
  used to keep a core busy for half a minute before the permission check;
- a monitor's header with more columns than the format has is one 422 naming ``header``
  with the limit, not one problem per column;
- requests with a valid token are limited per token (``CEASEFIRE_TOKEN_REQUESTS_PER_MINUTE``);
  one member's burst does not spend another's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.reports.csvformat import COLUMNS
from tests.factories.members import Cast, demo_cast


def wide_header(columns: int) -> bytes:
    return (",".join(f"c{i}" for i in range(columns)) + "\n").encode()


def upload(client: TestClient, cast: Cast, who: str, data: bytes) -> object:
    return client.post(
        "/api/v1/reports/import",
        content=data,
        headers={"Content-Type": "text/csv", **cast.bearer(who)},
    )


@pytest.mark.parametrize("who", ["fra", "arm"])
def test_a_member_who_may_not_import_is_refused_before_parsing(
    client: TestClient, cast: Cast, who: str
) -> None:
    response = client.post(
        "/api/v1/reports/import",
        content=wide_header(60_000),
        headers={"Content-Type": "text/csv", **cast.bearer(who)},
    )
    assert response.status_code == 403, response.text[:300]


def test_a_header_wider_than_the_format_is_one_named_error(client: TestClient, cast: Cast) -> None:
    response = client.post(
        "/api/v1/reports/import",
        content=wide_header(60_000),
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert response.status_code == 422, response.text[:300]
    details = response.json()["error"]["details"]
    assert len(details) == 1
    assert details[0]["loc"] == "header"
    assert str(len(COLUMNS)) in details[0]["message"]


def test_duplicate_columns_are_still_named(client: TestClient, cast: Cast) -> None:
    header = b"observed_start,category,category,event_place\n"
    response = client.post(
        "/api/v1/reports/import",
        content=header,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert response.status_code == 422
    assert {"loc": "header.category", "message": "column given twice"} in response.json()["error"][
        "details"
    ]


@pytest.fixture
def token_limited(settings: Settings) -> Iterator[ServiceContext]:
    context = ServiceContext.from_settings(
        settings.model_copy(update={"token_requests_per_minute": 3})
    )
    yield context
    context.dispose()


def test_requests_with_a_token_are_limited_per_token(token_limited: ServiceContext) -> None:
    cast = demo_cast(token_limited)
    with TestClient(create_app(ctx=token_limited)) as client:
        for _ in range(3):
            assert client.get("/api/v1/auth/me", headers=cast.bearer("fra")).status_code == 200
        refused = client.get("/api/v1/auth/me", headers=cast.bearer("fra"))
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "E429"
        assert int(refused.headers["retry-after"]) >= 1
        # Another member's token, from the same address, has its own bucket.
        assert client.get("/api/v1/auth/me", headers=cast.bearer("usa")).status_code == 200
