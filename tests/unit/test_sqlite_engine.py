"""The SQLite engine's connection settings: WAL, foreign keys, and the page cache size."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.db.engine import SQLITE_PAGE_SIZE, make_engine


def test_every_sqlite_connection_gets_the_configured_pragmas(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", sqlite_cache_mib=48)
    engine = make_engine(settings)
    try:
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                # FULL: an acknowledged commit survives a power cut (issue 12).
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -48 * 1024
    finally:
        engine.dispose()


def test_synchronous_normal_can_be_chosen(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'n.db'}", sqlite_synchronous="normal")
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    finally:
        engine.dispose()


def test_a_new_database_gets_the_page_size_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:  # made by an earlier version: SQLite's default pages
        conn.execute("CREATE TABLE t (x)")
    default = sqlite3.connect(old).execute("PRAGMA page_size").fetchone()[0]
    assert default != SQLITE_PAGE_SIZE
    for path, expected in ((tmp_path / "new.db", SQLITE_PAGE_SIZE), (old, default)):
        engine = make_engine(Settings(database_url=f"sqlite:///{path}"))
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS u (y)")
                assert conn.exec_driver_sql("PRAGMA page_size").scalar() == expected
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            engine.dispose()


def test_a_reader_after_a_unit_of_work_does_not_take_the_write_lock(tmp_path: Path) -> None:
    """A unit of work begins IMMEDIATE on its pooled connection; a reader that later gets
    the same connection must begin a plain (deferred) transaction, or every read queues
    behind the writers (issue 12's load test; an export timed out on 'database is locked')."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}")
    ctx = ServiceContext.from_settings(settings)
    try:
        for _ in range(3):  # the pool hands back the connection the unit of work used
            with ctx.unit_of_work() as session:
                session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        holder = sqlite3.connect(tmp_path / "r.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            for _ in range(3):
                with ctx.reader() as session:
                    connection = session.connection()
                    assert not connection.info.get("sqlite_immediate")
                    assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    finally:
        ctx.dispose()
