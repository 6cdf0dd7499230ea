"""Members who distrust each other: no record of one agreement can be pulled into another.

The demo cast holds its roles in agreement A (``nk-2020-trilateral``); here France, an
observer of A, is also made the monitor of a second agreement B. As a monitor of B it may
make incidents, but never of A's reports: an incident of B made of A's reports would show
their place, time and category to whoever reads B's incidents (the public, for a public one)
and take them away from A's monitors. And a report filed under no agreement is not read by
a member's role in some other agreement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Role
from ceasefire.db.context import ServiceContext
from ceasefire.members.model import Member, MemberKind, MemberRole
from ceasefire.members.service import add_member, grant_role
from tests.factories.members import OPERATOR, Cast, add_user_with_token
from tests.factories.reports import shelling_body

AGREEMENT_B = "tr-ru-2020-memorandum"


def make_monitor_of_b(ctx: ServiceContext, member_id: str) -> None:
    grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id=member_id,
            agreement_id=AGREEMENT_B,
            role=Role.MONITOR,
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        ),
    )


def file(client: TestClient, cast: Cast, who: str, **overrides: Any) -> str:
    response = client.post(
        "/api/v1/reports", json=shelling_body(**overrides), headers=cast.bearer(who)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def a_reports(client: TestClient, cast: Cast) -> list[str]:
    """A shared report of A's monitor and a party complaint of Armenia's liaison in A."""
    shared = file(client, cast, "tur")
    complaint = file(
        client,
        cast,
        "arm",
        channel="party_complaint",
        concerns=["ARM"],
        alleged_perpetrator="AZE",
        observer_position=None,
        distance_m=None,
        bearing_deg=None,
    )
    return [shared, complaint]


def test_a_monitor_of_b_cannot_make_an_incident_of_a_reports(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    make_monitor_of_b(ctx, "fra")
    ids = a_reports(client, cast)
    for report_ids in ([ids[0]], [ids[1]], ids):
        response = client.post(
            "/api/v1/incidents",
            json={
                "report_ids": report_ids,
                "title": "hijack",
                "classification": "public",
                "agreement_id": AGREEMENT_B,
            },
            headers=cast.bearer("fra"),
        )
        assert response.status_code == 422, response.text
        assert {d["loc"] for d in response.json()["error"]["details"]} == {"report_ids"}
    # Nothing leaked to the public, and A's monitor can still group its report.
    assert client.get("/api/v1/incidents").json()["items"] == []
    own = client.post(
        "/api/v1/incidents",
        json={"report_ids": [ids[0]], "title": "A's own"},
        headers=cast.bearer("tur"),
    )
    assert own.status_code == 201, own.text


def test_a_monitor_of_b_cannot_add_a_reports_to_b_incident(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    make_monitor_of_b(ctx, "fra")
    ids = a_reports(client, cast)
    b_report = file(client, cast, "fra", agreement_id=AGREEMENT_B)
    made = client.post(
        "/api/v1/incidents",
        json={"report_ids": [b_report], "title": "B's own", "classification": "public"},
        headers=cast.bearer("fra"),
    )
    assert made.status_code == 201, made.text
    assert made.json()["agreement_id"] == AGREEMENT_B
    incident_id = made.json()["id"]
    for rid in ids:
        added = client.post(
            f"/api/v1/incidents/{incident_id}/reports",
            json={"report_ids": [rid]},
            headers=cast.bearer("fra"),
        )
        assert added.status_code == 422, added.text
        assert added.json()["error"]["details"][0]["loc"] == "report_ids"
    public = client.get(f"/api/v1/incidents/{incident_id}").json()
    assert public["report_count"] == 1


def test_a_monitor_of_a_cannot_pull_b_reports_into_a(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    """The other direction, by a member that monitors both: the agreement named must be the
    reports' own, so an incident cannot move a report out of its agreement."""
    make_monitor_of_b(ctx, "tur")
    b_report = file(client, cast, "tur", agreement_id=AGREEMENT_B)
    response = client.post(
        "/api/v1/incidents",
        json={
            "report_ids": [b_report],
            "title": "moved",
            "agreement_id": "nk-2020-trilateral",
        },
        headers=cast.bearer("tur"),
    )
    assert response.status_code == 422, response.text


def test_a_report_of_no_agreement_is_not_read_by_a_role_in_another_agreement(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    """Turkey (monitor of A only) files an internal report naming no agreement; Poland,
    a member with a role only in B, must not read it as B's monitor."""
    internal = file(client, cast, "tur", classification="internal", agreement_id=None)
    add_member(ctx, OPERATOR, Member(id="pol", name="Poland", kind=MemberKind.STATE, iso3="POL"))
    make_monitor_of_b(ctx, "pol")
    _, token = add_user_with_token(ctx, "pol")
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/reports/{internal}", headers=bearer).status_code == 404
    listed = client.get("/api/v1/reports", headers=bearer).json()["items"]
    assert internal not in {r["id"] for r in listed}
    # Nor may Poland group it into an incident of its own.
    grouped = client.post(
        "/api/v1/incidents",
        json={"report_ids": [internal], "title": "x", "agreement_id": AGREEMENT_B},
        headers=bearer,
    )
    assert grouped.status_code in {404, 422}, grouped.text
    # Turkey still reads its own report.
    assert client.get(f"/api/v1/reports/{internal}", headers=cast.bearer("tur")).status_code == 200
