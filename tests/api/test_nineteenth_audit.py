"""The nineteenth audit: side channels, parsing before the permission check, one submission
failing another's, output escaping (docs/security.md, "The nineteenth audit"; both
databases).

- The web's report form (``POST /reports/new``) is multipart and carries evidence files. A
  signed-in member that may file no report (France's observer) had its whole body -- files
  included, up to the request limit -- read and parsed before the refusal; who may file at
  all is asked on the session now, before the body is read, as the attachment and import
  forms already did.
- A member whose day of evidence bytes was spent filing a report with a file on that form:
  the report was filed, then the file's 429 stopped the page, so the filer was shown an
  error and not the report it had just filed. The file is refused beside the report now,
  as a file too large or of the wrong type is.
- A NUL in one row of a CSV import refused the whole file, even with ``skip_invalid``: that
  row alone is invalid now.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.reports.tables import AttachmentRow, ReportRow
from ceasefire.web import csrf
from ceasefire.web.session import SESSION_COOKIE
from tests.api.test_import_uploads import csv_bytes
from tests.factories.members import Cast, demo_cast
from tests.factories.reports import csv_row, web_report_form

BOUNDARY = "audit19boundary"


class Body:
    """A request body that records whether the server asked for it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.consumed = False

    def __iter__(self) -> Iterator[bytes]:
        self.consumed = True
        yield self.data


def _multipart(fields: dict[str, str | list[str]], files: dict[str, tuple[str, bytes]]) -> bytes:
    """A browser's multipart form: ``fields`` and ``files`` (field: (file name, bytes))."""
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(f"{head}{item}\r\n".encode())
    for name, (filename, data) in files.items():
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Accept": "text/html"}


def _signed_in(client: TestClient, cast: Cast, member: str) -> str:
    client.cookies.set(SESSION_COOKIE, cast.tokens[member])
    return csrf.token_for(cast.tokens[member])


def test_an_observer_s_report_form_is_refused_before_its_files_are_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """France's observer files no report: its form, files and all, is not read."""
    token = _signed_in(client, cast, "fra")
    form = web_report_form(csrf_token=token, channel="monitor_observation")
    body = Body(_multipart(form, {"attachments": ("photo.jpg", b"\xff\xd8\xff" + b"x" * 500_000)}))
    response = client.post("/reports/new", content=body, headers=FORM, follow_redirects=False)
    assert response.status_code == 403, response.text
    assert not body.consumed
    with ctx.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReportRow)) == 0
    # A monitor's form is read and filed as before.
    token = _signed_in(client, cast, "tur")
    body = Body(_multipart(web_report_form(csrf_token=token), {}))
    response = client.post("/reports/new", content=body, headers=FORM, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert body.consumed


def test_a_file_over_the_member_s_day_is_refused_beside_the_report_it_came_with(
    settings: Settings,
) -> None:
    """Azerbaijan's liaison, its day of evidence bytes spent, files a complaint with a photo:
    the complaint is filed and shown, the photo refused beside it (429's words), nothing
    else lost."""
    quota_ctx = ServiceContext.from_settings(
        settings.model_copy(update={"attachment_bytes_per_member_per_day": 1000})
    )
    try:
        cast = demo_cast(quota_ctx)
        with TestClient(create_app(ctx=quota_ctx), headers={"Accept": "text/html"}) as client:
            token = _signed_in(client, cast, "aze")
            complaint: dict[str, str | list[str]] = {
                "csrf_token": token,
                "channel": "party_complaint",
                "alleged_perpetrator": "arm",
                "concerns": "AZE ARM",
                "means": ["heard"],
            }
            first = web_report_form(**complaint)
            files = {"attachments": ("first.bin", b"a" * 1200)}
            response = client.post("/reports/new", content=_multipart(first, files), headers=FORM)
            assert response.status_code == 200, response.text
            second = web_report_form(**complaint, idempotency_key="form-key-2")
            files = {"attachments": ("second.bin", b"b" * 600)}
            response = client.post(
                "/reports/new",
                content=_multipart(second, files),
                headers=FORM,
                follow_redirects=False,
            )
            # The report's own page, with the file refused beside the upload form (the
            # refusal's status): not an error page in place of the report just filed.
            assert response.status_code == 429, response.text
            assert "second.bin" in response.text
            assert "/attachments" in response.text  # the upload form, to send it again
        with quota_ctx.reader() as session:
            assert session.scalar(select(func.count()).select_from(ReportRow)) == 2
            assert session.scalar(select(func.count()).select_from(AttachmentRow)) == 1
    finally:
        quota_ctx.dispose()


def test_a_nul_in_one_csv_row_rejects_that_row_alone(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """Russia's monitor imports, skipping invalid rows, a file of which one narrative holds
    a NUL (PostgreSQL stores none). The whole file was refused ("line 3 contains a NUL
    character") with the other rows; that row is rejected alone now, named as any other
    invalid cell, and the rest imported."""
    data = csv_bytes(csv_row(1), csv_row(2, narrative="pasted\x00binary"), csv_row(3))
    response = client.post(
        "/api/v1/reports/import",
        params={"skip_invalid": "true"},
        content=data,
        headers={"Content-Type": "text/csv", **cast.bearer("rus")},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["imported"], result["rejected"]) == (2, 1), result
    assert "row-2" in result["rejects_csv"]
    with ctx.reader() as session:
        keys = set(session.scalars(select(ReportRow.idempotency_key)))
    assert keys == {"csv:row-1", "csv:row-3"}
    # Without skipping, the file is refused naming that row, nothing imported.
    refused = client.post(
        "/api/v1/reports/import",
        content=csv_bytes(csv_row(4), csv_row(5, narrative="a\x00b")),
        headers={"Content-Type": "text/csv", **cast.bearer("rus")},
    )
    assert refused.status_code == 422, refused.text
    assert any("narrative" in d["loc"] for d in refused.json()["error"]["details"])
