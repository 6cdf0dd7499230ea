"""The whole-ledger tree (RFC 9162): roots, inclusion and consistency proofs, tree heads."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.merkle import leaf_hash, merkle_root, node_hash
from ceasefire.ledger.tree import (
    EMPTY_TREE_ROOT,
    Frontier,
    SignedTreeHead,
    SubtreeHash,
    aligned_pieces,
    consistency_path,
    inclusion_path,
    mth,
    root_from_pieces,
    sign_tree_head,
    verify_consistency,
    verify_inclusion,
)


def _entry_hashes(n: int, salt: str = "") -> list[str]:
    return [hashlib.sha256(f"{salt}entry {i}".encode()).hexdigest() for i in range(n)]


def _leaves(hashes: list[str]) -> list[bytes]:
    return [leaf_hash(bytes.fromhex(h)) for h in hashes]


def _subtree(leaves: list[bytes]) -> SubtreeHash:
    def subtree(lo: int, hi: int) -> bytes:
        assert 0 <= lo < hi <= len(leaves)
        return mth(leaves[lo:hi])

    return subtree


def _hex(path: list[bytes]) -> list[str]:
    return [p.hex() for p in path]


def test_rfc9162_hashing_with_domain_separation() -> None:
    """MTH as RFC 9162 2.1.1 writes it: 0x00 before leaves, 0x01 before nodes, split at the
    largest power of two below n (three leaves: node(node(a, b), c))."""
    a, b, c = (bytes([i]) * 32 for i in range(3))
    la, lb, lc = (hashlib.sha256(b"\x00" + x).digest() for x in (a, b, c))
    expected = hashlib.sha256(b"\x01" + hashlib.sha256(b"\x01" + la + lb).digest() + lc).digest()
    assert mth([la, lb, lc]) == expected
    assert merkle_root([a.hex(), b.hex(), c.hex()]) == expected.hex()
    assert mth([]).hex() == EMPTY_TREE_ROOT == hashlib.sha256(b"").hexdigest()


@given(st.integers(min_value=1, max_value=300))
def test_frontier_root_equals_mth_at_every_size(n: int) -> None:
    hashes = _entry_hashes(n)
    frontier = Frontier()
    for h in hashes:
        frontier.add_entry_hash(h)
    assert frontier.root() == mth(_leaves(hashes)).hex() == merkle_root(hashes)
    # A frontier rebuilt from its own nodes continues the same tree.
    again = Frontier(frontier.nodes, size=frontier.size)
    extra = _entry_hashes(5, "more")
    for h in extra:
        again.add_entry_hash(h)
    assert again.root() == merkle_root(hashes + extra)


@given(st.integers(min_value=1, max_value=200), st.data())
def test_completed_subtrees_are_the_aligned_nodes(n: int, data: st.DataObject) -> None:
    leaves = _leaves(_entry_hashes(n))
    seen: dict[tuple[int, int], bytes] = {}
    frontier = Frontier(completed=lambda lvl, idx, h: seen.__setitem__((lvl, idx), h))
    for leaf in leaves:
        frontier.add_leaf(leaf)
    for (level, index), h in seen.items():
        assert h == mth(leaves[index << level : (index + 1) << level])
    lo = data.draw(st.integers(min_value=0, max_value=n - 1))
    # Ranges of the shape RFC proofs use: aligned to a power of two at least their length.
    size = 1 << (lo & -lo).bit_length() - 1 if lo else 1 << n.bit_length()
    hi = min(n, lo + size)
    pieces = aligned_pieces(lo, hi)
    assert root_from_pieces([seen[p] for p in pieces]) == mth(leaves[lo:hi])


@given(st.integers(min_value=1, max_value=130), st.data())
def test_inclusion_proofs_verify_and_match_the_daily_tree_paths(
    n: int, data: st.DataObject
) -> None:
    from ceasefire.ledger.merkle import inclusion_path as daily_path

    hashes = _entry_hashes(n)
    leaves = _leaves(hashes)
    root = mth(leaves).hex()
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    path = _hex(inclusion_path(index, n, _subtree(leaves)))
    assert path == daily_path(hashes, index)
    assert verify_inclusion(hashes[index], index, n, path, root)
    # Any other leaf, index or root is refused.
    assert not verify_inclusion(_entry_hashes(1, "x")[0], index, n, path, root)
    if n > 1:
        assert not verify_inclusion(hashes[index], (index + 1) % n, n, path, root)
    assert not verify_inclusion(hashes[index], index, n, path, "00" * 32)


@given(st.integers(min_value=0, max_value=140), st.integers(min_value=0, max_value=140))
def test_every_pair_of_sizes_is_consistent(a: int, b: int) -> None:
    m, n = min(a, b), max(a, b)
    hashes = _entry_hashes(n)
    leaves = _leaves(hashes)
    first_root = mth(leaves[:m]).hex()
    second_root = mth(leaves).hex()
    path = _hex(consistency_path(m, n, _subtree(leaves)))
    assert verify_consistency(m, n, first_root, second_root, path)
    assert len(path) <= 2 * max(1, n.bit_length())


@given(
    st.integers(min_value=1, max_value=100),
    st.integers(min_value=1, max_value=40),
    st.data(),
)
def test_tampered_consistency_proofs_are_rejected(m: int, extra: int, data: st.DataObject) -> None:
    n = m + extra
    hashes = _entry_hashes(n)
    leaves = _leaves(hashes)
    first_root = mth(leaves[:m]).hex()
    second_root = mth(leaves).hex()
    path = _hex(consistency_path(m, n, _subtree(leaves)))
    assert verify_consistency(m, n, first_root, second_root, path)
    # A rewritten history: one of the first m entries changed, and the head recomputed.
    changed = list(hashes)
    at = data.draw(st.integers(min_value=0, max_value=m - 1))
    changed[at] = _entry_hashes(1, "forged")[0]
    forged_leaves = _leaves(changed)
    forged_root = mth(forged_leaves).hex()
    forged_path = _hex(consistency_path(m, n, _subtree(forged_leaves)))
    assert not verify_consistency(m, n, first_root, forged_root, forged_path)
    # Flipping a bit of any proof node, dropping one, adding one, or swapping the roots.
    # (The sizes themselves are bound by the heads' signatures, not by the proof.)
    if path:
        i = data.draw(st.integers(min_value=0, max_value=len(path) - 1))
        flipped = list(path)
        flipped[i] = f"{int(flipped[i][0], 16) ^ 1:x}{flipped[i][1:]}"
        assert not verify_consistency(m, n, first_root, second_root, flipped)
        assert not verify_consistency(m, n, first_root, second_root, path[:-1])
    assert not verify_consistency(m, n, first_root, second_root, [*path, "00" * 32])
    assert not verify_consistency(m, n, second_root, first_root, path)


def test_consistency_edge_cases() -> None:
    leaves = _leaves(_entry_hashes(8))
    root = mth(leaves).hex()
    assert verify_consistency(8, 8, root, root, [])
    assert not verify_consistency(8, 8, root, "00" * 32, [])
    assert verify_consistency(0, 8, EMPTY_TREE_ROOT, root, [])
    assert not verify_consistency(9, 8, root, root, [])
    assert not verify_consistency(2, 8, "zz", root, [])
    # Truncation: the smaller tree is not consistent with a larger one it does not prefix.
    short = mth(leaves[:4]).hex()
    path = _hex(consistency_path(4, 8, _subtree(leaves)))
    assert verify_consistency(4, 8, short, root, path)
    assert not verify_consistency(4, 8, mth(leaves[:3]).hex(), root, path)


def test_known_vector_from_the_rfc_shape() -> None:
    """RFC 9162 section 2.1.5's example tree of seven leaves a..f, j: the proofs from sizes
    3, 4 and 6 are [c, d, g, l], [l] and [i, j, k]."""
    leaves = _leaves(_entry_hashes(7))
    sub = _subtree(leaves)
    c, d, j = leaves[2], leaves[3], leaves[6]
    g = node_hash(leaves[0], leaves[1])
    i_node = node_hash(leaves[4], leaves[5])
    k_node, l_node = mth(leaves[:4]), node_hash(i_node, j)
    assert consistency_path(3, 7, sub) == [c, d, g, l_node]
    assert consistency_path(4, 7, sub) == [l_node]
    assert consistency_path(6, 7, sub) == [i_node, j, k_node]


def test_signed_tree_head_round_trip_and_tampering() -> None:
    key = SigningKey.generate("centre")
    head = sign_tree_head(5, "ab" * 32, "2026-12-01T00:00:00.000000Z", key)
    assert head.verify(key.public_key_hex)
    again = SignedTreeHead.from_dict(head.as_dict())
    assert again == head
    assert again.verify(key.public_key_hex)
    for field, value in [("tree_size", 6), ("root_hash", "cd" * 32), ("timestamp", "2027")]:
        forged = SignedTreeHead.from_dict({**head.as_dict(), field: value})
        assert not forged.verify(key.public_key_hex), field
    assert not head.verify(SigningKey.generate("centre").public_key_hex)
