"""The ledger over HTTP: paging, one entry, proofs, roots, keys, head, pre-signed entries."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import build_entry
from ceasefire.ledger.keys import SigningKey
from ceasefire.timeutil import utcnow
from tests.factories.members import add_user_with_token

TAG = "test:entry:written"


@pytest.fixture
def bearer(ctx: ServiceContext, settings: Settings) -> dict[str, str]:
    from ceasefire.members.setup import setup_members

    setup_members(ctx, demo=True)
    _, token = add_user_with_token(ctx, "arm")
    with ctx.unit_of_work() as session:
        for n in range(12):
            ledger.append(
                session, settings, tag=TAG, subject=f"s/{n}", payload={"n": n}, actor=Actor("arm")
            )
    return {"Authorization": f"Bearer {token}"}


def test_entries_are_paged(client: TestClient, bearer: dict[str, str]) -> None:
    head = client.get("/api/v1/ledger/head").json()["seq"]
    seen: list[int] = []
    after = 0
    while True:
        page = client.get(f"/api/v1/ledger?after={after}&limit=5", headers=bearer)
        assert page.status_code == 200
        body = page.json()
        seen.extend(e["seq"] for e in body["entries"])
        if body["next_after"] is None:
            break
        after = body["next_after"]
    assert seen == list(range(1, head + 1))


def test_one_entry_and_its_proof(client: TestClient, bearer: dict[str, str]) -> None:
    entries = client.get(f"/api/v1/ledger?tag={TAG}&limit=1", headers=bearer).json()["entries"]
    seq = entries[0]["seq"]
    entry = client.get(f"/api/v1/ledger/{seq}", headers=bearer).json()
    assert entry["payload"] == {"n": 0}
    assert entry["tag"] == TAG
    proof = client.get(f"/api/v1/ledger/{seq}/proof", headers=bearer).json()
    assert proof["entry"]["header"] == entry["header"]
    assert ledger.check_proof(proof).ok is True


def test_reading_entries_needs_a_token_but_roots_keys_and_head_do_not(
    client: TestClient, bearer: dict[str, str]
) -> None:
    del bearer
    assert client.get("/api/v1/ledger").status_code == 401
    assert client.get("/api/v1/ledger/1").status_code == 401
    assert client.get("/api/v1/ledger/roots").json() == []
    assert {k["member_id"] for k in client.get("/api/v1/ledger/keys").json()} >= {"centre", "arm"}
    assert client.get("/api/v1/ledger/head").json()["seq"] > 0


def test_bad_parameters_are_named(client: TestClient, bearer: dict[str, str]) -> None:
    response = client.get("/api/v1/ledger?limit=0", headers=bearer)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == "limit"
    response = client.get("/api/v1/ledger/0", headers=bearer)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["loc"] == "seq"
    assert client.get("/api/v1/ledger/99999", headers=bearer).status_code == 404


def test_a_member_submits_a_presigned_entry(client: TestClient, ctx: ServiceContext) -> None:
    key = SigningKey.generate("aze")
    with ctx.unit_of_work() as session:
        ledger.ensure_centre_key(session, ctx.settings)
    ledger.add_member_key(ctx, member_id="aze", public_key=key.public_key_hex, actor=Actor.centre())

    def signed(tag: str = TAG) -> dict[str, str]:
        head = client.get("/api/v1/ledger/head").json()
        entry = build_entry(
            seq=head["seq"] + 1,
            ts=utcnow(),
            tag=tag,
            subject="complaint/1",
            actor_member="aze",
            actor_user=None,  # no users here: tests/api/test_presigned_user.py
            payload_bytes=canonical_json({"text": "shelling near Aghdam"}),
            prev=head["entry_hash"],
            signer=key,
        )
        return {
            "header": entry.header_bytes.decode(),
            "payload": entry.payload_bytes.decode(),
            "signature": entry.signature,
        }

    body = signed()
    created = client.post("/api/v1/ledger/entries", json=body)
    assert created.status_code == 201, created.json()
    assert created.json()["member_id"] == "aze"
    assert client.post("/api/v1/ledger/entries", json=body).json()["seq"] == created.json()["seq"]
    forged = {**body, "signature": SigningKey.generate("aze").sign(body["header"].encode())}
    assert client.post("/api/v1/ledger/entries", json=forged).status_code == 401
    stale = signed()
    with ctx.unit_of_work() as session:
        ledger.append(session, ctx.settings, tag=TAG, subject="x", payload={}, actor=Actor.centre())
    conflict = client.post("/api/v1/ledger/entries", json=stale)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "E409"
    # A report's entry is the server's to write, as it files the report: refused, unwritten.
    head = ledger.head(ctx).seq
    refused = client.post("/api/v1/ledger/entries", json=signed("intake:report:received"))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "E403"
    assert refused.json()["error"]["details"][0]["loc"] == "header.tag"
    assert ledger.head(ctx).seq == head
    assert ledger.verify(ctx).ok


def test_a_presigned_entry_nested_too_deeply_is_422_naming_the_part(client: TestClient) -> None:
    """Anyone may send one (the signature is checked after the parts are read): JSON nested
    past the decoder's limit was a RecursionError, a 500 with its traceback in the log. (Both
    under the 64 KiB a pre-signed payload may hold: a larger one is a 413 before it is read.)"""
    key = SigningKey.generate("aze")
    for payload in (b"[" * 30_000 + b"]" * 30_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000):
        entry = build_entry(
            seq=1,
            ts=utcnow(),
            tag=TAG,
            subject="complaint/1",
            actor_member="aze",
            actor_user="aze-liaison",
            payload_bytes=payload,
            prev="0" * 64,
            signer=key,
        )
        body = {
            "header": entry.header_bytes.decode(),
            "payload": payload.decode(),
            "signature": entry.signature,
        }
        answer = client.post("/api/v1/ledger/entries", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["details"][0]["loc"] == "payload"
    deep_header = {"header": "[" * 100_000 + "]" * 100_000, "payload": "{}", "signature": "0" * 128}
    answer = client.post("/api/v1/ledger/entries", json=deep_header)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"][0]["loc"] == "header"
