"""The whole-ledger tree over HTTP: signed heads and RFC 9162 proofs, public, checked with
nothing but the answers; bad sizes are a 422 naming the parameter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger.tree import SignedTreeHead, verify_consistency, verify_inclusion
from tests.factories.ledger import append_test_entries


@pytest.fixture
def client(ctx: ServiceContext, settings: Settings) -> Iterator[TestClient]:
    append_test_entries(ctx, settings, 20)
    with TestClient(create_app(ctx=ctx)) as test_client:
        yield test_client


def test_heads_and_proofs_need_no_token_and_check_out(
    client: TestClient, ctx: ServiceContext, settings: Settings
) -> None:
    answer = client.get("/api/v1/ledger/tree-head")
    assert answer.status_code == 200
    body = answer.json()
    first = SignedTreeHead.from_dict(body)
    assert first.verify(body["public_key"])
    assert client.get("/api/v1/ledger/tree-head").json() == body  # same size, same head

    append_test_entries(ctx, settings, 7, member="aze", subject="t")
    second_body = client.get("/api/v1/ledger/tree-head").json()
    second = SignedTreeHead.from_dict(second_body)
    assert second.tree_size > first.tree_size
    proof = client.get(
        "/api/v1/ledger/consistency",
        params={"first": first.tree_size, "second": second.tree_size},
    )
    assert proof.status_code == 200
    assert verify_consistency(
        first.tree_size, second.tree_size, first.root_hash, second.root_hash, proof.json()["path"]
    )
    seq = 5
    inclusion = client.get(f"/api/v1/ledger/inclusion/{seq}").json()
    assert inclusion["tree_size"] == second.tree_size
    assert verify_inclusion(
        inclusion["entry_hash"], seq - 1, second.tree_size, inclusion["path"], second.root_hash
    )
    old = client.get(f"/api/v1/ledger/inclusion/{seq}", params={"tree_size": first.tree_size})
    assert verify_inclusion(
        inclusion["entry_hash"], seq - 1, first.tree_size, old.json()["path"], first.root_hash
    )


@pytest.mark.parametrize(
    ("path", "params", "status", "loc"),
    [
        ("/api/v1/ledger/consistency", {"first": 1, "second": 10_000}, 422, "second"),
        ("/api/v1/ledger/consistency", {"first": 5, "second": 3}, 422, "second"),
        ("/api/v1/ledger/consistency", {"first": -1, "second": 3}, 422, "first"),
        ("/api/v1/ledger/consistency", {"first": 2**63, "second": 3}, 422, "first"),
        ("/api/v1/ledger/inclusion/10000", {}, 404, "seq"),
        ("/api/v1/ledger/inclusion/3", {"tree_size": 10_000}, 422, "tree_size"),
        ("/api/v1/ledger/inclusion/9223372036854775808", {}, 422, "seq"),
    ],
)
def test_bad_sizes_name_the_parameter(
    client: TestClient, path: str, params: dict[str, int], status: int, loc: str
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status, answer.text
    details = answer.json()["error"]["details"]
    assert any(loc in str(d.get("loc", "")) for d in details), details
