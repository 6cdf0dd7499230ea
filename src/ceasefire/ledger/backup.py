"""Backups that restore exactly, and one check of everything a restored copy must satisfy.

* :func:`backup` -- SQLite: the online backup API (``sqlite3.Connection.backup``), which
  copies one consistent snapshot however many writers are busy, unlike ``cp`` of a live
  file (a ``cp`` under load gave copies with rows missing from their indexes). PostgreSQL:
  ``pg_dump`` (one snapshot too). The copy is checked before it is reported as made.
* :func:`restore` -- refuses to overwrite a database that holds anything unless forced.
* :func:`check` -- the database's own integrity check, ``ledger verify``, and the tree
  recomputed from the entries against every head it issued and against the last head a
  witness kept (a restored *older* copy verifies on its own: only a witness knows more).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ceasefire.config import Settings
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.db.engine import normalise_url
from ceasefire.errors import Conflict, IntegrityError, InvalidInput, NotFound, Unavailable, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger.schemas import (
    BackupSummary,
    CheckSummary,
    DatabaseIntegrity,
    LedgerCheckPart,
    RestoreSummary,
)


def _backend(url: str) -> str:
    name = make_url(normalise_url(url)).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise InvalidInput.worded(
            N_("backups support SQLite and PostgreSQL, not %(name)s"),
            details=[problem("database_url", N_("unsupported backend"))],
            name=name,
        )
    return name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput.worded(
            N_("an in-memory SQLite database cannot be backed up or restored"),
            details=[problem("database_url", N_("no file"))],
        )
    return Path(database)


def _libpq_url(url: str) -> tuple[str, str | None]:
    """The URL for pg_dump/pg_restore (no SQLAlchemy driver) and the schema, if the URL
    names one in ``options=-csearch_path=...``."""
    parsed = make_url(normalise_url(url)).set(drivername="postgresql")
    options = parsed.query.get("options")
    schema = search_path_schema(options) if isinstance(options, str) else None
    return parsed.render_as_string(hide_password=False), schema


def search_path_schema(options: str) -> str | None:
    """The first schema of the ``search_path`` a libpq ``options`` string sets, in any of its
    forms (``-csearch_path=a``, ``-c search_path=a``, ``--search-path=a``) and among other
    settings (``-c statement_timeout=0 -c search_path=a,public``)."""
    words = options.split()
    for index, word in enumerate(words):
        if word == "-c":
            setting = words[index + 1] if index + 1 < len(words) else ""
        elif word.startswith(("-c", "--")):
            setting = word[2:]
        else:
            continue
        name, _, value = setting.partition("=")
        if name.replace("-", "_") == "search_path":
            return value.split(",")[0].strip().strip('"') or None
    return None


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Unavailable.worded(
            N_(
                "%(name)s is not installed, so a PostgreSQL database cannot be backed up:"
                " install the PostgreSQL client tools of the server's major version"
                " (Debian/Ubuntu: apt-get install postgresql-client)"
            )
            if name == "pg_dump"
            else N_(
                "%(name)s is not installed, so a PostgreSQL database cannot be restored:"
                " install the PostgreSQL client tools of the server's major version"
                " (Debian/Ubuntu: apt-get install postgresql-client)"
            ),
            details=[problem("database_url", N_("%(name)s not found on PATH"), name=name)],
            name=name,
        )
    return found


def _sqlite_integrity(connection: sqlite3.Connection) -> list[str]:
    rows = [str(r[0]) for r in connection.execute("PRAGMA integrity_check")]
    problems = [] if rows == ["ok"] else rows
    problems += [
        f"foreign key: {r[0]} row {r[1]} refers to a missing {r[2]}"
        for r in connection.execute("PRAGMA foreign_key_check")
    ]
    return problems


def _fsync(path: Path) -> None:
    """Flush a file, or a directory (so that a rename in it is durable), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ledger_head_sqlite(connection: sqlite3.Connection) -> tuple[int, str | None]:
    row = connection.execute(
        "SELECT seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, None)


def backup(settings: Settings, out: Path, *, force: bool = False) -> BackupSummary:
    """Write a consistent copy of the database to ``out`` (0600); returns a summary."""
    out = Path(out)
    if out.exists() and not force:
        raise Conflict.worded(
            N_("%(out)s exists: choose another file or pass --force to replace it"),
            details=[problem("out", N_("exists"))],
            out=out,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    backend = _backend(settings.database_url)
    seq: int | None = None
    head: str | None = None
    if backend == "sqlite":
        source_path = _sqlite_path(settings.database_url)
        if not source_path.is_file():
            raise NotFound.worded(
                N_("no SQLite database at %(source_path)s"),
                details=[problem("database_url", N_("no such file"))],
                source_path=source_path,
            )
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        source = sqlite3.connect(source_path, timeout=30)
        try:
            target = sqlite3.connect(tmp)
            try:
                # pages=-1 (the default): the whole database in one step, under one read
                # transaction, so concurrent writers (WAL) never make it restart or tear.
                source.backup(target)
                problems = _sqlite_integrity(target)
                seq, head = _ledger_head_sqlite(target)
            finally:
                target.close()
        finally:
            source.close()
        if problems:
            tmp.unlink(missing_ok=True)
            raise IntegrityError.worded(
                N_(
                    "the copy of %(source_path)s fails SQLite's integrity check: %(problem)s -- "
                    "the source database itself is damaged; run `ceasefire check`"
                ),
                details=problems[:50],
                source_path=source_path,
                problem=problems[0],
            )
        integrity = "ok"
    else:
        pg_dump = _pg_tool("pg_dump")
        url, schema = _libpq_url(settings.database_url)
        command = [pg_dump, "--format=custom", "--no-owner", "--file", str(tmp)]
        if schema:
            command += ["--schema", schema]
        # No shell: the tool found on PATH with our own arguments and the configured URL.
        result = subprocess.run(  # noqa: S603
            [*command, "--dbname", url], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise Unavailable.worded(
                N_("pg_dump failed (%(returncode)s): %(stderr)s"),
                returncode=result.returncode,
                stderr=result.stderr.strip()[:2000],
            )
        os.chmod(tmp, 0o600)
        integrity = "pg_dump completed"
    _fsync(tmp)
    tmp.replace(out)
    _fsync(out.parent)
    return BackupSummary(
        path=str(out),
        backend=backend,
        integrity=integrity,
        head_seq=seq,
        head_hash=head,
        bytes=out.stat().st_size,
        seconds=round(time.perf_counter() - started, 3),
    )


def _replaceable(held: int | None, force: bool, msgid: str, **params: str) -> None:
    """Refuse (``msgid``, with ``held`` and ``params``) to restore over a database that holds
    ``held`` ledger entries (``None``: none of our tables), unless ``force``."""
    if held is not None and not force:
        raise Conflict.worded(
            msgid,
            details=[problem("database_url", N_("not empty"), extra={"ledger_entries": held})],
            held=held,
            **params,
        )


def _has_data_sqlite(path: Path) -> int | None:
    """Ledger entries in the SQLite file at ``path``; None when it holds no tables."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    connection = sqlite3.connect(path, timeout=30)
    try:
        tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type='table'")
        if not tables.fetchone()[0]:
            return None
        try:
            return int(connection.execute("SELECT count(*) FROM ledger_entries").fetchone()[0])
        except sqlite3.DatabaseError:
            return 0
    finally:
        connection.close()


def _has_data_postgres(ctx: ServiceContext) -> int | None:
    with ctx.engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass('ledger_entries')")).scalar()
        if exists is None:
            return None
        return int(conn.execute(text("SELECT count(*) FROM ledger_entries")).scalar() or 0)


def restore(settings: Settings, backup_file: Path, *, force: bool = False) -> RestoreSummary:
    """Put ``backup_file`` in place of the configured database (stop the server first).

    Refuses to replace a database that holds tables unless ``force``.
    """
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise NotFound.worded(
            N_("no backup at %(path)s"),
            details=[problem("backup_file", N_("no such file"))],
            path=backup_file,
        )
    backend = _backend(settings.database_url)
    started = time.perf_counter()
    seq: int | None = None
    head: str | None = None
    if backend == "sqlite":
        target = _sqlite_path(settings.database_url)
        _replaceable(
            _has_data_sqlite(target),
            force,
            N_(
                "%(target)s already holds a database (%(held)s ledger entries): pass --force "
                "to replace it (stop the server first)"
            ),
            target=str(target),
        )
        source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            problems = _sqlite_integrity(source)
            if problems:
                raise IntegrityError.worded(
                    N_("%(backup_file)s fails SQLite's integrity check: %(problem)s"),
                    details=problems[:50],
                    backup_file=backup_file,
                    problem=problems[0],
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.restoring")
            tmp.unlink(missing_ok=True)
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            copy = sqlite3.connect(tmp)
            try:
                source.backup(copy)
                seq, head = _ledger_head_sqlite(copy)
            finally:
                copy.close()
        finally:
            source.close()
        _fsync(tmp)
        # The old file's write-ahead log belongs to the old file: it must not be replayed
        # into the restored one.
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        tmp.replace(target)
        _fsync(target.parent)
    else:
        pg_restore = _pg_tool("pg_restore")
        ctx = ServiceContext.from_settings(settings)
        try:
            held = _has_data_postgres(ctx)
        finally:
            ctx.dispose()
        _replaceable(
            held,
            force,
            N_(
                "the database already holds the ceasefire tables (%(held)s ledger entries): "
                "pass --force to replace them (stop the server first)"
            ),
        )
        url, _schema = _libpq_url(settings.database_url)
        # No shell: the tool found on PATH with our own arguments and the configured URL.
        result = subprocess.run(  # noqa: S603
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                url,
                str(backup_file),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise Unavailable.worded(
                N_("pg_restore failed (%(returncode)s): %(stderr)s"),
                returncode=result.returncode,
                stderr=result.stderr.strip()[:2000],
            )
    return RestoreSummary(
        restored_from=str(backup_file),
        backend=backend,
        head_seq=seq,
        head_hash=head,
        seconds=round(time.perf_counter() - started, 3),
    )


def database_integrity(ctx: ServiceContext) -> DatabaseIntegrity:
    """SQLite: ``PRAGMA integrity_check`` and ``foreign_key_check``. PostgreSQL: every index
    valid and every table readable end to end (a sanity check; PostgreSQL checksums and
    ``amcheck`` go further where enabled)."""
    problems: list[str] = []
    with ctx.engine.connect() as conn:
        if ctx.engine.dialect.name == "sqlite":
            rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if rows != ["ok"]:
                problems.extend(rows)
            problems.extend(
                f"foreign key: {r[0]} row {r[1]} refers to a missing {r[2]}"
                for r in conn.exec_driver_sql("PRAGMA foreign_key_check")
            )
            method = "PRAGMA integrity_check, foreign_key_check"
        else:
            invalid = conn.execute(
                text(
                    "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)"
                )
            ).scalars()
            problems.extend(f"index {name} is not valid" for name in invalid)
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            for table in list(tables):
                # A name PostgreSQL itself listed, quoted as an identifier.
                quoted = '"' + str(table).replace('"', '""') + '"'
                conn.execute(text(f"SELECT count(*) FROM {quoted}"))  # noqa: S608
            method = "indexes valid, every table read"
    return DatabaseIntegrity(ok=not problems, method=method, problems=problems[:100])


def check(
    ctx: ServiceContext,
    *,
    witness_state: Path | None = None,
    check_signatures: bool = True,
    workers: int = 1,
) -> CheckSummary:
    """``ceasefire check``: database integrity, ledger verify, and the tree against every
    issued head and the last witnessed one. ``ok`` only when all three hold."""
    from ceasefire.ledger import service as ledger
    from ceasefire.ledger import tree_heads as ledger_tree
    from ceasefire.ledger import witness as ledger_witness

    started = time.perf_counter()
    integrity = database_integrity(ctx)
    verification = ledger.verify(ctx, check_signatures=check_signatures, workers=workers)
    witnessed = key = None
    if witness_state is not None:
        witnessed, key = ledger_witness.witnessed_head(witness_state)
    tree = ledger_tree.check_tree(ctx, witnessed=witnessed, witnessed_key=key)
    summary = verification.summary()
    return CheckSummary(
        ok=integrity.ok and verification.ok and tree.ok,
        database=integrity,
        ledger=shape_of(LedgerCheckPart, summary, findings=summary.findings[:50]),
        tree=tree.public(),
        seconds=round(time.perf_counter() - started, 3),
    )
