"""Appending to the ledger inside a unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, Unauthorized
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow, LedgerKeyRow

OPERATOR = Viewer.cli_operator()


TAG = "test:entry:written"


def _count(ctx: ServiceContext) -> int:
    with ctx.reader() as session:
        return int(session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0)


def test_first_append_ledgers_the_centre_key_and_the_members_key(
    ctx: ServiceContext, settings: Settings
) -> None:
    with ctx.unit_of_work() as session:
        seq = ledger.append(
            session,
            settings,
            tag=TAG,
            subject="p1",
            payload={"status": "met"},
            actor=Actor("arm", "u1"),
        )
    assert seq == 3
    with ctx.reader() as session:
        rows = session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq)).all()
        keys = session.scalars(select(LedgerKeyRow).order_by(LedgerKeyRow.added_seq)).all()
        session.expunge_all()
    assert [r.tag for r in rows] == ["ledger:key:added", "ledger:key:added", TAG]
    assert [k.member_id for k in keys] == ["centre", "arm"]
    assert rows[2].key_id == keys[1].key_id
    assert rows[1].prev_hash == rows[0].entry_hash
    assert rows[2].prev_hash == rows[1].entry_hash
    assert json.loads(rows[2].payload) == {"status": "met"}
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600


def test_rolled_back_unit_of_work_leaves_no_entry_and_reuses_its_key(
    ctx: ServiceContext, settings: Settings
) -> None:
    def failing_change() -> None:
        with ctx.unit_of_work() as session:
            ledger.append(session, settings, tag=TAG, subject="p1", payload={}, actor=Actor("aze"))
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert _count(ctx) == 0
    with ctx.unit_of_work() as session:
        assert (
            ledger.append(session, settings, tag=TAG, subject="p1", payload={}, actor=Actor("aze"))
            == 3
        )
    assert _count(ctx) == 3


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("tag", {"tag": "Not A Tag"}),
        ("subject", {"subject": ""}),
        ("payload", {"payload": {"when": float("nan")}}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    ctx: ServiceContext, settings: Settings, field: str, kwargs: dict[str, Any]
) -> None:
    args: dict[str, Any] = {"tag": TAG, "subject": "p1", "payload": {"a": 1}}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as caught, ctx.unit_of_work() as session:
        ledger.append(session, settings, actor=Actor.centre(), **args)
    assert caught.value.details[0]["loc"] == field
    assert _count(ctx) == 0


def test_append_many_writes_the_same_chain_in_one_insert(
    ctx: ServiceContext, settings: Settings
) -> None:
    items = [
        ledger.NewEntry(TAG, f"s/{n}", {"n": n}, Actor(("arm", "aze")[n % 2], "u"))
        for n in range(50)
    ]
    with ctx.unit_of_work() as session:
        first = ledger.append(
            session, settings, tag=TAG, subject="s", payload={}, actor=Actor("arm")
        )
        seqs = ledger.append_many(session, settings, items)
        after = ledger.append(
            session, settings, tag=TAG, subject="t", payload={}, actor=Actor("arm")
        )
    # arm's key was added before the first entry, aze's just before its first entry
    assert seqs == [first + 1, *range(first + 3, first + 52)]
    assert after == seqs[-1] + 1
    assert ledger.verify(ctx).ok
    entries = ledger.list_entries(ctx, OPERATOR, after=first, limit=100)
    assert [e.subject for e in entries if e.tag == TAG][:3] == ["s/0", "s/1", "s/2"]


def test_append_many_with_one_bad_entry_writes_none(
    ctx: ServiceContext, settings: Settings
) -> None:
    items = [
        ledger.NewEntry(TAG, "ok", {}, Actor.centre()),
        ledger.NewEntry(TAG, "", {}, Actor.centre()),
    ]
    with pytest.raises(InvalidInput) as caught, ctx.unit_of_work() as session:
        ledger.append_many(session, settings, items)
    assert caught.value.details[0]["loc"] == "entries[1].subject"
    assert _count(ctx) == 0


def test_the_public_may_not_read_entries(ctx: ServiceContext) -> None:
    """The service itself refuses: no interface can forget the check."""
    with pytest.raises(Unauthorized):
        ledger.list_entries(ctx, Viewer.public(), after=0, limit=10)
    with pytest.raises(Unauthorized):
        ledger.get_entry(ctx, Viewer.public(), 1)
    with pytest.raises(Unauthorized):
        ledger.entry_proof(ctx, Viewer.public(), 1)


def test_two_writers_touching_a_row_and_the_ledger_in_opposite_orders_do_not_deadlock(
    ctx: ServiceContext, settings: Settings
) -> None:
    """Two server processes: one updates a row and then appends to the ledger; the other
    appends and then updates that row (the same value: the update is for its row lock).
    Each unit of work takes the writers' turn before it
    touches anything, so the second waits for the first instead of holding the ledger
    while it waits for the row (on PostgreSQL this deadlocked, and one of them failed
    with 503: found by bench/load.py with two workers)."""
    with ctx.unit_of_work() as session:
        ledger.append(session, settings, tag=TAG, subject="p0", payload={}, actor=Actor("aze"))
        (key,) = session.scalars(select(LedgerKeyRow.key_id).limit(1))
    other = ServiceContext.from_settings(settings)
    first_has_row = threading.Event()
    touch_row = update(LedgerKeyRow).where(LedgerKeyRow.key_id == key)
    touch_row = touch_row.values(member_id=LedgerKeyRow.member_id)

    def entry(session: Session, subject: str) -> None:
        ledger.append(session, settings, tag=TAG, subject=subject, payload={}, actor=Actor("aze"))

    failures: list[BaseException] = []

    def row_then_ledger() -> None:
        try:
            with ctx.unit_of_work() as session:
                session.execute(
                    update(LedgerKeyRow)
                    .where(LedgerKeyRow.key_id == key)
                    .values(member_id=LedgerKeyRow.member_id)
                )
                first_has_row.set()
                time.sleep(0.5)
                ledger.append(
                    session, settings, tag=TAG, subject="p1", payload={}, actor=Actor("aze")
                )
        except BaseException as exc:
            failures.append(exc)

    def ledger_then_row() -> None:
        first_has_row.wait(10)
        try:
            with other.unit_of_work() as session:
                ledger.append(
                    session, settings, tag=TAG, subject="p2", payload={}, actor=Actor("arm")
                )
                session.execute(
                    update(LedgerKeyRow)
                    .where(LedgerKeyRow.key_id == key)
                    .values(member_id=LedgerKeyRow.member_id)
                )
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=row_then_ledger), threading.Thread(target=ledger_then_row)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.dispose()
    assert failures == []
    assert _count(ctx) >= 3
    assert ledger.verify(ctx).ok
