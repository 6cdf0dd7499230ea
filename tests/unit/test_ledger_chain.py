"""The chain verifier on chains built without a database: every kind of damage is named
at the right sequence number, and an intact chain passes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import EntryHeader, sha256_hex
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.verify import FindingKind, StoredEntry, verify_entries
from tests.factories.ledger import ChainBuilder, stored_entry

TAG = "intake:report:received"


@st.composite
def chains(draw: st.DrawFn) -> ChainBuilder:
    """A chain with 1-3 members, 3-25 entries, sometimes across UTC days."""
    chain = ChainBuilder(step=timedelta(minutes=draw(st.sampled_from([1, 45, 300]))))
    members = [SigningKey.generate(f"m{i}") for i in range(draw(st.integers(1, 3)))]
    for key in members:
        chain.add_key(key)
    for n in range(draw(st.integers(3, 25))):
        key = draw(st.sampled_from(members))
        subject = draw(st.sampled_from(["report/1", 'quote"and\\slash', "Ünïcode ☮", "tab\there"]))
        chain.append(TAG, subject, {"n": n, "note": draw(st.text(max_size=12))}, key, user="u")
    return chain


def _first_bad(entries: list[StoredEntry]) -> tuple[int | None, FindingKind | None]:
    report = verify_entries(entries)
    first = report.first_bad
    return (first.seq, first.kind) if first else (None, None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_an_intact_chain_verifies(chain: ChainBuilder) -> None:
    report = verify_entries(chain.stored())
    assert report.ok, report.findings
    assert report.entries == len(chain.entries)
    assert report.head_hash == chain.entries[-1].entry_hash
    assert report.signatures_checked == len(chain.entries) - 1  # genesis is checked apart
    days = {t.date() for t in chain.instants}
    assert len(report.roots) == len(days) - 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.data())
def test_a_changed_payload_is_named(chain: ChainBuilder, data: st.DataObject) -> None:
    entries = chain.stored()
    i = data.draw(st.integers(1, len(entries) - 1))
    payload = json.loads(entries[i].payload or b"")
    payload["tampered"] = True
    entries[i] = replace(entries[i], payload=canonical_json(payload))
    assert _first_bad(entries) == (i + 1, FindingKind.PAYLOAD_CHANGED)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.data())
def test_a_deleted_entry_is_named(chain: ChainBuilder, data: st.DataObject) -> None:
    entries = chain.stored()
    i = data.draw(st.integers(0, len(entries) - 2))  # the last one: see test_truncation
    del entries[i]
    assert _first_bad(entries) == (i + 1, FindingKind.ENTRY_MISSING)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.data())
def test_swapped_entries_are_named(chain: ChainBuilder, data: st.DataObject) -> None:
    entries = chain.stored()
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    entries[i], entries[j] = entries[j], entries[i]
    assert _first_bad(entries) == (i + 1, FindingKind.ORDER_CHANGED)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.data())
def test_a_signature_by_another_key_is_named(chain: ChainBuilder, data: st.DataObject) -> None:
    entries = chain.stored()
    i = data.draw(st.integers(1, len(entries) - 1))
    forger = SigningKey.generate("m0")
    entries[i] = replace(entries[i], signature=forger.sign(entries[i].header))
    assert _first_bad(entries) == (i + 1, FindingKind.SIGNATURE_INVALID)


def test_rehashed_payload_without_the_key_breaks_the_signature() -> None:
    chain = ChainBuilder()
    key = SigningKey.generate("arm")
    chain.add_key(key)
    chain.append(TAG, "report/1", {"status": "received"}, key)
    chain.append(TAG, "report/2", {"status": "received"}, key)
    entries = chain.stored()
    # The forger rewrites the payload *and* its hash in the header, but cannot re-sign.
    target = entries[2]
    payload = canonical_json({"status": "withdrawn"})
    header = json.loads(target.header)
    header["payload_sha256"] = sha256_hex(payload)
    header_bytes = canonical_json(header)
    entries[2] = StoredEntry(3, header_bytes, payload, sha256_hex(header_bytes), target.signature)
    report = verify_entries(entries)
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (3, FindingKind.SIGNATURE_INVALID)
    # ... and the next entry no longer links to it.
    assert (4, FindingKind.CHAIN_BROKEN) in {(f.seq, f.kind) for f in report.findings}


def test_a_key_used_after_its_revocation_is_named() -> None:
    chain = ChainBuilder()
    key = SigningKey.generate("arm")
    chain.add_key(key)
    chain.append(TAG, "report/1", {}, key)
    chain.revoke(key)
    late = chain.append(TAG, "report/2", {}, key)
    report = verify_entries(chain.stored())
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (late.seq, FindingKind.KEY_NOT_VALID)
    assert "revoked" in report.first_bad.message


def test_a_key_may_only_sign_for_its_own_member() -> None:
    chain = ChainBuilder()
    arm, aze = SigningKey.generate("arm"), SigningKey.generate("aze")
    chain.add_key(arm)
    chain.add_key(aze)
    impostor = SigningKey.from_private("aze", arm.private_key)  # arm's key, claiming aze
    entry = chain.append(TAG, "report/1", {}, impostor)
    report = verify_entries(chain.stored())
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (entry.seq, FindingKind.KEY_NOT_VALID)


def test_a_member_cannot_vouch_for_another_members_key() -> None:
    chain = ChainBuilder()
    arm, rogue = SigningKey.generate("arm"), SigningKey.generate("aze")
    chain.add_key(arm)
    entry = chain.add_key(rogue, signer=arm)
    report = verify_entries(chain.stored())
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (
        entry.seq,
        FindingKind.KEY_ENTRY_INVALID,
    )


def test_a_wrong_daily_root_is_named() -> None:
    chain = ChainBuilder()
    chain.append(TAG, "report/1", {}, chain.centre)
    chain.entries.pop()  # rebuild the next day's seal by hand, with a wrong root
    chain.instants.pop()
    chain.clock -= chain.step
    seal_ts = chain.clock + timedelta(days=1)
    chain.append(
        "ledger:root:sealed",
        chain.instants[-1].date().isoformat(),
        {
            "day": chain.instants[-1].date().isoformat(),
            "first_seq": 1,
            "last_seq": 1,
            "count": 1,
            "root": "00" * 32,
            "tree": "rfc9162-sha256",
        },
        chain.centre,
        ts=seal_ts,
        seal=False,
    )
    report = verify_entries(chain.stored())
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (2, FindingKind.ROOT_INVALID)


def test_a_new_day_without_its_seal_is_named() -> None:
    chain = ChainBuilder()
    chain.append(TAG, "report/1", {}, chain.centre)
    entry = chain.append(
        TAG, "report/2", {}, chain.centre, ts=chain.clock + timedelta(days=1), seal=False
    )
    report = verify_entries(chain.stored())
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (entry.seq, FindingKind.ROOT_INVALID)


def test_a_header_not_in_canonical_form_is_named() -> None:
    chain = ChainBuilder()
    key = chain.centre
    entry = chain.append(TAG, "report/1", {}, key)
    spaced = json.dumps(json.loads(entry.header_bytes), indent=1).encode()
    forged = StoredEntry(
        entry.seq, spaced, entry.payload_bytes, sha256_hex(spaced), key.sign(spaced)
    )
    report = verify_entries([*chain.stored()[:-1], forged])
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (entry.seq, FindingKind.MALFORMED)


def test_a_timestamp_going_back_is_named() -> None:
    chain = ChainBuilder()
    chain.append(TAG, "report/1", {}, chain.centre)
    entry = chain.append(TAG, "report/2", {}, chain.centre, ts=chain.clock - timedelta(minutes=1))
    report = verify_entries(chain.stored())
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (entry.seq, FindingKind.ORDER_CHANGED)


def test_hash_only_mode_skips_signatures_but_not_hashes() -> None:
    chain = ChainBuilder()
    chain.append(TAG, "report/1", {"a": 1}, chain.centre)
    entries = chain.stored()
    entries[1] = replace(entries[1], signature="00" * 64)
    assert verify_entries(entries, check_signatures=False).ok
    entries[1] = replace(entries[1], payload=b'{"a":2}')
    report = verify_entries(entries, check_signatures=False)
    assert [(f.seq, f.kind) for f in report.findings] == [(2, FindingKind.PAYLOAD_CHANGED)]


def test_columns_stored_beside_the_header_must_agree() -> None:
    chain = ChainBuilder()
    entry = chain.append(TAG, "report/1", {}, chain.centre, user="alice")
    h = entry.header
    columns = (h.ts, h.tag, h.subject, h.member, h.user, h.key, h.payload_sha256, h.prev)
    good = replace(stored_entry(entry), columns=columns)
    assert verify_entries([*chain.stored()[:-1], good]).ok
    bad = replace(good, columns=(h.ts, h.tag, "report/999", *columns[3:]))
    report = verify_entries([*chain.stored()[:-1], bad])
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (2, FindingKind.ENTRY_CHANGED)
    assert "subject" in report.first_bad.message


@pytest.mark.parametrize("subject", ['a "quoted" subject', "back\\slash", "new\nline", "é☮"])
def test_escaped_headers_take_the_careful_path_and_still_verify(subject: str) -> None:
    chain = ChainBuilder()
    entry = chain.append(TAG, subject, {"s": subject}, chain.centre, user=subject)
    assert EntryHeader.from_bytes(entry.header_bytes).subject == subject
    assert verify_entries(chain.stored()).ok


def test_signatures_checked_in_other_processes_give_the_same_findings() -> None:
    chain = ChainBuilder()
    key = SigningKey.generate("arm")
    chain.add_key(key)
    for n in range(30):
        chain.append(TAG, f"report/{n}", {"n": n}, key)
    entries = chain.stored()
    forger = SigningKey.generate("arm")
    for i in (7, 19):
        entries[i] = replace(entries[i], signature=forger.sign(entries[i].header))
    alone = verify_entries(entries)
    parallel = verify_entries(entries, workers=2)
    assert [(f.seq, f.kind) for f in parallel.findings] == [
        (8, FindingKind.SIGNATURE_INVALID),
        (20, FindingKind.SIGNATURE_INVALID),
    ]
    assert parallel.findings == alone.findings
    assert parallel.signatures_checked == alone.signatures_checked
