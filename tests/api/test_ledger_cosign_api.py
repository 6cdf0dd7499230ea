"""``POST /api/v1/ledger/tree-head/cosignatures`` and the cosignatures served with the head."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ceasefire.actor import Actor
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.cosign import cosign
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.tree import SignedTreeHead
from ceasefire.members.setup import setup_members
from tests.factories.members import add_user_with_token

ROUTE = "/api/v1/ledger/tree-head/cosignatures"
NOW = "2026-12-07T17:00:00.000000Z"


def test_cosign_over_the_api(client: TestClient, ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    tokens = {m: add_user_with_token(ctx, m)[1] for m in ("arm", "aze")}
    key = SigningKey.generate("arm")
    ledger.add_member_key(ctx, member_id="arm", public_key=key.public_key_hex, actor=Actor.centre())
    served = client.get("/api/v1/ledger/tree-head").json()
    assert served["cosignatures"] == []
    body = cosign(SignedTreeHead.from_dict(served), served["installation"], key, NOW).as_dict()

    assert client.post(ROUTE, json=body).status_code == 401
    other = client.post(ROUTE, json=body, headers={"Authorization": f"Bearer {tokens['aze']}"})
    assert other.status_code == 403
    assert other.json()["error"]["details"][0]["loc"] == "member_id"
    arm = {"Authorization": f"Bearer {tokens['arm']}"}
    oversized = client.post(ROUTE, json={**body, "signature": "a" * 4000}, headers=arm)
    assert oversized.status_code == 422
    assert oversized.json()["error"]["details"][0]["loc"] == "signature"
    forged = client.post(ROUTE, json={**body, "signature": "0" * 128}, headers=arm)
    assert forged.status_code == 422
    assert forged.json()["error"]["code"] == "E422"
    assert forged.json()["error"]["details"][0]["loc"] == "signature"

    stored = client.post(ROUTE, json=body, headers=arm)
    assert stored.status_code == 200, stored.text
    assert [c["member_id"] for c in stored.json()["cosignatures"]] == ["arm"]
    again = client.post(ROUTE, json=body, headers=arm)
    assert again.json() == stored.json()
    head = client.get("/api/v1/ledger/tree-head").json()
    assert head["cosignatures"] == [body]
