"""Merkle trees per day (RFC 9162): roots, audit paths, and that tampering is caught."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from ceasefire.ledger.merkle import (
    EMPTY_ROOT,
    InclusionProof,
    inclusion_path,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_inclusion,
)

hashes = st.lists(
    st.binary(min_size=1, max_size=8).map(lambda b: hashlib.sha256(b).hexdigest()),
    min_size=1,
    max_size=70,
)


def _rfc_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH, written from the definition: split at the largest power of two < n."""
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_rfc_root(leaves[:k]), _rfc_root(leaves[k:]))


def test_known_roots() -> None:
    a, b, c = (hashlib.sha256(x).hexdigest() for x in (b"a", b"b", b"c"))
    la, lb, lc = (leaf_hash(bytes.fromhex(h)) for h in (a, b, c))
    assert merkle_root([]) == EMPTY_ROOT
    assert merkle_root([a]) == la.hex()
    assert merkle_root([a, b]) == node_hash(la, lb).hex()
    assert merkle_root([a, b, c]) == node_hash(node_hash(la, lb), lc).hex()


@given(hashes)
def test_root_is_the_rfc_9162_tree_hash(entry_hashes: list[str]) -> None:
    assert merkle_root(entry_hashes) == _rfc_root([bytes.fromhex(h) for h in entry_hashes]).hex()


@given(hashes, st.data())
def test_every_leaf_has_a_proof_that_verifies(entry_hashes: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(entry_hashes) - 1))
    root = merkle_root(entry_hashes)
    path = inclusion_path(entry_hashes, index)
    assert verify_inclusion(entry_hashes[index], index, len(entry_hashes), path, root)


@given(hashes, st.data())
def test_a_proof_fails_for_another_entry_index_or_root(
    entry_hashes: list[str], data: st.DataObject
) -> None:
    n = len(entry_hashes)
    index = data.draw(st.integers(0, n - 1))
    root = merkle_root(entry_hashes)
    path = inclusion_path(entry_hashes, index)
    other = hashlib.sha256(b"not in the tree" + entry_hashes[index].encode()).hexdigest()
    assert not verify_inclusion(other, index, n, path, root)
    assert not verify_inclusion(entry_hashes[index], index, n, path, EMPTY_ROOT)
    if n > 1:
        moved = data.draw(st.integers(0, n - 1).filter(lambda i: i != index))
        if entry_hashes[moved] != entry_hashes[index]:
            assert not verify_inclusion(entry_hashes[index], moved, n, path, root)
    if path:
        flipped = [*path]
        flipped[0] = ("0" if flipped[0][0] != "0" else "1") + flipped[0][1:]
        assert not verify_inclusion(entry_hashes[index], index, n, flipped, root)


def test_proof_round_trips_through_its_dict() -> None:
    entry_hashes = [hashlib.sha256(bytes([i])).hexdigest() for i in range(11)]
    proof = InclusionProof(
        seq=17,
        entry_hash=entry_hashes[6],
        day="2026-11-28",
        leaf_index=6,
        tree_size=11,
        path=tuple(inclusion_path(entry_hashes, 6)),
        root=merkle_root(entry_hashes),
        root_seq=30,
    )
    again = InclusionProof.from_dict(proof.as_dict())
    assert again == proof
    assert again.verify()
    assert proof.as_dict()["provisional"] is False


def test_out_of_range_index_never_verifies() -> None:
    entry_hashes = [hashlib.sha256(b"x").hexdigest()]
    root = merkle_root(entry_hashes)
    assert not verify_inclusion(entry_hashes[0], 1, 1, [], root)
    assert not verify_inclusion(entry_hashes[0], -1, 1, [], root)
    assert verify_inclusion(entry_hashes[0], 0, 1, [], root)
