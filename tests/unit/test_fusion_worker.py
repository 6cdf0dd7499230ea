"""The background fusion worker's pacing (its turns hold the write lock)."""

from __future__ import annotations

from ceasefire.fusion.service import DRAIN_BATCH, WORKER_TURN_S, next_batch


def test_the_workers_batch_shrinks_after_a_long_turn_and_grows_back() -> None:
    """A turn's budget bounds its writes, not the matching before them: the worker halves
    its batch after a turn past twice the budget, down to one report, and doubles it after
    a short one, up to the drain's batch."""
    long, short = 3 * WORKER_TURN_S, WORKER_TURN_S / 4
    assert next_batch(DRAIN_BATCH, long) == DRAIN_BATCH // 2
    assert next_batch(1, long) == 1
    assert next_batch(8, short) == 16
    assert next_batch(DRAIN_BATCH, short) == DRAIN_BATCH
    assert next_batch(8, WORKER_TURN_S) == 8
