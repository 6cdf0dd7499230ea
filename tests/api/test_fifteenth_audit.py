"""The fifteenth audit: what the centre has already output once a record's classification
narrows (docs/security.md, "The fifteenth audit"; both databases).

- A stored edition (the public daily report, a spot report, a member's own internal edition)
  kept serving an incident the monitors made internal after it was generated: the public
  still downloaded the public edition naming it, Armenia's liaison its own edition naming an
  incident no longer shared with it. Such an edition is withdrawn now from every reader that
  no longer reads each incident it names (a 404 naming ``publication_id``, left out of the
  list), and the withdrawal from its audience is a ``publish:report:withdrawn`` entry.
- Requests with a token are limited per token: a user minting tokens with its own password,
  or signing in again and again (a session token is a bearer token too), multiplied its
  rate without bound. A user holds at most 20 tokens it minted itself in force (a 409 naming
  ``user_id``), and 20 sign-in sessions (a new one ends the oldest).
"""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members.setup import setup_members
from ceasefire.publish import service as publishing
from ceasefire.publish.events import ReportWithdrawn
from ceasefire.publish.model import Edition, Kind, OutputFormat
from tests.factories.members import OPERATOR, PASSWORD, Cast
from tests.factories.publish import make_day

AGREEMENT = "nk-2020-trilateral"
DAY = date(2020, 11, 26)
USER = "arm-duty"


def _withdrawals(ctx: ServiceContext) -> list[tuple[str, dict[str, object]]]:
    with ctx.reader() as session:
        rows = session.execute(
            select(LedgerEntryRow.subject, LedgerEntryRow.payload)
            .where(LedgerEntryRow.tag == "publish:report:withdrawn")
            .order_by(LedgerEntryRow.seq)
        ).all()
    # Less the nonce the writer adds (the payload is withheld from some members).
    return [
        (subject, {k: v for k, v in json.loads(payload).items() if k != "nonce"})
        for subject, payload in rows
    ]


def _listed(client: TestClient, headers: dict[str, str]) -> list[str]:
    response = client.get("/api/v1/publications", headers=headers)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()]


def test_a_public_edition_is_withdrawn_once_an_incident_it_names_is_made_internal(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    day = make_day(ctx, cast)
    request = publishing.Request(
        Kind.DAILY, Edition.PUBLIC, "en", OutputFormat.HTML, AGREEMENT, day=DAY
    )
    edition = publishing.generate(ctx, Viewer.cli_operator(), request).publication
    content = f"/api/v1/publications/{edition.id}/content"
    public = client.get(content)
    assert public.status_code == 200
    assert "Shelling near Aghdam" in public.text

    turkey = cast.viewer(ctx, "tur")
    incidents.classify(ctx, turkey, day.ids["shelling"], Classification.INTERNAL)

    for headers in ({}, cast.bearer("arm"), cast.bearer("aze"), cast.bearer("fra")):
        refused = client.get(content, headers=headers)
        assert refused.status_code == 404, refused.text
        error = refused.json()["error"]
        assert error["details"][0]["loc"] == "publication_id"
        assert "withdrawn" in error["message"]
        assert edition.id not in _listed(client, headers)
    # The web's download of the same edition is the same service.
    assert client.get(f"/publications/{edition.id}/content").status_code == 404
    # The monitors still read what the centre published, and the ledger says it was withdrawn.
    assert client.get(content, headers=cast.bearer("rus")).status_code == 200
    assert edition.id in _listed(client, cast.bearer("rus"))
    assert _withdrawals(ctx) == [
        (
            f"publication/{edition.id}",
            {
                "publication_id": edition.id,
                "audience": "public",
                "incident_id": day.ids["shelling"],
                "classification": "internal",
            },
        )
    ]
    assert set(_withdrawals(ctx)[0][1]) == set(ReportWithdrawn.__annotations__) - {"nonce"}
    # Armenia's liaison reads the entry's header, not which incident was withdrawn.
    entry = client.get(
        "/api/v1/ledger",
        params={"subject": f"publication/{edition.id}"},
        headers=cast.bearer("arm"),
    )
    assert entry.status_code == 200, entry.text
    assert day.ids["shelling"] not in entry.text
    assert ledger.verify(ctx).ok
    # Made public again, it is read again.
    incidents.classify(ctx, turkey, day.ids["shelling"], Classification.PUBLIC)
    assert client.get(content).status_code == 200


def test_a_public_spot_report_follows_its_incident(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    day = make_day(ctx, cast)
    exchange = day.ids["exchange"]
    request = publishing.Request(
        Kind.SPOT, Edition.PUBLIC, "en", OutputFormat.HTML, incident_id=exchange
    )
    spot = publishing.generate(ctx, cast.viewer(ctx, "tur"), request).publication
    assert client.get(f"/api/v1/publications/{spot.id}/content").status_code == 200

    incidents.classify(ctx, cast.viewer(ctx, "rus"), exchange, Classification.SHARED)
    assert client.get(f"/api/v1/publications/{spot.id}/content").status_code == 404
    assert spot.id not in _listed(client, {})
    # France's observer reads shared incidents: the public edition is not withdrawn from it.
    fra = client.get(f"/api/v1/publications/{spot.id}/content", headers=cast.bearer("fra"))
    assert fra.status_code == 200
    assert [payload["audience"] for _, payload in _withdrawals(ctx)] == ["public"]


def test_a_members_own_edition_follows_the_incidents_it_names(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    day = make_day(ctx, cast)
    request = publishing.Request(
        Kind.DAILY, Edition.INTERNAL, "en", OutputFormat.HTML, AGREEMENT, day=DAY
    )
    edition = publishing.generate(ctx, cast.viewer(ctx, "arm"), request).publication
    assert edition.audience == "member:arm"
    content = f"/api/v1/publications/{edition.id}/content"
    assert "Small-arms fire near Lachin" in client.get(content, headers=cast.bearer("arm")).text

    clash = day.ids["clash"]
    incidents.classify(ctx, cast.viewer(ctx, "tur"), clash, Classification.INTERNAL)
    assert client.get(content, headers=cast.bearer("arm")).status_code == 404
    assert edition.id not in _listed(client, cast.bearer("arm"))
    assert [(p["audience"], p["incident_id"]) for _, p in _withdrawals(ctx)] == [
        ("member:arm", clash)
    ]


def test_a_user_cannot_multiply_its_request_rate_by_minting_tokens(
    client: TestClient, ctx: ServiceContext
) -> None:
    """Requests with a token are limited per token (6,000 a minute): a user minting tokens
    with its own password (10 a minute, each valid up to 366 days) held 14,400 more a day,
    each with a rate of its own, and each sign-in a session token usable as a bearer token."""
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="arm", password=PASSWORD)
    first = auth.create_token(ctx, OPERATOR, user_id=USER, label="laptop")
    user = auth.viewer_for_token(ctx, first.token)
    for n in range(auth.MAX_OWN_TOKENS_IN_FORCE):
        auth.create_token(ctx, user, user_id=USER, label=f"script {n}", password=PASSWORD)
    refused = client.post(
        "/api/v1/auth/tokens",
        json={"label": "one more", "password": PASSWORD},
        headers={"Authorization": f"Bearer {first.token}"},
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["details"][0]["loc"] == "user_id"
    # The operator's own (a sensor feed's) are not the user's to count.
    auth.create_token(ctx, OPERATOR, user_id=USER, label="sensor feed")
    # Revoking one of its own makes room again.
    own = [t for t in auth.list_tokens(ctx, user, user_id=USER) if t.label == "script 0"]
    auth.revoke_token(ctx, user, own[0].id)
    auth.create_token(ctx, user, user_id=USER, label="again", password=PASSWORD)

    sessions = [
        auth.login(ctx, user_id=USER, password=PASSWORD).token
        for _ in range(auth.MAX_SESSIONS_IN_FORCE + 3)
    ]
    listed = [t for t in auth.list_tokens(ctx, user, user_id=USER) if t.label == "login"]
    assert sum(t.state == "active" for t in listed) == auth.MAX_SESSIONS_IN_FORCE
    # The oldest sessions ended, the newest work.
    assert (
        client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {sessions[0]}"}
        ).status_code
        == 401
    )
    assert (
        client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {sessions[-1]}"}
        ).status_code
        == 200
    )
