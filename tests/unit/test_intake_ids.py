"""Intake ids: ``new_ids`` makes in bulk what ``new_id`` makes one at a time."""

from __future__ import annotations

import re
import time

from ceasefire.ids import new_id, new_ids

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
