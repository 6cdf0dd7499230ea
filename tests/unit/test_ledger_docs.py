"""docs/ledger.md is precise enough to write a verifier: its reference verifier, run as
written, accepts real bundles and rejects damaged ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature

from ceasefire.ledger.bundle import bundle_header, entry_line, verify_bundle, write_bundle
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.merkle import InclusionProof, inclusion_path, merkle_root
from ceasefire.ledger.verify import StoredEntry
from tests.factories.ledger import ChainBuilder, reference_verifier


def _lines(entries: list[StoredEntry]) -> list[str]:
    head = bundle_header(
        exported_at="2026-11-28T00:00:00.000000Z",
        entries=len(entries),
        head_seq=entries[-1].seq,
        head_hash=entries[-1].entry_hash,
    )
    return [json.dumps(head)] + [json.dumps(entry_line(e), ensure_ascii=False) for e in entries]


def _chain() -> ChainBuilder:
    chain = ChainBuilder(step=timedelta(hours=5))
    arm, aze = SigningKey.generate("arm"), SigningKey.generate("aze")
    chain.add_key(arm)
    chain.add_key(aze)
    for n in range(12):
        chain.append(
            "intake:report:received", f"report/{n}", {"n": n, "t": "Ağdam"}, (arm, aze)[n % 2]
        )
    chain.revoke(arm)
    chain.append("intake:report:received", "report/last", {}, aze)
    return chain


def test_the_reference_verifier_accepts_a_bundle() -> None:
    chain = _chain()
    verify_bundle: Callable[[list[str]], tuple[int, str]] = reference_verifier()["verify_bundle"]
    assert verify_bundle(_lines(chain.stored())) == (
        len(chain.entries),
        chain.entries[-1].entry_hash,
    )
    assert len({t.date() for t in chain.instants}) > 2  # several sealed days were checked


@pytest.mark.parametrize("damage", ["payload", "signature", "delete", "swap", "revoked"])
def test_the_reference_verifier_rejects_damage(damage: str) -> None:
    chain = _chain()
    entries = chain.stored()
    if damage == "payload":
        entries[5] = replace(entries[5], payload=canonical_json({"n": 99}))
    elif damage == "signature":
        entries[5] = replace(entries[5], signature=SigningKey.generate("x").sign(entries[5].header))
    elif damage == "delete":
        del entries[5]
    elif damage == "swap":
        entries[5], entries[6] = entries[6], entries[5]
    else:
        entries.append(_signed_after_revocation(chain, next(iter(chain.revoked))))
    with pytest.raises((AssertionError, InvalidSignature)):
        reference_verifier()["verify_bundle"](_lines(entries))


def test_the_reference_verifier_and_ours_accept_a_members_copy_with_withheld_payloads(
    tmp_path: Path,
) -> None:
    """A member's copy (``ledger fetch``): report payloads withheld, keys and seals not."""
    chain = _chain()
    entries = [
        replace(e, payload=None) if b'"intake:report:' in e.header and e.seq % 3 else e
        for e in chain.stored()
    ]
    withheld = sum(e.payload is None for e in entries)
    assert withheld > 3
    lines = _lines(entries)
    assert reference_verifier()["verify_bundle"](lines) == (
        len(chain.entries),
        chain.entries[-1].entry_hash,
    )
    path = tmp_path / "copy.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        write_bundle(handle, json.loads(lines[0]), entries)
    report = verify_bundle(path)
    assert report.ok, [str(f) for f in report.findings]
    assert report.chain.payloads_withheld == withheld
    # A withheld key entry, or a changed header of a withheld entry, is refused by both.
    hidden = next(i for i, e in enumerate(entries) if e.payload is None)
    altered = entries[hidden].header.replace(b"report/", b"rep/")
    for bad in (
        [replace(entries[0], payload=None), *entries[1:]],
        [*entries[:hidden], replace(entries[hidden], header=altered), *entries[hidden + 1 :]],
    ):
        with pytest.raises(AssertionError):
            reference_verifier()["verify_bundle"](_lines(bad))
        with path.open("w", encoding="utf-8") as handle:
            write_bundle(handle, json.loads(lines[0]), bad)
        assert not verify_bundle(path).ok


def _signed_after_revocation(chain: ChainBuilder, key_id: str) -> StoredEntry:
    key = chain.keys_by_id[key_id]  # whoever kept the revoked key signs one more entry
    entry = chain.append("intake:report:received", "report/late", {}, key)
    chain.entries.pop()
    return StoredEntry(
        entry.seq, entry.header_bytes, entry.payload_bytes, entry.entry_hash, entry.signature
    )


def test_the_reference_inclusion_check_agrees_with_ours() -> None:
    check = reference_verifier()["verify_inclusion"]
    hashes = [e.entry_hash for e in _chain().entries]
    root = merkle_root(hashes)
    for index in range(len(hashes)):
        proof = InclusionProof(
            1, hashes[index], "d", index, len(hashes), tuple(inclusion_path(hashes, index)), root, 1
        )
        assert check(proof.entry_hash, index, len(hashes), list(proof.path), root)
        assert not check(proof.entry_hash, index, len(hashes), list(proof.path), "00" * 32)
