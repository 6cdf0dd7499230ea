"""An export split by id range over processes, every part read in one state of the record.

A full export of a million incidents costs about a minute of one core in Python (reading
the rows, building each record, writing its text): ``Helpers`` shares it. The caller
splits the id space into ranges (``id_ranges``), writes the first range's part itself,
streamed, and forks a helper for each other range, which writes its part to a file; the
caller then streams the files in order. The concatenation is byte for byte the serial
export.

An export must be one state of the record (members who distrust each other compare
them), so every part is read in the same snapshot:

- **PostgreSQL** shares it: the caller's ``REPEATABLE READ`` transaction exports its
  snapshot (``pg_export_snapshot()``) and each helper's transaction adopts it (``SET
  TRANSACTION SNAPSHOT``) before its first query.
- **SQLite** has no shared snapshot. A read transaction's snapshot is taken at its first
  read, and every writer commits only while it holds the database's write lock
  (``ServiceContext.unit_of_work``): the caller holds that lock while it and every helper
  take their snapshots, so no commit falls between them. Writers wait meanwhile, a few
  milliseconds (the helpers are forked and connected before the lock is taken).

As a check of both, each part reads the ledger's head (sequence number and hash) as its
first read: every change of an incident is ledgered in the unit of work that makes it,
so parts that saw the same head read the same record. Different heads fail the export
(``E409``) before a byte is sent.

Helpers are forked (Linux): they inherit the loaded modules and caches (the gazetteer)
and open their own database connections, never the caller's. Forking is for a
single-threaded process (the CLI, the benchmarks); the API exports serially.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Unavailable
from ceasefire.i18n.markers import N_
from ceasefire.ledger import service as ledger

READ_SIZE = 1 << 20
"""Characters read from a helper's part at a time while streaming it."""


@dataclass(frozen=True)
class IdRange:
    """The ids ``first <= id < before`` (None: unbounded)."""

    first: str | None = None
    before: str | None = None


EVERYTHING = IdRange()

Body = Callable[[Session, IdRange], Iterator[str]]
"""Writes the records of one id range, read in the given session."""


def can_split(ctx: ServiceContext) -> bool:
    """Whether helpers can be forked and read this database (not an in-memory SQLite one,
    which a new connection would find empty)."""
    url = ctx.engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    return "fork" in multiprocessing.get_all_start_methods() and not in_memory


def id_ranges(cuts: Sequence[str]) -> list[IdRange]:
    """The ranges between ascending ``cuts``, together every id (the first and last
    unbounded)."""
    bounds: list[str | None] = [None, *cuts, None]
    return [IdRange(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def repeatable(session: Session, snapshot: str | None = None) -> None:
    """One snapshot for the whole export on PostgreSQL (SQLite's read transaction is one),
    its times read in UTC: the driver reads a server zone named otherwise (``Etc/UTC``) as
    a zone of its own, ~1.7 us a value and as much again to convert, four columns of a
    million rows (the instants are the same). A helper gives the caller's ``snapshot`` to
    begin in it."""
    if _postgres(session):
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        if snapshot is not None:
            # Before any query of the transaction; the id is PostgreSQL's own (hex digits, dashes).
            connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _head(session: Session) -> tuple[int, str]:
    seq, _, entry_hash = ledger.head_at(session)
    return seq, entry_hash


def _help(conn: Connection, settings: Settings, body: Body, part: IdRange, path: Path) -> None:
    """A helper (forked): its own engine and connection (the caller's, inherited, are never
    touched, and stay referenced by the inherited frames until the process ends), the
    caller's snapshot, its part to ``path``."""
    try:
        ctx = ServiceContext.from_settings(settings)
        try:
            message = conn.recv()
        except EOFError:
            return  # the caller gave up before the start
        with ctx.reader() as session:
            repeatable(session, message)
            conn.send(("began", _head(session)))  # SQLite: the snapshot is taken here
            with path.open("w", encoding="utf-8", newline="") as out:
                for chunk in body(session, part):
                    out.write(chunk)
        conn.send(("done", None))
    except BaseException:  # handed to the caller, which raises it
        with contextlib.suppress(OSError):
            conn.send(("error", traceback.format_exc()))


class Helpers:
    """Forked processes writing the parts ``ranges[1:]`` of an export, in the snapshot of
    the caller's session (``begin``); the caller writes ``ranges[0]`` itself. Close it (or
    use it as a context manager): it stops the helpers and removes their files."""

    def __init__(self, ctx: ServiceContext, body: Body, ranges: Sequence[IdRange]) -> None:
        self._ctx = ctx
        self._folder = Path(tempfile.mkdtemp(prefix="ceasefire-export-"))
        self._paths = [self._folder / f"part-{i}" for i in range(1, len(ranges))]
        self._conns: list[Connection] = []
        self._procs: list[BaseProcess] = []
        context = multiprocessing.get_context("fork")
        try:
            for part, path in zip(ranges[1:], self._paths, strict=True):
                mine, theirs = context.Pipe()
                proc = context.Process(
                    target=_help, args=(theirs, ctx.settings, body, part, path), daemon=True
                )
                proc.start()
                theirs.close()
                self._conns.append(mine)
                self._procs.append(proc)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Helpers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def begin(self, session: Session) -> None:
        """Start ``session``'s transaction (its first read) and every helper's in the same
        snapshot; raise ``Conflict`` if a part saw another ledger head."""
        if _postgres(session):
            repeatable(session)
            snapshot = session.connection().exec_driver_sql("SELECT pg_export_snapshot()")
            heads = self._start(_head(session), snapshot.scalar_one())
        else:
            with contextlib.ExitStack() as held:
                with contextlib.suppress(Unavailable):
                    # No lock file on a read-only file system: then nothing writes.
                    held.enter_context(self._ctx.writes_held())
                heads = self._start(_head(session), None)
        if len(set(heads)) > 1:
            self.close()
            raise Conflict.worded(
                N_("the record changed while the export's parts began; export again"),
                details={"ledger_heads": sorted({seq for seq, _ in heads})},
            )

    def _start(self, own: tuple[int, str], snapshot: str | None) -> list[tuple[int, str]]:
        for conn in self._conns:
            conn.send(snapshot)
        return [own, *(self._answer(index, "began") for index in range(len(self._conns)))]

    def _answer(self, index: int, expected: str) -> Any:
        try:
            status, value = self._conns[index].recv()
        except EOFError as exc:
            raise RuntimeError(f"export helper {index + 1} died") from exc
        if status != expected:
            raise RuntimeError(f"export helper {index + 1} failed:\n{value}")
        return value

    def output(self, index: int) -> Iterator[str]:
        """The part of ``ranges[index]`` (1 or more), once its helper has written it."""
        self._answer(index - 1, "done")
        with self._paths[index - 1].open(encoding="utf-8", newline="") as part:
            while chunk := part.read(READ_SIZE):
                yield chunk

    def close(self) -> None:
        for conn in self._conns:
            conn.close()
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
        self._conns, self._procs = [], []
        shutil.rmtree(self._folder, ignore_errors=True)
