"""Offline verification of an export: entries/s of ``verify_bundle`` on a built bundle.

    .venv/bin/python bench/verify_export.py [--entries 10000] [--days 4] [--rounds 5]

Builds a bundle of ``--entries`` entries without a database (the genesis, four members'
server keys, entries of those members spread over ``--days`` UTC days, each new day opened by
its seal, as the server writes them: ``tests.factories.ledger.ChainBuilder``), then times
``ceasefire.ledger.bundle.verify_bundle`` on the file: hash chain only and with every
signature, best of ``--rounds`` (CPU time of this process, one core: the verifier is
single-threaded). Run it with ``PYTHONPATH`` at two trees in turn, alternating, to compare a
change of the verifier's hot path on a shared machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from tests.factories.ledger import ChainBuilder

from ceasefire.ledger.bundle import bundle_header, verify_bundle, write_bundle
from ceasefire.ledger.entry import SignedEntry
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.verify import StoredEntry

MEMBERS = ("arm", "aze", "rus", "tur")


def build(count: int, days: int) -> list[SignedEntry]:
    """``count`` entries over ``days`` days, each new day opened by its seal (the test
    factory's writer, which follows docs/ledger.md on its own)."""
    chain = ChainBuilder(step=timedelta(days=days) / count)
    keys = [SigningKey.generate(m) for m in MEMBERS]
    for key in keys:
        chain.add_key(key)
    n = 0
    while len(chain.entries) < count:
        chain.append(
            "intake:report:received",
            f"report/{n}",
            {"report_id": f"rep_{n:08d}", "content_sha256": f"{n:064x}", "channel": "monitor"},
            keys[n % len(keys)],
        )
        n += 1
    return chain.entries


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
