"""What fuzzing the API against its own OpenAPI document found (``bench/fuzz_api.py``;
docs/security.md, "Fuzzing the API"), kept as plain tests on both databases.

- The document said ``security: [{"HTTPBearer": []}]`` -- a token required -- on every
  operation that reads the caller, the twenty that answer the public too (``GET
  /api/v1/reports``, ``/incidents``, ``/members``...) included: a client generated from it
  would never call them without a token, and a checker (Schemathesis's ``ignored_auth``)
  took each anonymous 200 for a hole. Those operations say ``[{}, {"HTTPBearer": []}]``
  (a token is optional) now, derived from the same gate that decides whether a body may be
  read (``api/authfirst.py``); the others still require one.
- The three operations that read their body themselves (a CSV import, an evidence file, a
  news article) said they took no body at all, so no generated request sent one, and a
  client could not learn what to send. They declare a required body with its media types
  now (``api/bodies.py``, ``raw_body``).
- An evidence file of no bytes was stored and ledgered as an attachment (``text/plain``,
  the SHA-256 of nothing) for any report its member could attach to; it is a 422 naming
  ``file`` now, nothing stored, and the next real file is taken as before.
- A member's, post's or sensor's ``id`` and ``name`` were any string in the document; the
  server refuses an id that is not 2-64 lower-case letters, digits and '-' and a blank
  name (422 naming the field). The document states both as patterns now, and the
  languages a publication is made in (``lang``: en, ru, tr) as a list.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ceasefire.db.context import ServiceContext
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.reports.tables import AttachmentRow
from tests.factories.members import Cast
from tests.factories.reports import shelling_body

OPTIONAL: list[dict[str, list[str]]] = [{}, {"HTTPBearer": []}]
REQUIRED: list[dict[str, list[str]]] = [{"HTTPBearer": []}]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation.get("security")
    ]


def _anonymous(client: TestClient, method: str, path: str, operation: dict[str, Any]) -> int:
    """The status of ``operation`` asked without a token (path parameters ``1``, a JSON
    body ``{}`` where it takes one)."""
    url = re.sub(r"\{[^}]+\}", "1", path)
    body: dict[str, Any] = {"json": {}} if "requestBody" in operation else {}
    return int(client.request(method.upper(), url, **body).status_code)


def test_the_document_says_a_token_is_optional_exactly_where_the_public_is_answered(
    client: TestClient, cast: Cast
) -> None:
    document = client.get("/openapi.json").json()
    operations = _operations(document)
    assert len(operations) > 60
    optional = {(m, p) for m, p, op in operations if op["security"] == OPTIONAL}
    required = {(m, p) for m, p, op in operations if op["security"] == REQUIRED}
    assert optional | required == {(m, p) for m, p, _ in operations}
    assert ("get", "/api/v1/reports") in optional
    assert ("post", "/api/v1/reports") in required
    assert ("get", "/api/v1/ledger") in required  # members only
    for method, path, operation in operations:
        status = _anonymous(client, method, path, operation)
        if (method, path) in required:
            assert status == 401, (method, path, status)
        else:
            assert status != 401, (method, path, status)
    # With a token, an operation that takes the public is a member's like any other.
    me = client.get("/api/v1/auth/me", headers=cast.bearer("fra")).json()
    assert me["member_id"] == "fra"


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer unknown-token"])
def test_a_token_given_to_an_operation_that_takes_the_public_must_still_be_valid(
    client: TestClient, header: str
) -> None:
    """Optional is not ignored: a broken or unknown token is a 401, never the public."""
    response = client.get("/api/v1/reports", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "E401"


@pytest.mark.parametrize(
    ("path", "media_types"),
    [
        ("/api/v1/reports/import", {"text/csv"}),
        ("/api/v1/reports/{report_id}/attachments", {"*/*"}),
        ("/api/v1/articles", {"text/html", "text/plain", "application/json"}),
    ],
)
def test_an_operation_that_reads_its_body_itself_documents_it(
    client: TestClient, path: str, media_types: set[str]
) -> None:
    body = client.get("/openapi.json").json()["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == media_types


def _count(ctx: ServiceContext, column: Any) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count(column))).scalar_one())


def test_an_empty_evidence_file_is_refused_naming_the_file_and_stores_nothing(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    filed = client.post("/api/v1/reports", json=shelling_body(), headers=cast.bearer("tur"))
    assert filed.status_code == 201, filed.text
    url = f"/api/v1/reports/{filed.json()['id']}/attachments?filename=crater.jpg"
    entries = _count(ctx, LedgerEntryRow.seq)
    empty = client.post(url, content=b"", headers=cast.bearer("tur"))
    assert empty.status_code == 422, empty.text
    error = empty.json()["error"]
    assert error["code"] == "E422"
    assert [d["loc"] for d in error["details"]] == ["file"]
    assert _count(ctx, AttachmentRow.id) == 0
    assert _count(ctx, LedgerEntryRow.seq) == entries
    # The refusal costs the report nothing: a file with bytes is taken as before.
    taken = client.post(url, content=b"\xff\xd8\xff\xe0 a photo", headers=cast.bearer("tur"))
    assert taken.status_code == 201, taken.text
    assert taken.json()["size_bytes"] > 0
    assert _count(ctx, AttachmentRow.id) == 1


@pytest.mark.parametrize("schema", ["MemberCreate", "PostCreate", "SensorCreate"])
def test_the_document_states_what_an_id_and_a_name_must_be(
    client: TestClient, cast: Cast, schema: str
) -> None:
    properties = client.get("/openapi.json").json()["components"]["schemas"][schema]["properties"]
    pattern = properties["id"]["pattern"]
    assert re.fullmatch(pattern, "tur-uav-2")
    assert not re.search(pattern, "Read_Only")
    assert not re.search(properties["name"]["pattern"], "   ")


def test_an_id_outside_the_documented_pattern_is_refused_naming_it(
    client: TestClient, cast: Cast
) -> None:
    pattern = client.get("/openapi.json").json()["components"]["schemas"]["MemberCreate"]
    assert not re.search(pattern["properties"]["id"]["pattern"], "read_only")
    response = client.post(
        "/api/v1/members",
        json={"id": "read_only", "kind": "state", "name": "Read only"},
        headers=cast.bearer("rus"),
    )
    assert response.status_code == 422, response.text
    assert [d["loc"] for d in response.json()["error"]["details"]] == ["id"]


def test_the_document_lists_the_languages_a_publication_is_made_in(
    client: TestClient, cast: Cast
) -> None:
    document = client.get("/openapi.json").json()
    for path in ("/api/v1/publications/daily", "/api/v1/publications/summary"):
        (lang,) = [p for p in document["paths"][path]["post"]["parameters"] if p["name"] == "lang"]
        assert lang["schema"]["enum"] == ["en", "ru", "tr"]
    response = client.post(
        "/api/v1/publications/daily?date=2020-11-26&lang=fr", headers=cast.bearer("rus")
    )
    assert response.status_code == 422, response.text
    assert [d["loc"] for d in response.json()["error"]["details"]] == ["lang"]
