"""Health that tells the truth: can the database take a write *now*?

A health check that only answers "the process is up" stayed green while every token request
failed on a read-only database or a full disk (issue 12, defect 7). :func:`check_storage`
writes one row in a transaction it rolls back (nothing is kept), and on SQLite also checks
the free space where the database and its write-ahead log live, since a rolled-back write
never reaches the disk and so cannot see a full one.

:func:`storage_error` turns the database driver's errors for the same faults into a coded
:class:`~ceasefire.errors.Unavailable` (HTTP 503) with the reason, so no request answers a
bare 500 for them.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InternalError, OperationalError

from ceasefire.errors import Unavailable

__all__ = [
    "MIN_FREE_BYTES",
    "PROBE_KEY",
    "Unavailable",
    "check_storage",
    "classify",
    "os_storage_error",
    "storage_error",
]
from ceasefire.db.context import ServiceContext
from ceasefire.i18n.markers import N_

MIN_FREE_BYTES = 64 * 1024 * 1024
"""Below this much free space next to a SQLite database, health answers 503 (``disk_full``):
a report, its ledger entry and the WAL need room, and an almost full disk fails writes
part way."""

PROBE_KEY = "health-probe"
PROBE_BUSY_TIMEOUT_MS = 5000
"""How long the SQLite probe waits for a writer's lock before answering ``busy``."""

_READ_ONLY = ("readonly", "read-only", "read only")
_DISK_FULL = ("disk is full", "no space left", "could not extend file", "disk full")
_BUSY = ("database is locked", "database is busy", "lock timeout")


def classify(message: str) -> str:
    """The reason behind a database error message: read_only, disk_full, busy or
    unavailable (anything else, e.g. the server cannot be reached)."""
    lowered = message.lower()
    for reason, needles in (("read_only", _READ_ONLY), ("disk_full", _DISK_FULL), ("busy", _BUSY)):
        if any(n in lowered for n in needles):
            return reason
    return "unavailable"


_MESSAGES = {
    "read_only": N_("the database is read-only: nothing can be recorded (%(cause)s)"),
    "disk_full": N_("the disk holding the database is full: nothing can be recorded (%(cause)s)"),
    "busy": N_(
        "the database stayed locked by another writer: nothing could be recorded now (%(cause)s)"
    ),
    "unavailable": N_("the database cannot be reached or written (%(cause)s)"),
}
"""Each reason's message, as the catalogue holds it: ``cause`` is the driver's own words."""


def storage_error(exc: DBAPIError) -> Unavailable:
    """A coded 503 for a database error caused by the storage, naming the reason."""
    reason = classify(str(exc.orig))
    return Unavailable.worded(
        _MESSAGES[reason],
        details={"check": "database_write", "reason": reason},
        cause=str(exc.orig).strip()[:200],
    )


_ERRNO_REASONS = {errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EROFS: "read_only"}


def os_storage_error(exc: OSError) -> Unavailable | None:
    """A coded 503 for a file the server could not write (the key file, an attachment, the
    write lock) on a full or read-only file system; None for any other OSError."""
    reason = _ERRNO_REASONS.get(exc.errno or 0)
    if reason is None:
        return None
    where = f" ({exc.filename})" if exc.filename else ""
    return Unavailable.worded(
        _FILE_MESSAGES[reason], details={"check": "file_write", "reason": reason}, where=where
    )


_FILE_MESSAGES = {
    "disk_full": N_(
        "the disk is full: the server cannot write its files%(where)s: nothing can be recorded"
    ),
    "read_only": N_(
        "the file system is read-only: the server cannot write its files%(where)s: nothing can be"
        " recorded"
    ),
}


def _sqlite_directory(ctx: ServiceContext) -> Path | None:
    database = ctx.engine.url.database
    if not database or database == ":memory:":
        return None
    # A URI filename (``sqlite:///file:/path?mode=ro&uri=true``) names the file after "file:".
    return Path(database.removeprefix("file:")).resolve().parent


class StorageHealth(BaseModel):
    """What ``/health`` says of the storage when it takes a write."""

    database: Literal["writable"]
    backend: str
    free_bytes: int | None = Field(description="Free space beside the SQLite file (else null).")
    checked_in_ms: float


def check_storage(ctx: ServiceContext) -> StorageHealth:
    """Write a probe row and roll it back; on SQLite check the free space too.

    Returns the storage's health (``database="writable"``); raises :class:`Unavailable`
    with the reason (``read_only``, ``disk_full``, ``busy``, ``unavailable``) otherwise.
    """
    started = time.perf_counter()
    sqlite = ctx.engine.dialect.name == "sqlite"
    free: int | None = None
    if sqlite:
        directory = _sqlite_directory(ctx)
        if directory is not None:
            stats = os.statvfs(directory)
            free = stats.f_bavail * stats.f_frsize
            if free < MIN_FREE_BYTES:
                raise Unavailable.worded(
                    N_(
                        "the disk holding the database is full: nothing can be recorded"
                        " (%(free)s MiB free in %(directory)s, %(needed)s MiB needed)"
                    ),
                    details={"check": "free_space", "reason": "disk_full", "free_bytes": free},
                    free=free // (1024 * 1024),
                    directory=directory,
                    needed=MIN_FREE_BYTES // (1024 * 1024),
                )
    try:
        with ctx.engine.connect() as conn:
            if sqlite:
                # Not the pool's 30 s: a health check must answer while a writer is busy.
                conn.exec_driver_sql(f"PRAGMA busy_timeout={PROBE_BUSY_TIMEOUT_MS}")
                conn.commit()  # the statement began a transaction; the probe needs its own
            try:
                with conn.begin() as transaction:
                    conn.execute(
                        text("INSERT INTO installation (key, value) VALUES (:k, :v)"),
                        {"k": PROBE_KEY, "v": "written and rolled back by /health"},
                    )
                    transaction.rollback()
            finally:
                if sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout=30000")
                    conn.commit()
    except DBAPIError as exc:
        raise storage_error(exc) from exc
    return StorageHealth(
        database="writable",
        backend=ctx.engine.dialect.name,
        free_bytes=free,
        checked_in_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def unavailable_for(exc: BaseException) -> Unavailable | None:
    """The coded 503 for an error the storage caused (a read-only database, a full disk, a
    lock held too long, a database that cannot be reached; PostgreSQL says "read-only
    transaction" as an internal error), or None when the storage is not the cause."""
    if isinstance(exc, OperationalError):
        return storage_error(exc)
    if isinstance(exc, InternalError) and classify(str(exc.orig)) == "read_only":
        return storage_error(exc)
    if isinstance(exc, OSError):
        return os_storage_error(exc)
    return None
