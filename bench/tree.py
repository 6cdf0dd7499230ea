"""Whole-ledger tree heads and proofs: the cost of the first head, of each later head, of
proofs, and of the from-scratch check.

    .venv/bin/python bench/tree.py [--entries 100000] [--database-url URL]

Builds ``--entries`` entries with ``ledger.append_many`` into a fresh database (a temporary
SQLite file by default), then times:

* the first signed tree head (fills the subtree cache: one pass over every entry hash);
* a head after 1 and after 300 more entries (reads only the entries since the last cached
  subtree and O(log n) cached hashes: the figure that must not grow with the ledger);
* consistency and inclusion proofs between/into large trees;
* ``check_tree`` (the whole tree recomputed from the entries, as ``ceasefire check`` does).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.db.migrate import upgrade
from ceasefire.ledger import service as ledger
from ceasefire.ledger import tree_heads as ledger_tree


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"{label:<58} {(time.perf_counter() - started) * 1000:9.1f} ms", flush=True)
    return result


def append(ctx: ServiceContext, count: int, start: int) -> None:
    for first in range(start, start + count, 2000):
        with ctx.unit_of_work() as session:
            ledger.append_many(
                session,
                ctx.settings,
                [
                    ledger.NewEntry("bench:entry:written", f"s/{n}", {"n": n}, Actor("arm"))
                    for n in range(first, min(start + count, first + 2000))
                ],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'tree.db'}"
        settings = Settings(database_url=url, key_file=Path(tmp) / "keys.json")
        ctx = ServiceContext.from_settings(settings)
        upgrade(ctx.engine)
        timed(f"build {args.entries} entries (append_many)", lambda: append(ctx, args.entries, 0))
        first = timed("first tree head (fills the cache)", lambda: ledger_tree.tree_head(ctx))
        timed("the same head again (stored)", lambda: ledger_tree.tree_head(ctx))
        append(ctx, 1, args.entries)
        timed("head after 1 more entry", lambda: ledger_tree.tree_head(ctx))
        append(ctx, 300, args.entries + 1)
        last = timed("head after 300 more entries", lambda: ledger_tree.tree_head(ctx))
        timed(
            f"consistency proof {first.tree_size} -> {last.tree_size}",
            lambda: ledger_tree.consistency_proof(ctx, first.tree_size, last.tree_size),
        )
        timed(
            f"consistency proof 12345 -> {last.tree_size}",
            lambda: ledger_tree.consistency_proof(ctx, 12345, last.tree_size),
        )
        timed("inclusion proof of entry 54321", lambda: ledger_tree.inclusion_proof(ctx, 54321))
        check = timed("check_tree (from scratch)", lambda: ledger_tree.check_tree(ctx))
        assert check.ok, check.problems
        ctx.dispose()


if __name__ == "__main__":
    main()
