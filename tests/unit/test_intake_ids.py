"""Intake ids: ``new_ids`` makes in bulk what ``new_id`` makes one at a time."""

from __future__ import annotations

import re
import time

from ceasefire.ids import IdClock, new_id, new_ids

ID = re.compile(r"^rep-[0-9a-f]{11}[0-9a-f]{10}$")


def test_bulk_ids_have_the_single_id_form_and_are_distinct() -> None:
    ids = new_ids("rep", 5000)
    assert len(ids) == 5000
    assert len(set(ids)) == 5000
    assert all(ID.match(i) for i in ids)
    assert ID.match(new_id("rep"))
    assert new_ids("rep", 0) == []


def test_bulk_ids_sort_after_earlier_ids() -> None:
    """The millisecond stamp leads, so ids made later sort after (a paging cursor)."""
    first = new_id("rep")
    time.sleep(0.002)
    batch = new_ids("rep", 3)
    time.sleep(0.002)
    last = new_id("rep")
    assert all(first < i < last for i in batch)


def test_ids_of_one_millisecond_sort_in_the_order_they_were_made() -> None:
    """Reports filed within one millisecond (a demo batch, a fast client) are fused in the
    order they were stored: the queue is read by id."""
    clock = IdClock(clock=lambda: 1_700_000_000_000_000_000)
    made = [clock.ids("rep", 1)[0] for _ in range(200)] + clock.ids("rep", 50)
    assert made == sorted(made)
    assert len(set(made)) == 250
    assert all(ID.match(i) for i in made)


def test_ids_keep_their_order_when_the_wall_clock_steps_back() -> None:
    readings = iter([2_000_000_000, 1_000_000_000, 3_000_000_000])
    clock = IdClock(clock=lambda: next(readings))
    made = [clock.ids("rep", 1)[0] for _ in range(3)]
    assert made == sorted(made)
    assert made[1][4:15] == made[0][4:15]  # the stamp stayed at the later reading


def test_a_spent_millisecond_goes_on_in_the_next_one() -> None:
    clock = IdClock(clock=lambda: 5_000_000)
    first = clock.ids("rep", 1)[0]
    clock._next = 16**10 - 1  # as if 2**39 ids had been made in this millisecond
    after = clock.ids("rep", 2)
    assert first < after[0] < after[1]
    assert int(after[0][4:15], 16) == int(first[4:15], 16) + 1
    assert all(ID.match(i) for i in after)


def test_two_generators_start_at_their_own_random_points() -> None:
    now = lambda: 7_000_000_000  # noqa: E731
    a, b = IdClock(clock=now), IdClock(clock=now)
    assert a.ids("rep", 1) != b.ids("rep", 1)
