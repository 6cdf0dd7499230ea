"""Import uploads (DATA_DIR/imports/) do not pile up: nobody can fill the disk through them.

An upload is kept only while its import runs: deleted once it is imported or refused, never
stored for a caller who may not import, bounded per member while in flight, and leftovers of
a crashed process are swept away once stale.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from tests.factories.members import Cast, demo_cast
from tests.factories.reports import CSV_HEADER, csv_row


def csv_bytes(*rows: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_HEADER)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode()


@pytest.fixture
def quota_ctx(settings: Settings) -> Iterator[ServiceContext]:
    context = ServiceContext.from_settings(
        settings.model_copy(update={"import_quota_bytes_per_member": 4096})
    )
    yield context
    context.dispose()


@pytest.fixture
def cast(quota_ctx: ServiceContext) -> Cast:
    return demo_cast(quota_ctx)


@pytest.fixture
def client(quota_ctx: ServiceContext) -> Iterator[TestClient]:
    with TestClient(create_app(ctx=quota_ctx)) as test_client:
        yield test_client


def uploads(ctx: ServiceContext) -> list[str]:
    folder = ctx.settings.data_dir / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_uploads_are_deleted_after_the_import_whatever_its_outcome(
    client: TestClient, cast: Cast, quota_ctx: ServiceContext
) -> None:
    good = csv_bytes(csv_row(1), csv_row(2))
    bad = csv_bytes(csv_row(3), csv_row(4, category="fireworks"))
    imported = client.post(
        "/api/v1/reports/import",
        content=good,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert imported.status_code == 200, imported.text
    refused = client.post(
        "/api/v1/reports/import",
        content=bad,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert refused.status_code == 422
    skipped = client.post(
        "/api/v1/reports/import",
        content=bad,
        params={"skip_invalid": "true"},
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["rejects_csv"]  # read back before the file went
    observer = client.post(
        "/api/v1/reports/import",
        content=good,
        headers={"Content-Type": "text/csv", **cast.bearer("fra")},
    )
    assert observer.status_code == 403
    assert uploads(quota_ctx) == []


def test_a_members_uploads_in_flight_are_bounded(
    client: TestClient, cast: Cast, quota_ctx: ServiceContext
) -> None:
    too_big = csv_bytes(*(csv_row(i, narrative="x" * 200) for i in range(30)))
    assert len(too_big) > 4096
    response = client.post(
        "/api/v1/reports/import",
        content=too_big,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"]["details"][0]["loc"] == "body"
    # Another upload of the same member still in flight counts against its quota ...
    folder = quota_ctx.settings.data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    in_flight = folder / "tur.0123456789abcdef.csv"
    in_flight.write_bytes(b"x" * 4000)
    small = csv_bytes(csv_row(1))
    busy = client.post(
        "/api/v1/reports/import",
        content=small,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert busy.status_code == 429, busy.text
    assert busy.headers["retry-after"]
    # ... not against another member's.
    other = client.post(
        "/api/v1/reports/import",
        content=small,
        headers={"Content-Type": "text/csv", **cast.bearer("rus")},
    )
    assert other.status_code == 200, other.text
    # A leftover of a crashed process is swept once stale.
    hour_ago = time.time() - 3700
    os.utime(in_flight, (hour_ago, hour_ago))
    again = client.post(
        "/api/v1/reports/import",
        content=small,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert again.status_code == 200, again.text
    assert uploads(quota_ctx) == []
    assert not Path(in_flight).exists()
