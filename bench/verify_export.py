"""Offline verification of an export: entries/s of ``verify_bundle`` on a built bundle.

    .venv/bin/python bench/verify_export.py [--entries 10000] [--days 4] [--rounds 5]

Builds a bundle of ``--entries`` entries without a database (the genesis, four members'
server keys, entries of those members spread over ``--days`` UTC days, each new day opened by
its seal, as the server writes them), then times ``ceasefire.ledger.bundle.verify_bundle`` on
the file: hash chain only and with every signature, best of ``--rounds`` (CPU time of this
process, one core: the verifier is single-threaded). Run it with ``PYTHONPATH`` at two trees
in turn, alternating, to compare a change of the verifier's hot path on a shared machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ceasefire.ledger.bundle import bundle_header, verify_bundle, write_bundle
from ceasefire.ledger.canonical import canonical_json
from ceasefire.ledger.entry import GENESIS_PREV, KEY_ADDED, ROOT_SEALED, SignedEntry, build_entry
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.merkle import TREE_ALGORITHM, merkle_root
from ceasefire.ledger.verify import StoredEntry

MEMBERS = ("arm", "aze", "rus", "tur")
START = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


def build(count: int, days: int) -> list[SignedEntry]:
    """``count`` entries over ``days`` days, sealed as the server seals them."""
    centre = SigningKey.generate("centre")
    keys = [SigningKey.generate(m) for m in MEMBERS]
    step = timedelta(days=days) / count
    entries: list[SignedEntry] = []
    day_hashes: list[str] = []
    day_first = 1
    clock = START

    def add(tag: str, subject: str, payload: dict[str, object], signer: SigningKey) -> None:
        nonlocal day_first, day_hashes
        if entries and entries[-1].header.ts[:10] != clock.strftime("%Y-%m-%d"):
            if tag == ROOT_SEALED:  # the seal is the new day's first entry
                day_first, day_hashes = len(entries) + 1, []
            else:
                day = entries[-1].header.ts[:10]
                seal = {
                    "day": day,
                    "first_seq": day_first,
                    "last_seq": len(entries),
                    "count": len(day_hashes),
                    "root": merkle_root(day_hashes),
                    "tree": TREE_ALGORITHM,
                }
                add(ROOT_SEALED, day, seal, centre)
        entry = build_entry(
            seq=len(entries) + 1,
            ts=clock,
            tag=tag,
            subject=subject,
            actor_member=signer.member_id,
            actor_user=None,
            payload_bytes=canonical_json(payload),
            prev=entries[-1].entry_hash if entries else GENESIS_PREV,
            signer=signer,
        )
        entries.append(entry)
        day_hashes.append(entry.entry_hash)

    for key in (centre, *keys):
        add(
            KEY_ADDED,
            key.key_id,
            {
                "key_id": key.key_id,
                "member_id": key.member_id,
                "algorithm": "ed25519",
                "public_key": key.public_key_hex,
                "custody": "server",
            },
            centre,
        )
    n = 0
    while len(entries) < count:
        clock += step
        add(
            "intake:report:received",
            f"report/{n}",
            {"report_id": f"rep_{n:08d}", "content_sha256": f"{n:064x}", "channel": "monitor"},
            keys[n % len(keys)],
        )
        n += 1
    return entries


def write(entries: list[SignedEntry], path: Path) -> None:
    """The bundle as ``ceasefire ledger export`` writes it (key and root lines included)."""
    header = bundle_header(
        exported_at="2026-12-07T00:00:00.000000Z",
        entries=len(entries),
        head_seq=entries[-1].seq,
        head_hash=entries[-1].entry_hash,
    )
    stored = (
        StoredEntry(e.seq, e.header_bytes, e.payload_bytes, e.entry_hash, e.signature)
        for e in entries
    )
    with path.open("w", encoding="utf-8") as handle:
        write_bundle(handle, header, stored)


def best(path: Path, rounds: int, *, signatures: bool) -> float:
    times = []
    for _ in range(rounds):
        started = time.process_time()
        report = verify_bundle(path, check_signatures=signatures)
        times.append(time.process_time() - started)
        assert report.ok, report.findings[:3]
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    entries = build(args.entries, args.days)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.jsonl"
        write(entries, path)
        for signatures in (False, True):
            seconds = best(path, args.rounds, signatures=signatures)
            what = "with signatures" if signatures else "hash chain only"
            print(
                f"verify_bundle, {len(entries):,} entries, {what}: {seconds:.3f} s cpu"
                f" = {len(entries) / seconds:,.0f} entries/s"
            )


if __name__ == "__main__":
    main()
