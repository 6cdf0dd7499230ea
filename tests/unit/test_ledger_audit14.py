"""The fourteenth audit (ledger): the offline verifier fed exports a dishonest member, a
dishonest operator or the holder of a tampered export would craft (docs/security.md,
"The fourteenth audit (ledger)"). Each test failed before its fix."""

from __future__ import annotations

import io
import json
import sqlite3
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, Unavailable
from ceasefire.ledger import backup
from ceasefire.ledger import service as ledger
from ceasefire.ledger.bundle import (
    bundle_header,
    entry_line,
    verify_bundle,
    write_bundle,
)
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import (
    KEY_ADDED,
    KEY_REVOKED,
    ROOT_SEALED,
    SignedEntry,
    build_entry,
    sha256_hex,
)
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.merkle import TREE_ALGORITHM, merkle_root
from ceasefire.ledger.tree import sign_tree_head
from ceasefire.ledger.verify import FindingKind, StoredEntry, verify_entries
from ceasefire.ledger.witness import HEADS_FILE, PIN_FILE, HttpSource, witnessed_head
from tests.factories.cli import InProcessCli
from tests.factories.ledger import (
    ChainBuilder,
    append_test_entries,
    reference_verifier,
    stored_entry,
)

TAG = "party:statement:made"


def _kinds(entries: list[StoredEntry]) -> set[tuple[int | None, FindingKind]]:
    return {(f.seq, f.kind) for f in verify_entries(entries).findings}


def _raw_entry(
    chain: ChainBuilder,
    tag: str,
    subject: str,
    payload: bytes,
    signer: SigningKey,
    *,
    seq: int | None = None,
    ts_text: str | None = None,
) -> SignedEntry:
    """An entry with ``payload`` bytes as given (not canonicalised), signed by ``signer``,
    appended to ``chain``; ``ts_text`` replaces the header's time as written."""
    entry = build_entry(
        seq=seq or len(chain.entries) + 1,
        ts=chain.clock + chain.step,
        tag=tag,
        subject=subject,
        actor_member=signer.member_id,
        actor_user=None,
        payload_bytes=payload,
        prev=chain.entries[-1].entry_hash,
        signer=signer,
    )
    if ts_text is not None:
        header = json.loads(entry.header_bytes)
        header["ts"] = ts_text
        header_bytes = canonical_json(header, field="header")
        entry = SignedEntry(
            entry.header, header_bytes, payload, sha256_hex(header_bytes), signer.sign(header_bytes)
        )
    chain.clock += chain.step
    chain.entries.append(entry)
    chain.instants.append(chain.clock)
    return entry


def _written(tmp_path: Path, name: str, entries: list[StoredEntry]) -> Path:
    """A bundle as ``ceasefire ledger export`` writes it (its unsigned header agreeing)."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as handle:
        header = bundle_header(
            exported_at="2026-12-07T00:00:00.000000Z",
            entries=len(entries),
            head_seq=entries[-1].seq,
            head_hash=entries[-1].entry_hash,
        )
        write_bundle(handle, header, entries)
    return path


def _reference_refuses(chain: ChainBuilder) -> str:
    """What the reference verifier printed in docs/ledger.md says when it refuses ``chain``."""
    lines = [json.dumps({"type": "bundle"})]
    lines += [json.dumps(entry_line(e)) for e in chain.stored()]
    with pytest.raises((AssertionError, ValueError)) as refused:
        reference_verifier()["verify_bundle"](lines)
    return str(refused.value)


# -- key substitution -------------------------------------------------------------------------


def test_a_member_cannot_revoke_another_members_key_by_naming_itself() -> None:
    chain = ChainBuilder()
    aze, tur = SigningKey.generate("aze"), SigningKey.generate("tur")
    chain.add_key(aze)
    chain.add_key(tur)
    # aze's own key revokes tur's key (and the centre's), the payload naming aze as member:
    # the verifier took "the signer's member is the payload's member" as enough.
    for victim in (tur, chain.centre):
        chain.append(
            KEY_REVOKED,
            victim.key_id,
            {"key_id": victim.key_id, "member_id": "aze", "reason": "x"},
            aze,
        )
    chain.append(TAG, "statement/1", {"n": 1}, tur)
    report = verify_entries(chain.stored())
    assert {(f.seq, f.kind) for f in report.findings} == {
        (4, FindingKind.KEY_ENTRY_INVALID),
        (5, FindingKind.KEY_ENTRY_INVALID),
    }
    assert "tur" in report.findings[0].message
    # The victims' keys stay valid: tur's next entry is not blamed.
    assert report.keys[tur.key_id].active
    assert report.keys[chain.centre.key_id].active
    assert "seq 4" in _reference_refuses(chain)


def test_a_day_sealed_by_a_member_rather_than_the_centre_is_refused() -> None:
    # A member holding its own key extends an export past its head, into a new day, and
    # seals the day itself (the root right): the verifier checked the root, not who sealed.
    chain = ChainBuilder()
    aze = SigningKey.generate("aze")
    chain.add_key(aze, custody="member")
    chain.append(TAG, "statement/1", {"n": 1}, aze)
    day = chain.instants[-1].date().isoformat()
    of_day = [e.entry_hash for e in chain.entries]
    seal = {
        "day": day,
        "first_seq": 1,
        "last_seq": len(of_day),
        "count": len(of_day),
        "root": merkle_root(of_day),
        "tree": TREE_ALGORITHM,
    }
    chain.append(ROOT_SEALED, day, seal, aze, ts=chain.clock + timedelta(days=1), seal=False)
    seal_seq = len(chain.entries)
    assert (seal_seq, FindingKind.ROOT_INVALID) in _kinds(chain.stored())
    assert f"seq {seal_seq}" in _reference_refuses(chain)


# -- canonicalisation and parser differentials ---------------------------------------------


def _seal_payload(chain: ChainBuilder) -> dict[str, Any]:
    hashes = [e.entry_hash for e in chain.entries]
    return {
        "count": len(hashes),
        "day": chain.instants[-1].date().isoformat(),
        "first_seq": 1,
        "last_seq": len(hashes),
        "root": merkle_root(hashes),
        "tree": TREE_ALGORITHM,
    }


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"first_seq": True}, id="true-for-1"),
        pytest.param({"first_seq": 1.0}, id="1.0-for-1"),
        pytest.param({"count": "2"}, id="string-count"),
        pytest.param({"first_seq": "x"}, id="string-seq"),
        pytest.param({"count": [2]}, id="list-count"),
    ],
)
def test_a_seal_whose_numbers_are_other_json_types_is_refused(change: dict[str, Any]) -> None:
    # Python compares True == 1 == 1.0: a seal a strict verifier rejects passed ours.
    chain = ChainBuilder()
    chain.append(TAG, "statement/1", {"n": 1}, chain.centre)
    payload = {**_seal_payload(chain), **change}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    chain.clock += timedelta(days=1)
    entry = _raw_entry(chain, ROOT_SEALED, payload["day"], text, chain.centre)
    assert (entry.seq, FindingKind.ROOT_INVALID) in _kinds(chain.stored())
    assert str(entry.seq) in _reference_refuses(chain)


def test_a_key_entry_with_a_duplicate_member_name_is_refused() -> None:
    # {"key_id": A, ..., "key_id": B}: Python reads B, a verifier keeping the first reads A.
    chain = ChainBuilder()
    real, decoy = SigningKey.generate("aze"), SigningKey.generate("aze")
    body = (
        f'{{"algorithm":"ed25519","custody":"server","key_id":"{decoy.key_id}","key_id":"{real.key_id}",'
        f'"member_id":"aze","public_key":"{decoy.public_key_hex}","public_key":"{real.public_key_hex}"}}'
    ).encode()
    _raw_entry(chain, KEY_ADDED, real.key_id, body, chain.centre)
    chain.append(TAG, "statement/1", {"n": 1}, real)
    found = _kinds(chain.stored())
    assert (2, FindingKind.KEY_ENTRY_INVALID) in found
    assert (3, FindingKind.KEY_NOT_VALID) in found  # the key was not added
    assert "seq 2" in _reference_refuses(chain)


def test_a_key_entry_payload_with_nan_is_refused() -> None:
    chain = ChainBuilder()
    key = SigningKey.generate("aze")
    body = (
        f'{{"algorithm":"ed25519","custody":"server","key_id":"{key.key_id}","member_id":"aze",'
        f'"public_key":"{key.public_key_hex}","weight":NaN}}'
    ).encode()
    _raw_entry(chain, KEY_ADDED, key.key_id, body, chain.centre)
    assert (2, FindingKind.KEY_ENTRY_INVALID) in _kinds(chain.stored())
    assert "not JSON compliant" in _reference_refuses(chain)


@pytest.mark.parametrize(
    "ts",
    ["2026-11-27T25:61:61.000000Z", "2026-11-27Tnoon", "2026-11-27 22:00:14.000000Z"],
)
def test_a_header_time_that_is_no_time_is_named(ts: str) -> None:
    # Signed by a valid key, but "2026-11-27Tnoon" sorts after every real time of the day:
    # every later entry of that day would be "time went back".
    chain = ChainBuilder()
    entry = _raw_entry(chain, TAG, "statement/1", b'{"n":1}', chain.centre, ts_text=ts)
    assert (entry.seq, FindingKind.MALFORMED) in _kinds(chain.stored())


# -- bounded, linear verification -------------------------------------------------------------


def test_a_sequence_number_far_ahead_is_named_at_once() -> None:
    # One entry claiming seq 10**15 made the verifier count through every number between.
    chain = ChainBuilder()
    chain.append(TAG, "statement/1", {"n": 1}, chain.centre)
    entries = chain.stored()
    far = replace_seq(entries[-1], 10**15)
    started = time.monotonic()
    report = verify_entries([*entries[:-1], far])
    assert time.monotonic() - started < 2
    assert (2, FindingKind.ENTRY_MISSING) in {(f.seq, f.kind) for f in report.findings}


def test_many_gaps_far_ahead_are_resolved_in_linear_time() -> None:
    # Entries alternating between seq 2 and seq 100,000: each jump forward was a gap
    # counted through 100,000 numbers again (1,000 gaps: 10**8 steps).
    chain = ChainBuilder()
    chain.append(TAG, "statement/1", {"n": 1}, chain.centre)
    near = chain.stored()[-1]
    far = replace_seq(near, 100_000)
    entries = [chain.stored()[0], *[near, far] * 1000]
    started = time.monotonic()
    report = verify_entries(entries, check_signatures=False)
    assert time.monotonic() - started < 5
    assert report.first_bad is not None
    assert (report.first_bad.seq, report.first_bad.kind) == (2, FindingKind.ORDER_CHANGED)


def replace_seq(entry: StoredEntry, seq: int) -> StoredEntry:
    header = json.loads(entry.header)
    header["seq"] = seq
    raw = canonical_json(header, field="header")
    return StoredEntry(seq, raw, entry.payload, sha256_hex(raw), entry.signature)


def _deep(depth: int) -> bytes:
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


def test_a_deeply_nested_header_is_malformed_not_a_crash(tmp_path: Path) -> None:
    chain = ChainBuilder()
    header = _deep(100_000)
    bad = StoredEntry(2, header, b"{}", sha256_hex(header), "00" * 64)
    assert (2, FindingKind.MALFORMED) in _kinds([*chain.stored(), bad])
    report = verify_bundle(_written(tmp_path, "bundle.jsonl", [*chain.stored(), bad]))
    assert (2, FindingKind.MALFORMED) in {(f.seq, f.kind) for f in report.findings}


def test_a_deeply_nested_key_payload_is_refused_not_a_crash() -> None:
    chain = ChainBuilder()
    entry = _raw_entry(chain, KEY_ADDED, "k", _deep(100_000), chain.centre)
    assert (entry.seq, FindingKind.KEY_ENTRY_INVALID) in _kinds(chain.stored())


def test_a_deeply_nested_bundle_line_is_malformed_not_a_crash(tmp_path: Path) -> None:
    chain = ChainBuilder()
    path = _written(tmp_path, "bundle.jsonl", chain.stored())
    deep_line = len(path.read_bytes().splitlines()) + 1
    with path.open("ab") as handle:
        handle.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
    report = verify_bundle(path)
    assert any(
        f.kind == FindingKind.MALFORMED and f"line {deep_line} " in f.message
        for f in report.findings
    )


# -- proofs ---------------------------------------------------------------------------------


def _proof_document(chain: ChainBuilder, index: int) -> dict[str, Any]:
    from ceasefire.ledger.merkle import inclusion_path

    hashes = [e.entry_hash for e in chain.entries]
    entry = chain.entries[index]
    return {
        "proof": {
            "algorithm": TREE_ALGORITHM,
            "seq": entry.seq,
            "entry_hash": entry.entry_hash,
            "day": chain.instants[index].date().isoformat(),
            "leaf_index": index,
            "tree_size": len(hashes),
            "path": inclusion_path(hashes, index),
            "root": merkle_root(hashes),
            "root_seq": None,
        },
        "entry": entry_line(stored_entry(entry)),
    }


def test_a_proof_naming_another_day_or_seq_than_its_entry_does_not_hold() -> None:
    chain = ChainBuilder()
    chain.append(TAG, "statement/1", {"n": 1}, chain.centre)
    document = _proof_document(chain, 1)
    assert ledger.check_proof(document).ok
    other_day = {**document, "proof": {**document["proof"], "day": "2026-12-25"}}
    assert not ledger.check_proof(other_day).ok
    other_seq = {**document, "proof": {**document["proof"], "seq": 7}}
    assert not ledger.check_proof(other_seq).ok


def test_a_proof_whose_entry_header_is_nested_too_deeply_is_refused() -> None:
    chain = ChainBuilder()
    document = _proof_document(chain, 0)
    document["entry"]["header"] = _deep(100_000).decode()
    with pytest.raises(InvalidInput):
        ledger.check_proof(document)


# -- truncation and forks against a witnessed tree head -------------------------------------


def _witness_state(tmp_path: Path, chain: ChainBuilder, size: int) -> Path:
    """The state a witness keeps after seeing the centre's head of ``size`` entries."""
    state = tmp_path / "witness"
    state.mkdir()
    root = merkle_root([e.entry_hash for e in chain.entries[:size]])
    head = sign_tree_head(size, root, "2026-11-28T09:00:00.000000Z", chain.centre)
    line = {**head.as_dict(), "seen_at": head.timestamp, "source": "https://centre.example"}
    (state / HEADS_FILE).write_text(json.dumps(line) + "\n", encoding="utf-8")
    pin = {"public_key": chain.centre.public_key_hex, "key_id": chain.centre.key_id}
    (state / PIN_FILE).write_text(json.dumps(pin), encoding="utf-8")
    return state


def _witnessed(state: Path) -> dict[str, Any]:
    """The head and key ``ceasefire ledger verify --witness-state`` passes on."""
    head, key = witnessed_head(state)
    return {"witnessed": head, "witnessed_key": key}


def _statements(chain: ChainBuilder, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        chain.append(TAG, f"statement/{n}", {"n": n}, chain.centre)


def test_a_bundle_cut_short_is_caught_by_a_witnessed_head(tmp_path: Path) -> None:
    chain = ChainBuilder()
    _statements(chain, 9)
    state = _witness_state(tmp_path, chain, 10)
    cut = _written(tmp_path, "cut.jsonl", chain.stored()[:7])
    assert ledger.verify_bundle_file(cut).ok  # the bundle alone cannot tell
    summary = ledger.verify_bundle_file(cut, **_witnessed(state))
    assert summary.first_bad is not None
    assert (summary.first_bad.seq, summary.first_bad.kind) == (8, "entry_missing")
    whole = _written(tmp_path, "whole.jsonl", chain.stored())
    assert ledger.verify_bundle_file(whole, **_witnessed(state)).ok
    _statements(chain, 3, start=9)  # a later export holds the witnessed tree as its prefix
    later = _written(tmp_path, "later.jsonl", chain.stored())
    assert ledger.verify_bundle_file(later, **_witnessed(state)).ok


def test_another_history_of_the_same_length_is_caught_by_a_witnessed_head(
    tmp_path: Path,
) -> None:
    shown = ChainBuilder()
    _statements(shown, 5)
    other = ChainBuilder(centre=shown.centre, entries=list(shown.entries))
    other.instants, other.clock = list(shown.instants), shown.clock
    _statements(shown, 4, start=5)
    other.append(TAG, "statement/5", {"n": "changed"}, other.centre)
    _statements(other, 3, start=6)
    state = _witness_state(tmp_path, shown, 10)
    fork = _written(tmp_path, "fork.jsonl", other.stored())
    assert ledger.verify_bundle_file(fork).ok
    summary = ledger.verify_bundle_file(fork, **_witnessed(state))
    assert summary.first_bad is not None
    assert summary.first_bad.kind == "entry_changed"
    assert "another history" in summary.first_bad.message


def test_a_witnessed_head_of_another_installation_is_named(tmp_path: Path) -> None:
    chain, elsewhere = ChainBuilder(), ChainBuilder()
    _statements(chain, 3)
    _statements(elsewhere, 3)
    state = _witness_state(tmp_path, elsewhere, 4)
    summary = ledger.verify_bundle_file(
        _written(tmp_path, "b.jsonl", chain.stored()), **_witnessed(state)
    )
    assert {f.kind for f in summary.findings} >= {"key_not_valid", "entry_changed"}


def test_the_cli_checks_a_bundle_against_a_witness_and_only_a_bundle(
    cli: InProcessCli, tmp_path: Path
) -> None:
    chain = ChainBuilder()
    _statements(chain, 4)
    state = _witness_state(tmp_path, chain, 5)
    cut = _written(tmp_path, "cut.jsonl", chain.stored()[:3])
    code, out = cli.run("ledger", "verify", "--bundle", str(cut), "--witness-state", str(state))
    assert code == 1
    assert out["error"]["details"]["first_bad"]["kind"] == "entry_missing"
    code, out = cli.run("ledger", "verify", "--witness-state", str(state))
    assert code != 0
    assert out["error"]["details"][0]["loc"] == "witness_state"


def test_check_proof_without_a_published_root_says_what_it_compared(
    cli: InProcessCli, tmp_path: Path
) -> None:
    # A tree of one leaf: a "proof" anyone can make for any entry, with a root of its own.
    chain = ChainBuilder()
    chain.append(TAG, "statement/1", {"n": 1}, chain.centre)
    entry = chain.entries[1]
    document = _proof_document(chain, 1)
    document["proof"].update(
        leaf_index=0, tree_size=1, path=[], root=merkle_root([entry.entry_hash])
    )
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    alone = cli.text("ledger", "check-proof", str(path))
    assert alone.returncode == 0
    assert "the proof's own root" in " ".join(alone.stdout.split())
    published = merkle_root([e.entry_hash for e in chain.entries])
    against = cli.text("ledger", "check-proof", str(path), "--root", published)
    assert against.returncode == 1


def test_a_server_answering_the_witness_with_deep_json_is_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The operator's server attacking its members' witnesses: a tree head nested 100,000
    # deep stopped `ceasefire witness` with a RecursionError traceback.
    class Deep(io.BytesIO):
        def __enter__(self) -> Deep:
            return self

    def answer(request: object, timeout: float) -> Deep:
        return Deep(b"[" * 100_000 + b"]" * 100_000)

    monkeypatch.setattr(urllib.request, "urlopen", answer)
    with pytest.raises(Unavailable):
        HttpSource("https://centre.example").tree_head()


# -- a tampered backup ------------------------------------------------------------------------


def test_a_tampered_backup_restores_but_check_names_the_entry(
    ctx: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    # Checked and fine: `restore` copies what it is given (SQLite's own integrity check
    # only); `ceasefire check` afterwards names the changed entry. SQLite: the file is edited
    # in place (a pg_dump archive is not a file one edits by hand).
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("edits a SQLite backup file")
    append_test_entries(ctx, settings, 6)
    out = tmp_path / "backup.sqlite"
    backup.backup(settings, out)
    with sqlite3.connect(out) as raw:
        raw.execute("UPDATE ledger_entries SET payload = ? WHERE seq = 4", ('{"n":99}',))
    ctx.dispose()
    backup.restore(settings, out, force=True)
    restored = ServiceContext.from_settings(settings)
    try:
        checked = backup.check(restored)
    finally:
        restored.dispose()
    assert not checked.ok
    assert checked.ledger.first_bad is not None
    assert (checked.ledger.first_bad.seq, checked.ledger.first_bad.kind) == (4, "payload_changed")
