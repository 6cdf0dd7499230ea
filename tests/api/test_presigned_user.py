"""The ``user`` of a member's pre-signed entry must be one of that member's users (a finding
the fourteenth audit left open): Azerbaijan's key naming Armenia's liaison, the centre's
operator or a user no one added is refused by the server (403 naming ``header.user``) and,
in an export crafted offline, named by the verifier (``user_not_valid``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.actor import Actor
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.bundle import entry_line
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.verify import ChainVerifier, FindingKind
from ceasefire.members.setup import setup_members
from tests.factories.ledger import ChainBuilder, next_entry, reference_verifier
from tests.factories.members import add_user_with_token

TAG = "party:statement:made"


@pytest.fixture
def aze_key(ctx: ServiceContext) -> SigningKey:
    """Azerbaijan holds its own key; the demo members and users are in the ledger."""
    setup_members(ctx, demo=True)
    for member, user in (("aze", "aze-liaison"), ("arm", "arm-liaison"), ("centre", "operator")):
        add_user_with_token(ctx, member, user, operator=member == "centre")
    key = SigningKey.generate("aze")
    ledger.add_member_key(ctx, member_id="aze", public_key=key.public_key_hex, actor=Actor.centre())
    return key


def _post(
    client: TestClient, ctx: ServiceContext, key: SigningKey, user: str | None
) -> dict[str, Any]:
    entry = next_entry(ctx, key, user=user, tag=TAG, subject="statement/1")
    answer = client.post(
        "/api/v1/ledger/entries",
        json={
            "header": entry.header_bytes.decode(),
            "payload": entry.payload_bytes.decode(),
            "signature": entry.signature,
        },
    )
    return {"status": answer.status_code, **answer.json()}


@pytest.mark.parametrize(
    ("user", "owner"),
    [("arm-liaison", "arm"), ("operator", "centre"), ("aze-nobody", None)],
    ids=["another member's user", "the centre's user", "an unknown user"],
)
def test_an_entry_naming_a_user_not_of_the_signing_member_is_refused(
    client: TestClient, ctx: ServiceContext, aze_key: SigningKey, user: str, owner: str | None
) -> None:
    head = ledger.head(ctx).seq
    answer = _post(client, ctx, aze_key, user)
    assert answer["status"] == 403, answer
    error = answer["error"]
    assert error["code"] == "E403"
    assert error["details"][0]["loc"] == "header.user"
    assert error["details"][0]["member"] == owner
    assert f"'{user}'" in error["message"]
    assert ledger.head(ctx).seq == head  # nothing written


def test_an_entry_naming_the_members_own_user_is_accepted_once(
    client: TestClient, ctx: ServiceContext, aze_key: SigningKey
) -> None:
    entry = next_entry(ctx, aze_key, user="aze-liaison", tag=TAG, subject="statement/1")
    body = {
        "header": entry.header_bytes.decode(),
        "payload": entry.payload_bytes.decode(),
        "signature": entry.signature,
    }
    created = client.post("/api/v1/ledger/entries", json=body)
    assert created.status_code == 201, created.json()
    assert (created.json()["member_id"], created.json()["user_id"]) == ("aze", "aze-liaison")
    retried = client.post("/api/v1/ledger/entries", json=body)
    assert retried.status_code == 201, retried.json()
    assert retried.json()["seq"] == created.json()["seq"]
    assert ledger.head(ctx).seq == created.json()["seq"]  # no duplicate
    # Without a user (the member as a whole) it is accepted too.
    assert _post(client, ctx, aze_key, None)["status"] == 201
    assert ledger.verify(ctx).ok


def _reference_verifies(chain: ChainBuilder) -> tuple[int, str]:
    """The reference verifier printed in docs/ledger.md, run on ``chain`` as a bundle."""
    lines = [json.dumps({"type": "bundle"})]
    lines += [json.dumps(entry_line(e)) for e in chain.stored()]
    result: tuple[int, str] = reference_verifier()["verify_bundle"](lines)
    return result


def test_the_offline_verifiers_name_a_user_of_another_member() -> None:
    """A dishonest member extending an export offline: the server never saw the entry, the
    verifiers judge it from the ``auth:user:added`` entries before it."""
    chain = ChainBuilder()
    centre = chain.centre
    aze = SigningKey.generate("aze")
    chain.add_key(aze, custody="member")
    for user, member in (("aze-liaison", "aze"), ("arm-liaison", "arm")):
        chain.append(
            "auth:user:added",
            f"user/{user}",
            {"has_password": True, "member_id": member, "operator": False, "user_id": user},
            signer=centre,
            user="operator",
        )
    chain.append(TAG, "statement/1", {"n": 1}, signer=aze, user="aze-liaison")
    assert _reference_verifies(chain)[0] == len(chain.entries)
    other = chain.append(TAG, "statement/2", {"n": 2}, signer=aze, user="arm-liaison")
    early = chain.append(TAG, "statement/3", {"n": 3}, signer=aze, user="later-user")
    chain.append(
        "auth:user:added",
        "user/later-user",
        {"has_password": True, "member_id": "aze", "operator": False, "user_id": "later-user"},
        signer=centre,
        user="operator",
    )
    # A member cannot add users: its own auth:user:added vouches for nothing.
    chain.append(
        "auth:user:added",
        "user/own-pick",
        {"has_password": False, "member_id": "aze", "operator": False, "user_id": "own-pick"},
        signer=aze,
    )
    with pytest.raises(AssertionError, match=f"seq {other.seq}: user arm-liaison is not a user"):
        _reference_verifies(chain)
    own_pick = chain.append(TAG, "statement/4", {"n": 4}, signer=aze, user="own-pick")
    # Once added by the server, the later user is aze's: an entry naming it verifies.
    chain.append(TAG, "statement/5", {"n": 5}, signer=aze, user="later-user")
    verifier = ChainVerifier()
    for entry in chain.stored():
        verifier.feed(entry)
    report = verifier.finish()
    named = [(f.seq, f.kind) for f in report.findings]
    assert named == [
        (other.seq, FindingKind.USER_NOT_VALID),
        (early.seq, FindingKind.USER_NOT_VALID),
        (own_pick.seq, FindingKind.USER_NOT_VALID),
    ], report.findings
