"""docs/ledger.md's reference verifier knows the whole-ledger tree and members' own keys:
its consistency check and tree-head bytes agree with ceasefire's, and it rejects what
``ledger verify`` rejects when a member holds its own keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire.ledger.bundle import bundle_header, entry_line
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.merkle import leaf_hash
from ceasefire.ledger.tree import consistency_path, mth, sign_tree_head
from ceasefire.ledger.verify import FindingKind, StoredEntry, verify_entries
from tests.factories.ledger import ChainBuilder, reference_verifier

REFERENCE = reference_verifier()


def _lines(entries: list[StoredEntry]) -> list[str]:
    head = bundle_header(
        exported_at="2026-12-06T00:00:00.000000Z",
        entries=len(entries),
        head_seq=entries[-1].seq,
        head_hash=entries[-1].entry_hash,
    )
    return [json.dumps(head)] + [json.dumps(entry_line(e)) for e in entries]


@given(st.integers(min_value=0, max_value=70), st.integers(min_value=0, max_value=70))
def test_the_reference_consistency_check_agrees(a: int, b: int) -> None:
    m, n = min(a, b), max(a, b)
    leaves = [leaf_hash(hashlib.sha256(bytes([i])).digest()) for i in range(n)]
    path = [p.hex() for p in consistency_path(m, n, lambda lo, hi: mth(leaves[lo:hi]))]
    check: Callable[..., bool] = REFERENCE["verify_consistency"]
    first, second = mth(leaves[:m]).hex(), mth(leaves).hex()
    assert check(m, n, first, second, path)
    if m and m < n:
        assert not check(m, n, mth(leaves[: m - 1]).hex() if m > 1 else "00" * 32, second, path)


def test_the_reference_tree_head_bytes_are_the_signed_ones() -> None:
    key = SigningKey.generate("centre")
    head = sign_tree_head(42, "ab" * 32, "2026-12-06T00:00:00.000000Z", key)
    sth_bytes: Callable[[dict[str, Any]], bytes] = REFERENCE["sth_bytes"]
    assert sth_bytes(head.as_dict()) == head.signed_bytes()


def _own_keys_chain() -> tuple[ChainBuilder, SigningKey, SigningKey]:
    chain = ChainBuilder()
    server_arm, own_arm = SigningKey.generate("arm"), SigningKey.generate("arm")
    chain.add_key(server_arm)
    chain.append("intake:report:received", "report/1", {"n": 1}, server_arm)
    chain.add_key(own_arm, custody="member")
    chain.append("intake:report:received", "report/2", {"n": 2}, own_arm)
    return chain, server_arm, own_arm


def test_a_member_holding_its_own_keys_verifies() -> None:
    chain, _, _ = _own_keys_chain()
    assert verify_entries(chain.stored()).findings == []
    assert REFERENCE["verify_bundle"](_lines(chain.stored()))[0] == len(chain.entries)


def test_its_old_server_key_signs_nothing() -> None:
    chain, server_arm, _ = _own_keys_chain()
    forged = chain.append("intake:report:received", "report/3", {"n": 3}, server_arm)
    report = verify_entries(chain.stored())
    assert [(f.seq, f.kind) for f in report.findings] == [(forged.seq, FindingKind.KEY_NOT_VALID)]
    with pytest.raises(AssertionError, match="a server key of arm"):
        REFERENCE["verify_bundle"](_lines(chain.stored()))


@pytest.mark.parametrize("custody", ["server", "member"])
def test_the_centre_cannot_vouch_for_another_key_of_it(custody: str) -> None:
    chain, _, _ = _own_keys_chain()
    planted = SigningKey.generate("arm")
    added = chain.add_key(planted, custody=custody)  # signed by the centre
    forged = chain.append("intake:report:received", "report/3", {"n": 3}, planted)
    report = verify_entries(chain.stored())
    found = {(f.seq, f.kind) for f in report.findings}
    assert (added.seq, FindingKind.KEY_ENTRY_INVALID) in found
    assert (forged.seq, FindingKind.KEY_NOT_VALID) in found
    with pytest.raises(AssertionError, match="vouched"):
        REFERENCE["verify_bundle"](_lines(chain.stored()))


def test_the_member_adds_its_next_key_itself() -> None:
    chain, _, own_arm = _own_keys_chain()
    backup = SigningKey.generate("arm")
    chain.add_key(backup, signer=own_arm, custody="member")
    chain.append("intake:report:received", "report/3", {"n": 3}, backup)
    assert verify_entries(chain.stored()).findings == []
    assert REFERENCE["verify_bundle"](_lines(chain.stored()))[0] == len(chain.entries)
