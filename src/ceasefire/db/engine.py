"""Engine and session factories, built from settings on demand (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ceasefire.config import Settings


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


SQLITE_PAGE_SIZE = 16384
"""Page size of new SQLite databases. Reports (~1 KB a row with their canonical JSON) and
ledger entries are large rows: with 16 KiB pages an import's insert into ``reports`` and its
indexes cost ~20 % less CPU than with SQLite's default 4 KiB (bench/RESULTS.md)."""


def _sqlite_pragmas(cache_mib: int, synchronous: str = "full") -> Callable[[Any, Any], None]:
    level = {"full": "FULL", "normal": "NORMAL"}[synchronous]

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Only a new, empty database takes it (before WAL mode writes its first page); an
        # existing one keeps the page size it was created with (docs/operations.md).
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # FULL: in WAL mode the log is synced at every commit, so a report the API has
        # acknowledged survives a power cut (NORMAL syncs only at checkpoints, losing the
        # last commits on power loss). Its cost is measured in bench/RESULTS.md.
        cursor.execute(f"PRAGMA synchronous={level}")
        # Negative: a size in KiB rather than pages. Filled only as pages are read, so an
        # idle connection costs nothing; a bulk import's index inserts stop going back to
        # the file (~15 % less CPU per row with 64 MiB than with the default 2 MiB).
        cursor.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
        cursor.close()

    return on_connect


POOL_SIZE = 16
"""Connections each engine keeps open. SQLAlchemy's default of 5 (plus 10 made and closed
again per checkout) is fewer than the requests one server process runs at once: under 8
concurrent readers every checkout past the fifth opened a new connection (for SQLite, with
its pragmas; for PostgreSQL, a new backend process) and closed it again."""


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.database_url``: SQLite in WAL mode with foreign keys on."""
    url = normalise_url(settings.database_url)
    if url.startswith("sqlite"):
        create_private(make_url(url).database)
        engine = create_engine(
            url,
            echo=settings.sql_echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=POOL_SIZE,
        )
        event.listen(
            engine,
            "connect",
            _sqlite_pragmas(settings.sqlite_cache_mib, settings.sqlite_synchronous),
        )
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that
        # "BEGIN IMMEDIATE" can be used where a writer must hold the lock from the start.
        event.listen(engine, "connect", _disable_pysqlite_begin)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=settings.sql_echo, pool_pre_ping=True, pool_size=POOL_SIZE)


def create_private(database: str | None) -> None:
    """Create a new SQLite database file readable by its owner only (0600) before SQLite
    opens it (it would create it with the umask's mode, 0644 usually); SQLite gives its
    ``-wal`` and ``-shm`` files the database file's mode. An existing file is left alone."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):  # exists; or no folder, SQLite says so
        return


def _disable_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("sqlite_immediate") else "BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
