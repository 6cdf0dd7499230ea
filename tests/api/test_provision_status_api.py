"""Recording a provision's status over HTTP, and the typed agreement responses.

``POST /api/v1/agreements/{id}/provisions/{provision_id}/status``: monitors of the agreement
(and operators) only; a retry writes nothing; bad input names the field and writes nothing;
the ledger's agreement state check stays green.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ceasefire.access import Role
from ceasefire.agreements import service as agreements
from ceasefire.agreements.tables import ProvisionStatusChangeRow
from ceasefire.agreements.views import agreement_view, provisions_view
from ceasefire.app import create_app
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import service as members
from ceasefire.members.model import MemberRole
from tests.factories.agreements import MEMO_ID, NK_ID
from tests.factories.members import OPERATOR, Cast, add_user_with_token

EXCHANGE = "p8-exchange"
URL = f"/api/v1/agreements/{NK_ID}/provisions/{EXCHANGE}/status"
BODY: dict[str, Any] = {
    "status": "in_progress",
    "at": "2020-12-14T09:00:00Z",
    "evidence": [{"ref": "incident:2020-12-14-001", "note": "first exchange observed"}],
    "note": "first exchange of detainees",
}


@pytest.fixture
def cast(cast: Cast, ctx: ServiceContext) -> Cast:
    """tests/conftest.py's cast, and the shipped agreements."""
    agreements.load_shipped(ctx)
    return cast


@pytest.fixture
def client(ctx: ServiceContext, cast: Cast) -> Iterator[TestClient]:
    with TestClient(create_app(ctx=ctx)) as test_client:
        yield test_client


def counts(ctx: ServiceContext) -> tuple[int, int]:
    """(ledger entries, status change rows): what a refused request must leave alone."""
    with ctx.reader() as session:
        entries = session.scalar(select(func.count()).select_from(LedgerEntryRow))
        changes = session.scalar(select(func.count()).select_from(ProvisionStatusChangeRow))
    return int(entries or 0), int(changes or 0)


def assert_ledger_verifies(ctx: ServiceContext) -> None:
    summary = ledger.verify(ctx).summary()
    assert summary.ok, summary.findings
    assert any(name.startswith("agreements") for name in summary.state_checks)


def test_a_monitor_records_a_status_and_a_retry_writes_nothing(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    before = counts(ctx)
    first = client.post(URL, json=BODY, headers=cast.bearer("rus"))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["recorded"] is True
    change = body["status_change"]
    assert change["status"] == "in_progress"
    assert change["at"] == {
        "at": "2020-12-14T09:00:00Z",
        "local": "2020-12-14T09:00:00",
        "time_zone": "UTC",
        "precision": "minute",
    }
    assert change["evidence"] == BODY["evidence"]
    assert change["recorded_by"] == "rus"
    # One ledger entry: the status change, signed by the monitor's new key (ledgered first).
    entries, rows = counts(ctx)
    assert rows == before[1] + 1
    with ctx.reader() as session:
        entry = session.get(LedgerEntryRow, change["ledger_seq"])
        assert entry is not None
        assert (entry.tag, entry.member_id) == ("agreement:provision:status-changed", "rus")

    again = client.post(URL, json=BODY, headers=cast.bearer("rus"))
    assert again.status_code == 200
    assert again.json() == {"recorded": False, "status_change": change}
    assert counts(ctx) == (entries, rows)

    # Another monitor sending the same change finds it recorded as well.
    other = client.post(URL, json=BODY, headers=cast.bearer("tur"))
    assert other.status_code == 200
    assert other.json()["status_change"] == change
    assert counts(ctx) == (entries, rows)

    provisions = client.get(
        f"/api/v1/agreements/{NK_ID}/provisions", params={"as_of": "2020-12-15T00:00:00Z"}
    ).json()
    exchange = next(p for p in provisions["provisions"] if p["id"] == EXCHANGE)
    assert exchange["recorded_status"] == "in_progress"
    assert exchange["status_history"][-1]["note"] == BODY["note"]
    assert_ledger_verifies(ctx)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rus", 201),  # monitor
        ("tur", 201),  # monitor
        ("aze", 403),  # party liaison
        ("arm", 403),  # party liaison
        ("fra", 403),  # observer
        ("osce-mg", 403),  # observer
        (None, 401),  # the public
    ],
)
def test_only_monitors_of_the_agreement_may_record(
    client: TestClient, ctx: ServiceContext, cast: Cast, who: str | None, expected: int
) -> None:
    before = counts(ctx)
    headers = cast.bearer(who) if who else {}
    response = client.post(URL, json=BODY, headers=headers)
    assert response.status_code == expected, response.text
    if expected != 201:
        assert response.json()["error"]["code"] == f"E{expected}"
        assert counts(ctx) == before
    if expected == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_bad_token_is_401_and_an_operator_user_may_record(
    client: TestClient, ctx: ServiceContext
) -> None:
    before = counts(ctx)
    bad = client.post(URL, json=BODY, headers={"Authorization": "Bearer cft_nope"})
    assert bad.status_code == 401
    assert counts(ctx) == before
    _, token = add_user_with_token(ctx, "centre", "duty-officer", operator=True)
    done = client.post(URL, json=BODY, headers={"Authorization": f"Bearer {token}"})
    assert done.status_code == 201, done.text
    assert done.json()["status_change"]["recorded_by"] == "centre"


def test_the_monitor_role_counts_in_that_agreement_only(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    # The United States observes the 2020 statement; make it a monitor of the memorandum.
    members.grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id="usa",
            agreement_id=MEMO_ID,
            role=Role.MONITOR,
            valid_from=datetime(2020, 11, 11, tzinfo=UTC),
        ),
    )
    memo_body = {
        "status": "fulfilled",
        "at": "2021-01-30T08:00:00Z",
        "evidence": [{"source": "russia-mod"}],
    }
    memo_url = f"/api/v1/agreements/{MEMO_ID}/provisions/m2-parity-staffing/status"
    assert client.post(memo_url, json=memo_body, headers=cast.bearer("usa")).status_code == 201
    refused = client.post(URL, json=BODY, headers=cast.bearer("usa"))
    assert refused.status_code == 403
    # Russia monitors the statement, not (in the demo) the memorandum.
    assert client.post(memo_url, json=memo_body, headers=cast.bearer("rus")).status_code == 403
    assert_ledger_verifies(ctx)


def test_an_ended_monitor_role_no_longer_allows(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    members.end_role(ctx, OPERATOR, member_id="tur", agreement_id=NK_ID)
    before = counts(ctx)
    assert client.post(URL, json=BODY, headers=cast.bearer("tur")).status_code == 403
    assert counts(ctx) == before


def test_local_time_and_zone_are_kept(client: TestClient, ctx: ServiceContext, cast: Cast) -> None:
    body = {
        "status": "fulfilled",
        "local": "2020-12-01",
        "time_zone": "Asia/Baku",
        "evidence": [{"ref": "report:r-1"}],
    }
    url = f"/api/v1/agreements/{NK_ID}/provisions/p7-return/status"
    response = client.post(url, json=body, headers=cast.bearer("rus"))
    assert response.status_code == 201, response.text
    assert response.json()["status_change"]["at"] == {
        "at": "2020-11-30T20:00:00Z",
        "local": "2020-12-01",
        "time_zone": "Asia/Baku",
        "precision": "day",
    }
    # at and local together must agree; time_zone alone keeps at's local time there.
    both = {**body, "status": "breached", "at": "2020-11-30T20:00:00+00:00"}
    assert client.post(url, json=both, headers=cast.bearer("rus")).status_code == 201
    zone_only = {
        "status": "in_progress",
        "at": "2020-11-25T10:30:00Z",
        "time_zone": "Asia/Baku",
        "evidence": [{"ref": "report:r-2"}],
    }
    response = client.post(url, json=zone_only, headers=cast.bearer("rus"))
    assert response.json()["status_change"]["at"]["local"] == "2020-11-25T14:30:00"
    assert_ledger_verifies(ctx)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/agreements/nope/provisions/{EXCHANGE}/status", "agreement_id"),
        (f"/api/v1/agreements/{NK_ID}/provisions/p99-nope/status", "provision_id"),
    ],
)
def test_unknown_agreement_or_provision_is_404(
    client: TestClient, ctx: ServiceContext, cast: Cast, url: str, field: str
) -> None:
    before = counts(ctx)
    response = client.post(url, json=BODY, headers=cast.bearer("rus"))
    assert response.status_code == 404
    assert [d["loc"] for d in response.json()["error"]["details"]] == [field]
    assert counts(ctx) == before


def _with(**changes: Any) -> dict[str, Any]:
    body = dict(BODY)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    ("body", "locs"),
    [
        (_with(status="done"), ["status"]),
        (_with(status=None), ["status"]),
        (_with(at="2020-12-14T09:00:00"), ["at"]),
        (_with(at="yesterday"), ["at"]),
        (_with(at=None), ["at"]),
        (_with(at="2999-01-01T00:00:00Z"), ["at"]),
        (_with(evidence=[]), ["evidence"]),
        (_with(evidence=None), ["evidence"]),
        (_with(evidence=[{"note": "no source, no ref"}]), ["evidence[0]"]),
        (_with(evidence=[{"source": "no-such-source"}]), ["evidence[0].source"]),
        (_with(evidence=[{"ref": "x", "url": "y"}]), ["evidence.0.url"]),
        (_with(local="2020-12-14T13:00"), ["time_zone"]),
        (_with(local="2020-12-14T12:00", time_zone="Asia/Baku"), ["local"]),
        (_with(local="14 December", time_zone="Asia/Baku", at=None), ["local"]),
        (_with(time_zone="Mars/Olympus"), ["time_zone"]),
        (_with(status_change="fulfilled"), ["status_change"]),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client: TestClient, ctx: ServiceContext, cast: Cast, body: dict[str, Any], locs: list[str]
) -> None:
    before = counts(ctx)
    response = client.post(URL, json=body, headers=cast.bearer("rus"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "E422"
    assert [d["loc"] for d in error["details"]] == locs
    assert counts(ctx) == before


def test_a_provision_with_parts_and_a_conflicting_retry_are_refused(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    point6 = f"/api/v1/agreements/{NK_ID}/provisions/p6-districts-and-corridor/status"
    before = counts(ctx)
    response = client.post(point6, json=BODY, headers=cast.bearer("rus"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == "provision_id"
    assert counts(ctx) == before

    assert client.post(URL, json=BODY, headers=cast.bearer("rus")).status_code == 201
    recorded = counts(ctx)
    other = _with(evidence=[{"ref": "incident:another"}])
    conflict = client.post(URL, json=other, headers=cast.bearer("rus"))
    assert conflict.status_code == 409
    assert [d["loc"] for d in conflict.json()["error"]["details"]] == ["evidence"]
    assert counts(ctx) == recorded
    assert_ledger_verifies(ctx)


# -- typed responses -----------------------------------------------------------------------


def test_responses_are_exactly_the_views(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The response models change nothing in the bodies (the CLI prints the same views)."""
    as_of = datetime(2020, 11, 26, tzinfo=UTC)
    for agreement_id in (NK_ID, MEMO_ID):
        stored = agreements.get_agreement(ctx, agreement_id)
        params = {"as_of": "2020-11-26T00:00:00Z"}
        shown = client.get(f"/api/v1/agreements/{agreement_id}", params=params).json()
        assert shown == agreement_view(stored.agreement, as_of, version=stored.version_info())
        listed = client.get(f"/api/v1/agreements/{agreement_id}/provisions", params=params).json()
        assert listed == provisions_view(stored.agreement, as_of, version=stored.version_info())
    assert client.get("/api/v1/agreements").json() == {
        "agreements": [a.model_dump(mode="json") for a in agreements.list_agreements(ctx)]
    }
    assert client.get(f"/api/v1/agreements/{NK_ID}/versions").json() == (
        agreements.list_versions(ctx, NK_ID).model_dump(mode="json")
    )
    zones = client.get("/api/v1/zones")
    assert zones.headers["content-type"].startswith("application/geo+json")
    assert zones.json() == agreements.list_zones(ctx).model_dump(mode="json")


def test_openapi_describes_the_agreement_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths, schemas = spec["paths"], spec["components"]["schemas"]

    def schema_of(path: str, method: str = "get", code: str = "200") -> dict[str, Any]:
        content = paths[path][method]["responses"][code]["content"]
        media = next(iter(content.values()))
        return dict(media["schema"])

    assert schema_of("/api/v1/agreements") == {"$ref": "#/components/schemas/AgreementListPublic"}
    assert schema_of("/api/v1/agreements/{agreement_id}") == {
        "$ref": "#/components/schemas/AgreementPublic"
    }
    assert schema_of("/api/v1/agreements/{agreement_id}/provisions") == {
        "$ref": "#/components/schemas/AgreementProvisionsPublic"
    }
    assert schema_of("/api/v1/agreements/{agreement_id}/versions") == {
        "$ref": "#/components/schemas/AgreementVersionsPublic"
    }
    assert "application/geo+json" in paths["/api/v1/zones"]["get"]["responses"]["200"]["content"]
    assert schema_of("/api/v1/zones") == {"$ref": "#/components/schemas/ZoneCollectionPublic"}
    status_path = "/api/v1/agreements/{agreement_id}/provisions/{provision_id}/status"
    assert schema_of(status_path, "post", "201") == {
        "$ref": "#/components/schemas/ProvisionStatusRecorded"
    }
    assert set(paths[status_path]["post"]["responses"]) >= {"200", "401", "403", "404", "422"}
    provision = schemas["ProvisionPublic"]["properties"]
    assert provision["parts"]["items"] == {"$ref": "#/components/schemas/ProvisionPublic"}
    assert set(schemas["ProvisionStatus"]["enum"]) >= {"pending", "fulfilled", "breached"}
    instant = schemas["SourceInstantPublic"]
    assert instant["properties"]["at"]["format"] == "date-time"
    assert "note" not in instant["required"]
