"""Authentication and access through the HTTP API: no token is the public; a wrong,
expired or revoked token is a 401; every role × classification on posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from ceasefire.access import Classification
from ceasefire.db.context import ServiceContext
from ceasefire.members import auth, posts
from ceasefire.members.model import GeoPoint, ObservationPost
from ceasefire.members.tables import ApiTokenRow
from tests.factories.members import OPERATOR, PASSWORD, Cast, add_user_with_token


@pytest.fixture
def cast(cast: Cast, ctx: ServiceContext) -> Cast:
    """tests/conftest.py's cast, and an operator's token."""
    _, token = add_user_with_token(ctx, "centre", "duty-operator", operator=True)
    cast.tokens["operator"] = token
    return cast


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_the_public(client: TestClient, cast: Cast) -> None:
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["public"] is True
    assert me.json()["member_id"] is None
    # membership is public knowledge
    assert {m["id"] for m in client.get("/api/v1/members").json()} >= {"rus", "tur", "osce-mg"}
    # changes need a token
    response = client.post(
        "/api/v1/members", json={"id": "geo", "name": "Georgia", "kind": "state", "iso3": "GEO"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "E401"


def test_token_stands_for_its_member_and_role(client: TestClient, cast: Cast) -> None:
    me = client.get("/api/v1/auth/me", headers=cast.bearer("arm")).json()
    assert (me["member_id"], me["user_id"], me["role"], me["party"], me["public"]) == (
        "arm",
        "arm-user",
        "party_liaison",
        "ARM",
        False,
    )
    assert me["roles"][0]["agreement_id"] == "nk-2020-trilateral"
    assert me["roles"][0]["current"] is True


@pytest.mark.parametrize(
    "header",
    ["Bearer cft_unknown", "Bearer ", "Basic dXNlcjpwYXNz", "cft_no_scheme", "Bearer a b"],
)
def test_bad_authorization_header_is_401_not_public(
    client: TestClient, cast: Cast, header: str
) -> None:
    response = client.get("/api/v1/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "E401"
    assert "cft_" not in response.text


def test_expired_token_is_refused(client: TestClient, cast: Cast, ctx: ServiceContext) -> None:
    token = cast.tokens["fra"]
    assert client.get("/api/v1/auth/me", headers=_bearer(token)).status_code == 200
    with ctx.unit_of_work() as session:
        session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.token_hash == auth.hash_token(token))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    for path in ("/api/v1/auth/me", "/api/v1/posts", "/api/v1/members"):
        response = client.get(path, headers=_bearer(token))
        assert response.status_code == 401, path
        assert "expired" in response.json()["error"]["message"]
        assert token not in response.text


def test_revoked_token_is_refused(client: TestClient, cast: Cast) -> None:
    headers = cast.bearer("tur")
    tokens = client.get("/api/v1/auth/tokens", headers=headers).json()
    assert len(tokens) == 1
    assert "token" not in tokens[0]
    revoked = client.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}", headers=headers)
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]
    assert client.get("/api/v1/posts", headers=headers).status_code == 401


def test_password_login(client: TestClient, cast: Cast, ctx: ServiceContext) -> None:
    auth.add_user(ctx, OPERATOR, user_id="fra-claire", member_id="fra", password=PASSWORD)
    wrong = client.post("/api/v1/auth/token", json={"user_id": "fra-claire", "password": "nope"})
    assert wrong.status_code == 401
    unknown = client.post("/api/v1/auth/token", json={"user_id": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401
    assert wrong.json() == unknown.json()
    missing = client.post("/api/v1/auth/token", json={"user_id": "fra-claire"})
    assert missing.status_code == 422
    assert missing.json()["error"]["details"][0]["loc"] == "password"

    ok = client.post("/api/v1/auth/token", json={"user_id": "fra-claire", "password": PASSWORD})
    assert ok.status_code == 200
    body = ok.json()
    assert body["token"].startswith(auth.TOKEN_PREFIX)
    assert body["token_type"] == "bearer"
    me = client.get("/api/v1/auth/me", headers=_bearer(body["token"])).json()
    assert (me["member_id"], me["user_id"], me["role"]) == ("fra", "fra-claire", "observer")


def test_member_changes_are_checked_by_role(client: TestClient, cast: Cast) -> None:
    georgia = {"id": "geo", "name": "Georgia", "kind": "state", "iso3": "GEO"}
    assert (
        client.post("/api/v1/members", json=georgia, headers=cast.bearer("fra")).status_code == 403
    )
    assert (
        client.post("/api/v1/members", json=georgia, headers=cast.bearer("arm")).status_code == 403
    )
    created = client.post("/api/v1/members", json=georgia, headers=cast.bearer("rus"))
    assert created.status_code == 201
    assert client.get("/api/v1/members/geo").json()["iso3"] == "GEO"
    assert client.get("/api/v1/members/nope").status_code == 404
    bad = client.post(
        "/api/v1/members",
        json={"id": "Bad Id", "name": "X", "kind": "state", "iso3": "XX"},
        headers=cast.bearer("rus"),
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["loc"] == "id"
    role = client.post(
        "/api/v1/members/geo/roles",
        json={"agreement_id": "nk-2020-trilateral", "role": "party_liaison"},
        headers=cast.bearer("rus"),
    )
    assert role.status_code == 422
    assert role.json()["error"]["details"][0]["loc"] == "party"


def test_users_create_their_own_tokens_over_the_api(
    client: TestClient, cast: Cast, ctx: ServiceContext
) -> None:
    auth.set_password(ctx, OPERATOR, "aze-user", PASSWORD)
    own = client.post(
        "/api/v1/auth/tokens",
        json={"label": "laptop", "password": PASSWORD},
        headers=cast.bearer("aze"),
    )
    assert own.status_code == 201
    assert own.json()["info"]["user_id"] == "aze-user"
    other = client.post(
        "/api/v1/auth/tokens",
        json={"user_id": "arm-user", "password": PASSWORD},
        headers=cast.bearer("aze"),
    )
    assert other.status_code == 403
    me = client.get("/api/v1/auth/me", headers=_bearer(own.json()["token"]))
    assert me.json()["member_id"] == "aze"


VIEWERS = ["public", "operator", "rus", "tur", "arm", "aze", "fra", "usa", "osce-mg"]
# Posts concern no party: liaisons see public posts only. Owners (tur) see their own.
EXPECTED = {
    Classification.PUBLIC: set(VIEWERS),
    Classification.SHARED: {"operator", "rus", "tur", "fra", "usa", "osce-mg"},
    Classification.INTERNAL: {"operator", "rus", "tur"},
}


@pytest.mark.parametrize("classification", list(Classification))
def test_every_role_by_classification_through_the_api(
    client: TestClient, cast: Cast, ctx: ServiceContext, classification: Classification
) -> None:
    post_id = f"op-{classification.value}"
    posts.add_post(
        ctx,
        OPERATOR,
        ObservationPost(
            id=post_id,
            name="Post",
            owners=("tur",),
            location=GeoPoint(46.9, 39.9),
            active_from=datetime(2021, 2, 1, tzinfo=UTC),
            classification=classification,
        ),
    )
    seen = set()
    for who in VIEWERS:
        headers = {} if who == "public" else cast.bearer(who)
        one = client.get(f"/api/v1/posts/{post_id}", headers=headers)
        listed = {p["id"] for p in client.get("/api/v1/posts", headers=headers).json()}
        assert one.status_code in (200, 404)
        assert (one.status_code == 200) == (post_id in listed), who
        if one.status_code == 200:
            seen.add(who)
    assert seen == EXPECTED[classification]


def test_sensor_added_through_the_api_is_the_one_sent(client: TestClient, cast: Cast) -> None:
    sensor = {
        "id": "rus-uav-9",
        "kind": "uav",
        "name": "UAV 9",
        "member_id": "rus",
        "classification": "internal",
        "notes": "night flights",
    }
    operator = cast.bearer("operator")
    created = client.post("/api/v1/sensors", json=sensor, headers=operator)
    assert created.status_code == 201
    assert created.json() == {**sensor, "post_id": None}
    assert client.get("/api/v1/sensors/rus-uav-9", headers=operator).json() == created.json()
    again = client.post("/api/v1/sensors", json=sensor, headers=operator)
    assert (again.status_code, again.json()) == (201, created.json())
    other = client.post("/api/v1/sensors", json={**sensor, "name": "UAV 10"}, headers=operator)
    assert other.status_code == 409
    assert other.json()["error"]["details"] == [{"loc": "id", "message": "taken"}]
