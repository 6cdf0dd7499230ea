"""Ledger benchmark: append rate, and verification rate hash-only and with signatures.

    .venv/bin/python bench/ledger.py [--entries 100000] [--database-url URL] [--single 2000]

Builds a chain of ``--entries`` entries through the real append path (``ledger.append``
inside units of work of ``--batch`` entries) into a fresh database (a temporary SQLite file
by default), then measures:

* append: entries/s, one entry per unit of work (``--single`` of them), then ``--batch``
  per unit of work through ``append`` (``--looped`` of them) and through ``append_many``;
* verify, in memory (the bundle/third-party case, no database): hash chain only, and with
  every Ed25519 signature checked;
* verify from the database end to end (read + check), hash-only and signed;
* the same with signatures checked in two worker processes (``verify --workers 2``);
* one bare Ed25519 verification, as the bound of the signed rate.

Rates are given per second of CPU time of this process (one core; the verifier is single-
threaded) and per wall-clock second, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ceasefire.actor import Actor
from ceasefire.areas import contributions
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.db.migrate import upgrade
from ceasefire.ledger import service as ledger
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.verify import StoredEntry, verify_entries

MEMBERS = ("arm", "aze", "rus", "tur")
contributions("checker")  # the areas' state checkers, imported before timing


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, CPU seconds of this process, wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def _item(n: int) -> ledger.NewEntry:
    return ledger.NewEntry(
        tag="bench:entry:written",
        subject=f"report/{n}",
        payload={
            "report_id": f"rep_{n:08d}",
            "content_sha256": f"{n:064x}",
            "channel": "monitor",
            "classification": "shared",
            "received_at": "2026-11-28T10:00:00Z",
        },
        actor=Actor(MEMBERS[n % len(MEMBERS)], "bench"),
    )


def append_entries(
    ctx: ServiceContext, count: int, batch: int, start: int = 0, *, many: bool = False
) -> None:
    """``count`` entries, ``batch`` per unit of work, through ``append`` or ``append_many``."""
    done = 0
    while done < count:
        items = [_item(start + done + i) for i in range(min(batch, count - done))]
        with ctx.unit_of_work() as session:
            if many:
                ledger.append_many(session, ctx.settings, items)
            else:
                for item in items:
                    ledger.append(
                        session,
                        ctx.settings,
                        tag=item.tag,
                        subject=item.subject,
                        payload=item.payload,
                        actor=item.actor,
                    )
        done += len(items)


def load_entries(ctx: ServiceContext) -> list[StoredEntry]:
    with ctx.reader() as session:
        return list(ledger._stored_entries(session))


def ed25519_bound(samples: int = 3000) -> float:
    key = SigningKey.generate("bench")
    public = key.private_key.public_key()
    message = b"x" * 330
    signature = bytes.fromhex(key.sign(message))
    cpu = time.process_time()
    for _ in range(samples):
        public.verify(signature, message)
    return (time.process_time() - cpu) / samples


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f} /s" if seconds > 0 else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="appends per unit of work")
    parser.add_argument("--single", type=int, default=2000, help="one-entry units of work")
    parser.add_argument("--looped", type=int, default=20_000, help="batched through append()")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--rounds", type=int, default=3, help="verification repetitions")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ceasefire-bench-"))
    url = args.database_url or f"sqlite:///{workdir}/ledger.db"
    ctx = ServiceContext.from_settings(Settings(database_url=url, key_file=workdir / "keys.json"))
    upgrade(ctx.engine)
    backend = ctx.engine.dialect.name
    print(f"backend {backend}, {args.entries:,} entries, workdir {workdir}")

    _, cpu, wall = timed(lambda: append_entries(ctx, args.single, 1))
    print(
        f"append, 1 per unit of work   ({args.single:,}): {rate(args.single, cpu)} cpu"
        f"  {rate(args.single, wall)} wall"
    )
    looped = min(args.looped, args.entries - args.single)
    _, cpu, wall = timed(lambda: append_entries(ctx, looped, args.batch, start=args.single))
    print(
        f"append, {args.batch} per unit of work, append() ({looped:,}):"
        f" {rate(looped, cpu)} cpu  {rate(looped, wall)} wall"
    )
    rest = args.entries - args.single - looped
    start = args.single + looped
    _, cpu, wall = timed(lambda: append_entries(ctx, rest, args.batch, start=start, many=True))
    print(
        f"append, {args.batch} per unit of work, append_many() ({rest:,}):"
        f" {rate(rest, cpu)} cpu  {rate(rest, wall)} wall"
    )

    entries, cpu, wall = timed(lambda: load_entries(ctx))
    total = len(entries)
    print(f"read all entries from the database: {rate(total, cpu)} cpu  {rate(total, wall)} wall")
    bare = [StoredEntry(e.seq, e.header, e.payload, e.entry_hash, e.signature) for e in entries]

    def best(fn: Callable[[], Any]) -> tuple[float, float]:
        runs = [timed(fn) for _ in range(args.rounds)]
        for result, _, _ in runs:
            assert getattr(result, "ok", True), "the benchmark chain does not verify"
        return min(r[1] for r in runs), min(r[2] for r in runs)

    for label, fn in (
        ("verify in memory, hash chain only", lambda: verify_entries(bare, check_signatures=False)),
        ("verify in memory, with signatures", lambda: verify_entries(bare)),
        (
            "verify from the database, hash only",
            lambda: ledger.verify(ctx, check_signatures=False, check_state=False),
        ),
        ("verify from the database, signed + state", lambda: ledger.verify(ctx)),
    ):
        rounds = 1 if "signed" in label or "signatures" in label else args.rounds
        cpu, wall = best(fn) if rounds > 1 else timed(fn)[1:]
        print(f"{label:<42}: {rate(total, cpu)} cpu  {rate(total, wall)} wall")

    _, _, wall = timed(lambda: verify_entries(bare, workers=2))
    print(f"verify in memory, signatures in 2 worker processes: {rate(total, wall)} wall")
    per = statistics.median(ed25519_bound() for _ in range(3))
    print(
        f"one Ed25519 verification (cryptography/OpenSSL): {per * 1e6:.0f} µs"
        f" -> at most {1 / per:,.0f} signed entries/s on one core"
    )
    bundle = workdir / "bundle.jsonl"
    _, cpu, wall = timed(lambda: ledger.export_bundle(ctx, bundle))
    print(
        f"export bundle: {rate(total, cpu)} cpu  {rate(total, wall)} wall"
        f" ({bundle.stat().st_size / 1e6:.1f} MB)"
    )
    summary, cpu, wall = timed(lambda: ledger.verify_bundle_file(bundle, check_signatures=False))
    assert summary.ok
    print(f"verify bundle file, hash only: {rate(total, cpu)} cpu  {rate(total, wall)} wall")
    ctx.dispose()


if __name__ == "__main__":
    main()
