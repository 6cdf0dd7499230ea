"""Numbers the stored JSON can hold exactly, a report of today, and paging cursors.

- ``count`` and casualty figures above 2^53 - 1 cannot be written as RFC 8785 canonical JSON
  (I-JSON numbers are IEEE doubles): a 422 naming the field, over the API and in a CSV file;
- a report of today with day precision is valid (its window ends at midnight, after "now");
- a cursor that is not an id of the list is a 422 naming ``cursor``, not an empty page.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories.members import Cast
from tests.factories.reports import CSV_HEADER, csv_row, shelling_body

MAX_COUNT = 2**53 - 1  # the largest integer an IEEE double (I-JSON, RFC 8785) holds exactly


def post(client: TestClient, cast: Cast, **overrides: Any) -> Any:
    return client.post(
        "/api/v1/reports", json=shelling_body(**overrides), headers=cast.bearer("tur")
    )


def locs(response: Any) -> set[str]:
    return {d["loc"] for d in response.json()["error"]["details"]}


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"count": 10**30}, "count"),
        ({"count": MAX_COUNT + 1}, "count"),
        ({"casualties": {"killed_civilian": 10**30}}, "casualties.killed_civilian"),
        (
            {"casualties": {"injured_civilian": {"best": 1, "high": 10**20}}},
            "casualties.injured_civilian.high",
        ),
    ],
)
def test_numbers_beyond_exact_json_integers_are_named(
    client: TestClient, cast: Cast, overrides: dict[str, Any], loc: str
) -> None:
    response = post(client, cast, **overrides)
    assert response.status_code == 422, response.text
    assert loc in locs(response)


def test_the_largest_exact_count_is_stored(client: TestClient, cast: Cast) -> None:
    response = post(client, cast, count=MAX_COUNT)
    assert response.status_code == 201, response.text
    assert response.json()["count"] == MAX_COUNT


def test_a_csv_count_beyond_exact_json_integers_is_named(client: TestClient, cast: Cast) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_HEADER)
    writer.writeheader()
    writer.writerow(csv_row(1, count=str(10**30)))
    data = buffer.getvalue().encode()
    response = client.post(
        "/api/v1/reports/import",
        content=data,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert response.status_code == 422, response.text
    assert any(loc.endswith("count") for loc in locs(response)), response.text


def test_a_day_precision_report_of_today_is_valid(client: TestClient, cast: Cast) -> None:
    today = datetime.now(UTC).date().isoformat()
    response = post(client, cast, observed={"start": today, "precision": "day"})
    assert response.status_code == 201, response.text
    assert response.json()["observed"]["precision"] == "day"


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/incidents"])
@pytest.mark.parametrize("cursor", ["garbage", "!", "rep-zz", "inc-", "x" * 300])
def test_a_malformed_cursor_is_422_naming_it(
    client: TestClient, cast: Cast, path: str, cursor: str
) -> None:
    response = client.get(path, params={"cursor": cursor}, headers=cast.bearer("tur"))
    assert response.status_code == 422, response.text
    assert locs(response) == {"cursor"}


def test_a_next_cursor_is_accepted(client: TestClient, cast: Cast) -> None:
    for _ in range(3):
        assert post(client, cast).status_code == 201
    first = client.get("/api/v1/reports", params={"limit": 2}, headers=cast.bearer("tur")).json()
    assert first["next_cursor"]
    second = client.get(
        "/api/v1/reports",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=cast.bearer("tur"),
    )
    assert second.status_code == 200
    assert len(second.json()["items"]) == 1


def test_a_body_of_made_up_keys_gets_a_bounded_answer(client: TestClient, cast: Cast) -> None:
    """Every unknown key used to come back named, nested ones with the list of expected
    fields: a 3 MB request of keys was answered with 10 MB and more."""
    body = shelling_body()
    body["event_position"] = {**body["event_position"], **{f"e{i}": 1 for i in range(2_000)}}
    response = client.post(
        "/api/v1/reports",
        json={**body, **{f"f{i}": i for i in range(3_000)}},
        headers=cast.bearer("tur"),
    )
    assert response.status_code == 422, response.text
    details = response.json()["error"]["details"]
    assert len(details) == 101
    assert details[0] == {"loc": "f0", "message": "unknown field"}
    assert details[-1] == {"loc": "body", "message": "and 4900 more problems not listed"}
    assert len(response.content) < 20_000
