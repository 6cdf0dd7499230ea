"""Reports and incidents through the HTTP API: access for every role × classification
(with expired and revoked tokens), bad input that leaves the database unchanged, and the
verification endpoints."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from ceasefire.db.base import Base
from ceasefire.db.context import ServiceContext
from ceasefire.members import auth
from ceasefire.members.tables import ApiTokenRow
from tests.factories.members import OPERATOR, Cast, add_user_with_token
from tests.factories.reports import CSV_HEADER, csv_row, shelling_body

INTAKE_TABLES = (
    "reports",
    "report_attachments",
    "incidents",
    "incident_reports",
    "incident_assessments",
    "ledger_entries",
)
# Who reads a record concerning ARM only, by classification (the matrix of the issue).
READERS = {
    "internal": {"rus", "tur"},
    "shared": {"rus", "tur", "arm", "fra", "usa", "osce-mg"},
    "public": {"rus", "tur", "arm", "aze", "fra", "usa", "osce-mg", "public"},
}
CALLERS = ["rus", "tur", "arm", "aze", "fra", "usa", "osce-mg", "public"]


def headers(cast: Cast, who: str) -> dict[str, str]:
    return {} if who == "public" else cast.bearer(who)


def snapshot(ctx: ServiceContext) -> dict[str, int]:
    with ctx.reader() as session:
        return {
            name: session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0
            for name in INTAKE_TABLES
        }


def file_report(client: TestClient, cast: Cast, **overrides: Any) -> dict[str, Any]:
    response = client.post(
        "/api/v1/reports", json=shelling_body(**overrides), headers=cast.bearer("tur")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def make_incident(
    client: TestClient, cast: Cast, classification: str, report_fields: dict[str, Any] | None = None
) -> str:
    report = file_report(client, cast, **(report_fields or {}))
    response = client.post(
        "/api/v1/incidents",
        json={
            "report_ids": [report["id"]],
            "title": f"{classification} incident",
            "summary": "Shared summary of the shelling.",
            "classification": classification,
        },
        headers=cast.bearer("tur"),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize("classification", ["internal", "shared", "public"])
def test_every_role_reads_reports_and_incidents_by_classification(
    client: TestClient, cast: Cast, classification: str
) -> None:
    only_arm = {"classification": classification, "concerns": ["ARM"], "alleged_perpetrator": None}
    report = file_report(client, cast, **only_arm)
    incident_id = make_incident(client, cast, classification, only_arm)
    for who in CALLERS:
        allowed = who in READERS[classification]
        by_id = client.get(f"/api/v1/reports/{report['id']}", headers=headers(cast, who))
        assert by_id.status_code == (200 if allowed else 404), (who, by_id.text)
        listed = client.get("/api/v1/reports", headers=headers(cast, who)).json()["items"]
        assert (report["id"] in {r["id"] for r in listed}) == allowed, who
        incident = client.get(f"/api/v1/incidents/{incident_id}", headers=headers(cast, who))
        assert incident.status_code == (200 if allowed else 404), (who, incident.text)
        incidents = client.get("/api/v1/incidents", headers=headers(cast, who)).json()["items"]
        assert (incident_id in {i["id"] for i in incidents}) == allowed, who
        if allowed and who == "public":
            assert "observer_position" not in by_id.json()
            assert "reporter" not in by_id.json()
            assert "reports" not in incident.json()
            assert "observer" not in incident.text


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_expired_and_revoked_tokens_are_refused(
    client: TestClient, cast: Cast, ctx: ServiceContext, how: str
) -> None:
    public_incident = make_incident(client, cast, "public")
    token = cast.tokens["rus"]
    if how == "expired":
        with ctx.unit_of_work() as session:
            session.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.token_hash == auth.hash_token(token))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    else:
        (info,) = auth.list_tokens(ctx, OPERATOR, user_id=cast.users["rus"])
        auth.revoke_token(ctx, OPERATOR, info.id)
    before = snapshot(ctx)
    bearer = {"Authorization": f"Bearer {token}"}
    for method, path, body in (
        ("GET", "/api/v1/reports", None),
        ("GET", f"/api/v1/incidents/{public_incident}", None),
        ("GET", "/api/v1/incidents", None),
        ("POST", "/api/v1/reports", shelling_body()),
        ("POST", f"/api/v1/incidents/{public_incident}/notes", {"text": "x"}),
    ):
        response = client.request(method, path, json=body, headers=bearer)
        assert response.status_code == 401, (path, response.text)
        assert how[:5] in response.json()["error"]["message"]
    assert snapshot(ctx) == before


def test_the_public_cannot_file(client: TestClient, cast: Cast, ctx: ServiceContext) -> None:
    before = snapshot(ctx)
    assert client.post("/api/v1/reports", json=shelling_body()).status_code == 401
    assert snapshot(ctx) == before


FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"count": "fourteen"}, "count"),
        ({"event_position": {"lat": "north", "lon": 46.9}}, "event_position.lat"),
        (
            {"observed": {"start": "2020-11-26T11:00:00Z", "end": "2020-11-26T10:00:00Z"}},
            "observed.end",
        ),
        ({"observed": {"start": FUTURE}}, "observed.start"),
        ({"event_position": {"lat": 91.5, "lon": 46.9}}, "event_position.lat"),
        ({"observer_position": {"lat": 39.9, "lon": 181}}, "observer_position.lon"),
        ({"category": "fireworks"}, "category"),
        ({"means": "telepathy"}, "means.0"),
    ],
)
def test_bad_reports_are_named_and_change_nothing(
    client: TestClient, cast: Cast, ctx: ServiceContext, overrides: dict[str, Any], loc: str
) -> None:
    before = snapshot(ctx)
    response = client.post(
        "/api/v1/reports", json=shelling_body(**overrides), headers=cast.bearer("tur")
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "E422"
    assert loc in {d["loc"] for d in error["details"]}
    assert snapshot(ctx) == before


def test_a_body_that_is_not_an_object_is_422(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    before = snapshot(ctx)
    for body in ([1, 2], "text"):
        response = client.post("/api/v1/reports", json=body, headers=cast.bearer("tur"))
        assert response.status_code == 422
    assert snapshot(ctx) == before


def test_idempotency_key_same_body_same_report_other_body_409(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    key = {"Idempotency-Key": "patrol-7-obs-3", **cast.bearer("tur")}
    first = client.post("/api/v1/reports", json=shelling_body(), headers=key)
    assert first.status_code == 201
    retry = client.post("/api/v1/reports", json=shelling_body(), headers=key)
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    before = snapshot(ctx)
    clash = client.post("/api/v1/reports", json=shelling_body(count=2), headers=key)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "E409"
    assert snapshot(ctx) == before


def test_attachments_upload_download_and_size_limit(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    report = file_report(client, cast)
    photo = b"\xff\xd8\xff fake jpeg " * 50
    uploaded = client.post(
        f"/api/v1/reports/{report['id']}/attachments?filename=crater.jpg",
        content=photo,
        headers={"Content-Type": "image/jpeg", **cast.bearer("tur")},
    )
    assert uploaded.status_code == 201, uploaded.text
    info = uploaded.json()

    assert info["sha256"] == hashlib.sha256(photo).hexdigest()
    download = client.get(
        f"/api/v1/reports/{report['id']}/attachments/{info['id']}", headers=cast.bearer("rus")
    )
    assert download.content == photo
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["x-content-sha256"] == info["sha256"]

    before = snapshot(ctx)
    too_big = b"x" * (ctx.settings.max_attachment_bytes + 1)
    response = client.post(
        f"/api/v1/reports/{report['id']}/attachments",
        content=too_big,
        headers={"Content-Type": "application/octet-stream", **cast.bearer("tur")},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "E413"
    assert snapshot(ctx) == before


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe not utf-8 \x00\x81",
        b"observed_start,category,colour\n2020-11-26,shelling,red\n",
        b'observed_start,category,event_place,event_precision\n"2020-11-26,shelling\n',
        _csv([csv_row(1), csv_row(2, category="fireworks"), csv_row(3, event_lat="95")]),
    ],
    ids=["empty", "not-utf8", "unknown-column", "broken-quote", "invalid-rows"],
)
def test_malformed_csv_is_refused_and_changes_nothing(
    client: TestClient, cast: Cast, ctx: ServiceContext, body: bytes
) -> None:
    before = snapshot(ctx)
    response = client.post(
        "/api/v1/reports/import",
        content=body,
        headers={"Content-Type": "text/csv", **cast.bearer("tur")},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]
    assert snapshot(ctx) == before


def test_csv_row_errors_name_row_and_column(client: TestClient, cast: Cast) -> None:
    body = _csv([csv_row(1), csv_row(2, category="fireworks"), csv_row(3, event_lat="95")])
    details = client.post(
        "/api/v1/reports/import", content=body, headers=cast.bearer("tur")
    ).json()["error"]["details"]
    assert {(d["row"], d["column"]) for d in details} == {(2, "category"), (3, "event_lat")}
    skipped = client.post(
        "/api/v1/reports/import?skip_invalid=true", content=body, headers=cast.bearer("tur")
    ).json()
    assert (skipped["imported"], skipped["rejected"]) == (1, 2)
    assert "fireworks" in skipped["rejects_csv"]


def test_incident_endpoints_and_filters(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    _, operator_token = add_user_with_token(ctx, "centre", "api-operator", operator=True)
    incident_id = make_incident(client, cast, "shared")
    far = make_incident(
        client,
        cast,
        "shared",
        {
            "event_position": {
                "lat": 39.084,
                "lon": 46.660,
                "place_name": "Zangilan",
                "precision": 2,
            }
        },
    )
    rus = cast.bearer("rus")
    task = client.post(
        f"/api/v1/incidents/{incident_id}/tasks",
        json={
            "team": ["Maj. Ivan Petrov"],
            "party_representatives": [{"party": "AZE", "present": True}],
        },
        headers=rus,
    )
    assert task.status_code == 201
    assessed = client.post(
        f"/api/v1/incidents/{incident_id}/assessments",
        json={
            "stance": "concur",
            "status": "verified",
            "attribution": "attributed(ARM)",
            "rationale": "UAV footage",
        },
        headers=cast.bearer("tur"),
    )
    assert assessed.status_code == 201, assessed.text
    assert assessed.json()["decision"]["state"] == "pending"
    bad = client.post(
        f"/api/v1/incidents/{incident_id}/assessments",
        json={"stance": "concur", "status": "verified", "attribution": "blame", "rationale": "x"},
        headers=rus,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == "attribution"

    def listed(query: str) -> set[str]:
        response = client.get(f"/api/v1/incidents?{query}", headers=rus)
        assert response.status_code == 200, response.text
        return {i["id"] for i in response.json()["items"]}

    assert listed("bbox=46.8,39.9,47.1,40.1") == {incident_id}
    assert listed("status=under_investigation") == {incident_id}
    assert listed("channel=monitor_observation&party=ARM") == {incident_id, far}
    assert listed("category=shelling&limit=1").__len__() == 1
    assert client.get("/api/v1/incidents?bbox=1,2,3", headers=rus).status_code == 422
    assert client.get("/api/v1/incidents?status=done", headers=rus).status_code == 422
    assert client.get("/api/v1/incidents?start=yesterday", headers=rus).status_code == 422
    assert (
        client.post(
            f"/api/v1/incidents/{incident_id}/status",
            json={"status": "verified", "reason": "x"},
            headers=rus,
        ).status_code
        == 409
    )
    presiding = {"kind": "presiding_member", "presiding": "tur"}
    # The rule weighs the monitors' views: an operator's to set, not one monitor's.
    refused = client.put("/api/v1/decision-rules/nk-2020-trilateral", json=presiding, headers=rus)
    assert refused.status_code == 403
    rule = client.put(
        "/api/v1/decision-rules/nk-2020-trilateral",
        json=presiding,
        headers={"Authorization": f"Bearer {operator_token}"},
    )
    assert rule.status_code == 200
    assert client.get("/api/v1/decision-rules/nk-2020-trilateral").json()["presiding"] == "tur"
    # Russia dissents; under the new rule Turkey, presiding, settles with its own view.
    client.post(
        f"/api/v1/incidents/{incident_id}/assessments",
        json={"stance": "dissent", "rationale": "not established"},
        headers=rus,
    )
    settled = client.post(f"/api/v1/incidents/{incident_id}/decision", headers=rus).json()
    assert (settled["state"], settled["settled_by"]) == ("decided", "tur")
    detail = client.get(f"/api/v1/incidents/{incident_id}", headers=rus).json()
    assert (detail["status"], detail["attributed_party"]) == ("verified", "ARM")
