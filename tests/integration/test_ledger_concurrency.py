"""Four processes appending 500 entries each at once: one unbroken chain, nothing lost.

Each process is a different member whose key does not exist yet, so the processes also
race to create their keys and the centre's genesis entry.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow

PROCESSES = 4
APPENDS = 500
TAG = "test:entry:written"


def _appender(database_url: str, key_file: str, worker: int) -> list[int]:
    """One process: 500 appends, each in its own unit of work, as member ``m<worker>``."""
    ctx = ServiceContext.from_settings(Settings(database_url=database_url, key_file=Path(key_file)))
    seqs = []
    try:
        for n in range(APPENDS):
            with ctx.unit_of_work() as session:
                seqs.append(
                    ledger.append(
                        session,
                        ctx.settings,
                        tag=TAG,
                        subject=f"w{worker}/{n}",
                        payload={"worker": worker, "n": n},
                        actor=Actor(f"m{worker}", "load"),
                    )
                )
    finally:
        ctx.dispose()
    return seqs


@pytest.mark.slow
def test_four_processes_append_without_forking_the_chain(
    ctx: ServiceContext, settings: Settings
) -> None:
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(PROCESSES) as pool:
        results = pool.starmap(
            _appender,
            [(settings.database_url, str(settings.key_file), w) for w in range(PROCESSES)],
        )
    returned = [seq for seqs in results for seq in seqs]
    assert len(returned) == PROCESSES * APPENDS
    assert len(set(returned)) == len(returned)  # no sequence number handed out twice
    for seqs in results:
        assert seqs == sorted(seqs)  # each process sees its own entries in order
    with ctx.reader() as session:
        count, low, high = session.execute(
            select(func.count(), func.min(LedgerEntryRow.seq), func.max(LedgerEntryRow.seq))
        ).one()
        appended = session.scalar(
            select(func.count()).select_from(LedgerEntryRow).where(LedgerEntryRow.tag == TAG)
        )
    keys = 1 + PROCESSES  # the centre's genesis key and one key per member
    assert appended == PROCESSES * APPENDS
    assert (count, low, high) == (PROCESSES * APPENDS + keys, 1, PROCESSES * APPENDS + keys)
    result = ledger.verify(ctx)
    assert result.ok, result.findings[:5]
    assert result.chain.entries == count
    assert result.chain.members == {"centre", *(f"m{w}" for w in range(PROCESSES))}
