"""Attachment downloads as an adversarial member would shape them: the uploader chooses the
file name and the Content-Type, and neither may break the download for the other members
nor make a browser render the file as a page of this site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.factories.members import Cast
from tests.factories.reports import shelling_body


def _report(client: TestClient, cast: Cast) -> dict[str, Any]:
    response = client.post("/api/v1/reports", json=shelling_body(), headers=cast.bearer("tur"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _upload(
    client: TestClient, cast: Cast, report_id: str, data: bytes, media_type: str, name: str | None
) -> dict[str, Any]:
    query = f"?filename={quote(name)}" if name is not None else ""
    response = client.post(
        f"/api/v1/reports/{report_id}/attachments{query}",
        content=data,
        headers={"Content-Type": media_type, **cast.bearer("tur")},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    "name",
    [
        "доклад о обстреле.pdf",  # a Russian name: the header is Latin-1 on the wire
        'crater".html; x="y',  # a quote that would end the filename parameter
        "a\r\nSet-Cookie: cf_session=forged.jpg",  # header splitting
        None,  # no name at all
    ],
)
def test_any_file_name_downloads_as_an_attachment(
    client: TestClient, cast: Cast, name: str | None
) -> None:
    report = _report(client, cast)
    page = b"<html><script src='/static/x.js'></script>evidence</html>"
    info = _upload(client, cast, report["id"], page, "text/html", name)

    download = client.get(
        f"/api/v1/reports/{report['id']}/attachments/{info['id']}", headers=cast.bearer("rus")
    )

    assert download.status_code == 200, download.text
    assert download.content == page
    disposition = download.headers["content-disposition"]
    # Always a download, never shown inline as a page of this origin.
    assert disposition.startswith("attachment")
    assert "set-cookie" not in {k.lower() for k in download.headers if k != "content-disposition"}
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.count('"') in (0, 2)
    if name is not None and not name.isascii():
        assert "filename*=UTF-8''" + quote(name.replace("\r", "").replace("\n", "")) in disposition


def test_an_attachment_nobody_may_add_is_refused_before_it_is_read(
    client: TestClient, cast: Cast
) -> None:
    """A liaison may not attach to a monitor's internal report (404: it does not exist for
    it), nor an observer to a report it reads but neither filed nor monitors (403): both
    are answered on the token alone, the upload (up to the attachment limit) never read."""
    internal = client.post(
        "/api/v1/reports", json=shelling_body(classification="internal"), headers=cast.bearer("tur")
    ).json()
    shared = _report(client, cast)  # shared, concerning ARM and AZE: observers read it
    for member, report_id, status in (("aze", internal["id"], 404), ("fra", shared["id"], 403)):
        read: list[int] = []

        def body(read: list[int] = read) -> Iterator[bytes]:
            read.append(1)
            yield b"\xff\xd8\xff not a photo " * 1000

        refused = client.post(
            f"/api/v1/reports/{report_id}/attachments?filename=x.jpg",
            content=body(),
            headers={"Content-Type": "image/jpeg", **cast.bearer(member)},
        )
        assert refused.status_code == status, (member, refused.status_code)
        assert read == [], member
