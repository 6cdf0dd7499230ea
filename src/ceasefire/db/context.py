"""The service context: settings, engine and units of work, built once per process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ceasefire.config import Settings
from ceasefire.db.engine import is_sqlite, make_engine
from ceasefire.db.writelock import SqliteWriteLock, take_postgres_write_lock

SESSION_CONTEXT_KEY = "ceasefire.context"
"""Where a unit of work's session keeps its context (``session.info``): the ledger writer
finds the context's caches there."""


@dataclass
class ServiceContext:
    """What every service needs: configuration and a way to open units of work.

    Services own their transactions: a use case opens ``unit_of_work()``, does all its
    writes (including its ledger entries) inside, and the block commits them together or
    rolls all of them back.
    """

    settings: Settings
    engine: Engine = field(repr=False)
    caches: dict[str, Any] = field(default_factory=dict, repr=False)
    """Per-context caches (e.g. the ledger's signing keys at the head this context last
    wrote): a test swaps or clears them with the context, nothing is process-global."""
    _write_lock: SqliteWriteLock | None = field(default=None, repr=False)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceContext:
        return cls(settings=settings, engine=make_engine(settings))

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error.

        Writes are serialised here, for every use case: on a SQLite file the unit of work
        first takes the file's write lock (``ceasefire.db.writelock``) and the transaction
        starts with ``BEGIN IMMEDIATE``, so two writers never interleave (the ledger's hash
        chain relies on a single writer at a time); on PostgreSQL the transaction first
        takes the writers' advisory lock (``take_postgres_write_lock``), so writers never
        wait for each other's rows while holding the ledger (a deadlock).
        """
        depth = getattr(self._local, "depth", 0)
        lock = self._sqlite_write_lock() if depth == 0 else None
        self._local.depth = depth + 1
        try:
            with lock.held() if lock is not None else nullcontext():
                yield from self._transaction(write_turn=depth == 0)
        finally:
            self._local.depth = depth

    @contextmanager
    def writes_held(self) -> Iterator[None]:
        """Hold this SQLite database's write turn without a transaction (what every unit of
        work queues for): maintenance, a backup, a test. Nothing on PostgreSQL."""
        lock = self._sqlite_write_lock()
        with lock.held() if lock is not None else nullcontext():
            yield

    def _sqlite_write_lock(self) -> SqliteWriteLock | None:
        if self._write_lock is None:
            database = self.engine.url.database if is_sqlite(self.engine) else None
            if not database or database == ":memory:":
                return None
            # A URI filename (``file:/path?mode=ro``) names the same file.
            self._write_lock = SqliteWriteLock(Path(database.removeprefix("file:")))
        return self._write_lock

    def _transaction(self, *, write_turn: bool = False) -> Iterator[Session]:
        with self.engine.connect() as conn:
            if is_sqlite(self.engine):
                # Read by the engine's "begin" listener. ``conn.info`` belongs to the pooled
                # connection and outlives this checkout: left set, every later reader of
                # that connection would begin IMMEDIATE and queue behind the writers.
                conn.info["sqlite_immediate"] = True
            try:
                with conn.begin():
                    if write_turn and not is_sqlite(self.engine):
                        take_postgres_write_lock(conn)
                    session = Session(bind=conn, expire_on_commit=False, autoflush=True)
                    session.info[SESSION_CONTEXT_KEY] = self
                    try:
                        yield session
                        session.flush()
                    finally:
                        session.close()
            finally:
                conn.info.pop("sqlite_immediate", None)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session; nothing it does is committed.

        Closed, not rolled back first: ``close()`` drops the session's objects and hands the
        connection back to the pool, which rolls its transaction back. A ``rollback()`` of
        the session would first expire every object it loaded (a list page's rows, one by
        one): about a tenth of a list request's CPU, for nothing."""
        session = Session(bind=self.engine, expire_on_commit=False)
        session.info[SESSION_CONTEXT_KEY] = self
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_lock is not None:
            self._write_lock.close()
