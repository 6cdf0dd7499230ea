"""One writer at a time on a SQLite file, across threads and processes.

SQLite has one writer; a writer that finds the database locked waits in SQLite's busy
handler, which sleeps in growing steps (up to 100 ms): under concurrent requests the
throughput collapses. Queueing on a thread lock and an ``flock`` on a file beside the
database instead hands the database over the moment it is free. Every unit of work takes
it (``ServiceContext.unit_of_work``).

On PostgreSQL every unit of work first takes one transaction-scoped advisory lock,
``POSTGRES_WRITE_LOCK_KEY`` (the ledger's append lock): the writers are then ordered before
they touch a row. Taken only at the ledger's first append, as it once was, two writers
deadlocked: fusion in one server process updated an incident and then waited for the
ledger, while another process held the ledger and waited for that incident's row.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text

from ceasefire.errors import Unavailable
from ceasefire.i18n.markers import N_

POSTGRES_WRITE_LOCK_KEY = 0x6365617365666972
"""Key of the PostgreSQL advisory lock that orders the writers and serialises the ledger's
appends ("ceasefir" in ASCII)."""


def take_postgres_write_lock(conn: Connection) -> None:
    """Wait for the writers' turn on PostgreSQL, until the transaction ends (re-entrant:
    the ledger's append takes it again in the same transaction)."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": POSTGRES_WRITE_LOCK_KEY})


class SqliteWriteLock:
    """The write lock of one SQLite file, held by one service context.

    ``flock`` locks belong to an open file, so two contexts of one process on the same
    database (each with its own handle) exclude each other as two processes do.
    """

    def __init__(self, database: Path) -> None:
        self.path = Path(str(database.resolve()) + ".write-lock")
        self._thread_lock = threading.Lock()
        self._handle: tuple[int, IO[bytes]] | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block (not re-entrant: the unit of work takes it once per
        thread, however deep its units of work nest)."""
        with self._thread_lock:
            handle = self._handle
            if handle is None or handle[0] != os.getpid():  # a forked worker needs its own
                try:
                    handle = (os.getpid(), open(self.path, "ab"))  # noqa: SIM115 (kept open)
                except OSError as exc:  # a read-only or full file system: a coded 503
                    raise Unavailable.worded(
                        N_("cannot open the write lock %(path)s: %(strerror)s"),
                        details={"check": "write_lock", "reason": "read_only"},
                        path=self.path,
                        strerror=exc.strerror,
                    ) from exc
                self._handle = handle
            fcntl.flock(handle[1].fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle[1].fileno(), fcntl.LOCK_UN)

    def close(self) -> None:
        if self._handle is not None and self._handle[0] == os.getpid():
            self._handle[1].close()
        self._handle = None
