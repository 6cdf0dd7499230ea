"""CSV import of reports: all-or-nothing per file, resumable after a crash.

1. The whole file is parsed and validated first (``intake.csvformat``). Any invalid row
   means nothing is imported and the error lists every bad row and column — unless
   ``skip_invalid`` is set: then the valid rows are imported and the rejected ones written,
   with their reasons, to ``rejects_path``. No accepted row is ever dropped silently.
2. Each row has an idempotency key: ``csv:<client_id>`` when the file has a ``client_id``
   column, else ``csv:<SHA-256 of the file>:<row number>``. Rows whose key is already
   stored with the same content are counted as ``already_present``; a key stored with
   different content is an error of that row (step 1's rule applies).
3. Rows are written in batches (``settings.import_batch_size``), one transaction and one
   ledger entry (``intake:import:batch-committed``, listing every report id and content
   hash) per batch. A crash loses at most the batch in flight; running the same import
   again stores exactly the missing rows, once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, String, Table, any_, column, func, literal, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from ceasefire.access import Role, Viewer
from ceasefire.actor import Actor
from ceasefire.db.base import UTCDateTime
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, Forbidden, InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.ids import new_ids
from ceasefire.ledger.service import append
from ceasefire.members.posts import KnownSources
from ceasefire.members.scope import ReadScope
from ceasefire.members.service import actor_of
from ceasefire.reports.csvformat import ValidatedCsv, ValidRow, rejects_csv, validate_csv
from ceasefire.reports.events import ImportBatchCommitted, ReportTag
from ceasefire.reports.model import QUERY_FIELDS, Channel
from ceasefire.reports.service import check_channel, enqueue_for_fusion, referenced_source
from ceasefire.reports.tables import ReportRow
from ceasefire.timeutil import utcnow

KEY_LOOKUP_CHUNK = 10_000
REPORTS_TABLE: Table = ReportRow.__table__  # type: ignore[assignment]


@dataclass
class ImportResult:
    """What an import did; ``rejected`` rows are in ``rejects_path`` when one was given."""

    file_sha256: str
    filename: str
    rows_total: int
    imported: int = 0
    already_present: int = 0
    rejected: int = 0
    batches: int = 0
    rejects_path: str | None = None
    report_ids: list[str] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file_sha256": self.file_sha256,
            "filename": self.filename,
            "rows_total": self.rows_total,
            "imported": self.imported,
            "already_present": self.already_present,
            "rejected": self.rejected,
            "batches": self.batches,
            "rejects_path": self.rejects_path,
        }


def _stored_keys(session: Session, owner: str, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
    """key → (report id, content hash) for the keys already stored for ``owner``."""
    found: dict[str, tuple[str, str]] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    for index in range(0, len(keys), KEY_LOOKUP_CHUNK):
        chunk = list(keys[index : index + KEY_LOOKUP_CHUNK])
        # One parameter for the whole chunk, whatever its size: PostgreSQL plans an IN list
        # of hundreds of parameters anew each time (tens of ms), and SQLite limits their
        # number; an array (PostgreSQL) or a JSON list (SQLite) is planned once.
        match = (
            ReportRow.idempotency_key == any_(literal(chunk, ARRAY(String)))
            if postgres
            else ReportRow.idempotency_key.in_(
                select(column("value")).select_from(func.json_each(json.dumps(chunk)))
            )
        )
        rows = session.execute(
            select(ReportRow.idempotency_key, ReportRow.id, ReportRow.content_sha256)
            .where(ReportRow.owner_member == owner)
            .where(match)
        )
        for key, rid, digest in rows:
            if key is not None:
                found[key] = (rid, digest)
    return found


@dataclass(frozen=True)
class _ReportWriter:
    """Writes prepared report rows with the DB-API's ``executemany`` (PostgreSQL: ``COPY``):
    the rows are made as tuples of database parameters by the validating workers
    (``parameters``), so the writing process only adds the batch's constants. The bind
    processors are SQLAlchemy's own for each column, so values are stored exactly as an ORM
    or Core insert stores them.
    """

    sql: str
    copy_sql: str | None  # PostgreSQL: the rows go in with COPY instead
    owner: str
    submitted_by: str | None
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    received_at: Callable[[Any], Any] | None

    @classmethod
    def for_actor(cls, ctx: ServiceContext, actor: Actor) -> _ReportWriter:
        dialect = ctx.engine.dialect
        marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
        columns = (*_HEAD_COLUMNS, *QUERY_FIELDS, *_CONTENT_COLUMNS, *_TAIL_COLUMNS)
        processors = tuple(
            (index, processor)
            for index, name in enumerate(QUERY_FIELDS)
            if (processor := _bind_processor(name, dialect)) is not None
        )
        names, markers = ", ".join(columns), ", ".join([marker] * len(columns))
        return cls(
            sql=f"INSERT INTO {REPORTS_TABLE.name} ({names}) VALUES ({markers})",  # noqa: S608
            copy_sql=(
                f"COPY {REPORTS_TABLE.name} ({names}) FROM STDIN"
                if dialect.name == "postgresql"
                else None
            ),
            owner=actor.member_id,
            submitted_by=actor.user_id,
            processors=processors,
            received_at=_bind_processor("received_at", dialect),
        )

    def parameters(self, rows: list[ValidRow]) -> list[tuple[Any, ...]]:
        """The parameters of report rows, less the batch's (``_TAIL_COLUMNS``)."""
        owner, submitted_by, processors = self.owner, self.submitted_by, self.processors
        out: list[tuple[Any, ...]] = []
        for report_id, row in zip(new_ids("rep", len(rows)), rows, strict=True):
            fields: Sequence[Any] = row.fields
            if processors:
                fields = list(fields)
                for index, processor in processors:
                    fields[index] = processor(fields[index])
            out.append(
                (
                    report_id,
                    owner,
                    submitted_by,
                    row.idempotency_key,
                    *fields,
                    row.content,
                    row.content_sha256,
                )
            )
        return out

    def write(
        self, session: Session, rows: Sequence[tuple[Any, ...]], file_sha256: str, now: datetime
    ) -> None:
        received = self.received_at(now) if self.received_at is not None else now
        tail = (file_sha256, received)
        connection = session.connection()
        if self.copy_sql is None:
            connection.exec_driver_sql(self.sql, [row + tail for row in rows])
            return
        # COPY in the session's transaction: PostgreSQL's bulk path, several times cheaper
        # than one INSERT per row for the server and for psycopg. A duplicate key still
        # fails the whole batch with an IntegrityError (``_write_batch`` retries).
        dbapi = connection.connection.dbapi_connection
        cursor = dbapi.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row + tail)
        except connection.dialect.loaded_dbapi.IntegrityError as exc:
            # As SQLAlchemy would have raised it, for the caller's retry.
            raise sa_exc.IntegrityError(self.copy_sql, None, exc) from exc
        finally:
            cursor.close()


def _bind_processor(name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a value of column ``name`` before handing it to the driver
    (e.g. aware datetimes to SQLite's UTC text)."""
    column_type = REPORTS_TABLE.c[name].type
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is not None and isinstance(column_type, UTCDateTime):
        # SQLAlchemy's two layers cost ~5 us a value; the same text written at once,
        # checked against them here so that a change of format cannot go unnoticed.
        probes = [
            datetime(2020, 11, 26, 10, 23, 5, 120, tzinfo=UTC),
            datetime(2020, 11, 26, 1, 2, tzinfo=timezone(timedelta(hours=3))),
            datetime.now(UTC),
        ]
        if all(_sqlite_utc_text(p) == processor(p) for p in probes):
            return _sqlite_utc_text
    return processor


def _sqlite_utc_text(value: datetime) -> str:
    """An aware datetime as SQLAlchemy stores it in SQLite: UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value.tzinfo is UTC:  # as validation leaves them (formatting beats isoformat here)
        return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
        )
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


_HEAD_COLUMNS = ("id", "owner_member", "submitted_by", "idempotency_key")
_CONTENT_COLUMNS = ("content", "content_sha256")
_TAIL_COLUMNS = ("import_file_sha256", "received_at")
# Positions in the parameter tuples of _ReportWriter.
_ID, _KEY, _SHA = 0, 3, len(_HEAD_COLUMNS) + len(QUERY_FIELDS) + 1


def _write_batch(
    ctx: ServiceContext,
    actor: Actor,
    writer: _ReportWriter,
    checked: ValidatedCsv,
    filename: str,
    batch: list[tuple[Any, ...]],
) -> list[str]:
    """Insert one batch and its ledger entry in one transaction; the ids actually written.

    The keys were checked before the import began; the unique constraint on (owner, key)
    catches a concurrent run that stored some meanwhile, and then this batch is retried
    without them: skipped, never duplicated.
    """
    collided = False
    for _attempt in range(3):
        try:
            with ctx.unit_of_work() as session:
                rows = batch
                if collided:
                    present = _stored_keys(session, actor.member_id, [r[_KEY] for r in batch])
                    rows = [r for r in batch if r[_KEY] not in present]
                if not rows:
                    return []
                now = utcnow()
                writer.write(session, rows, checked.sha256, now)
                enqueue_for_fusion(session, [r[_ID] for r in rows], at=now)
                append(
                    session,
                    ctx.settings,
                    tag=ReportTag.IMPORT_BATCH_COMMITTED,
                    subject=f"import/{checked.sha256}",
                    payload=ImportBatchCommitted(
                        {
                            "file_sha256": checked.sha256,
                            "filename": filename,
                            "received_at": now.isoformat(),
                            "owner_member": actor.member_id,
                            "reports": [[r[_ID], r[_SHA], r[_KEY]] for r in rows],
                        }
                    ),
                    actor=actor,
                )
                return [r[_ID] for r in rows]
        except sa_exc.IntegrityError:
            collided = True  # a concurrent run stored some of these keys: look again
    raise InvalidInput.worded(
        N_("the import kept colliding with a concurrent import of the same rows"),
        details=[problem("file", N_("retry the import"))],
    )


def _refused_sources(
    checked: ValidatedCsv,
    named: dict[int, tuple[str | None, str | None]],
    sources: KnownSources,
    viewer: Viewer,
) -> set[int]:
    """The valid rows naming a post or sensor the importer may not name
    (``referenced_source``), each rejected as an error of its own row and column."""
    refused: set[int] = set()
    for row, _key in checked.keys:
        if row not in named:
            continue
        try:
            referenced_source(sources, viewer, *named[row])
        except CeasefireError as exc:
            (first, *_) = exc.details or [problem("row", exc.message)]
            checked.reject(row, str(first["loc"]), str(first["message"]))
            refused.add(row)
    return refused


def _refused_channels(checked: ValidatedCsv, scope: ReadScope) -> set[int]:
    """The valid rows whose channel the importer may not file through (``check_channel``,
    as for a report filed alone): a monitor's file cannot hold a party's complaint."""
    refused: set[int] = set()
    valid = {row for row, _key in checked.keys}
    for row, (text, agreement_id) in checked.named_cells("channel", "agreement_id").items():
        if row not in valid or text is None:
            continue
        try:
            check_channel(scope, Channel(text), agreement_id)
        except CeasefireError as exc:
            (first, *_) = exc.details or [problem("channel", exc.message)]
            checked.reject(row, str(first["loc"]), str(first["message"]))
            refused.add(row)
    return refused


def check_may_import(ctx: ServiceContext, viewer: Viewer) -> None:
    """Refuse, before any upload is stored or parsed, a caller who may import nothing: the
    public, and members monitoring no agreement. (Which agreements the rows name is checked
    once they are read: a monitor of every one of them.)"""
    if viewer.is_public:
        raise Forbidden.worded(N_("sign in to import reports"))
    if viewer.operator:
        return
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer, utcnow())
    if not any(role.role is Role.MONITOR for role in scope.roles):
        raise Forbidden.worded(N_("only monitors (or operators) import reports"))


def import_csv(
    ctx: ServiceContext,
    viewer: Viewer,
    path: Path,
    *,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> ImportResult:
    """Import the reports of one CSV file (see the module docstring for the guarantees).

    ``workers`` > 1 validates a large file in that many processes, which then prepare each
    batch while the previous one is written (the CLI uses every core; the API, whose threads
    must not fork, validates in its own thread).
    """
    check_may_import(ctx, viewer)
    actor = actor_of(viewer)
    if skip_invalid and rejects_path is None:
        rejects_path = path.with_name(path.name + ".rejects.csv")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput.worded(
            N_("cannot read %(path)s: %(strerror)s"),
            details=[problem("file", str(exc))],
            path=path,
            strerror=exc.strerror,
        ) from exc
    now = now or utcnow()
    writer = _ReportWriter.for_actor(ctx, actor)
    with validate_csv(
        data,
        now=now,
        future_tolerance=timedelta(seconds=ctx.settings.report_future_tolerance_s),
        workers=workers,
        prepare=writer.parameters,
    ) as checked:
        return _import_checked(
            ctx, viewer, actor, writer, checked, path.name, skip_invalid, rejects_path, progress
        )


def _import_checked(
    ctx: ServiceContext,
    viewer: Viewer,
    actor: Actor,
    writer: _ReportWriter,
    checked: ValidatedCsv,
    filename: str,
    skip_invalid: bool,
    rejects_path: Path | None,
    progress: Callable[[int, int], None] | None,
) -> ImportResult:
    with ctx.reader() as session:
        # Looked up while the workers validate: the keys need only the cells.
        stored = _stored_keys(session, actor.member_id, [key for _, key in checked.row_keys])
        named = checked.named_sources()
        sources = KnownSources.load(
            session, (p for p, _ in named.values() if p), (s for _, s in named.values() if s)
        )
        checked.wait()
        scope = ReadScope.load(session, viewer, utcnow())
        if not all(scope.is_monitor(a) for a in checked.agreements or {None}):
            raise Forbidden.worded(N_("only monitors (or operators) import reports"))
    result = ImportResult(file_sha256=checked.sha256, filename=filename, rows_total=checked.total)
    refused = _refused_sources(checked, named, sources, viewer) | _refused_channels(checked, scope)
    digests = checked.digests([row for row, key in checked.keys if key in stored])
    pending: list[int] = []
    for row, key in checked.keys:
        if row in refused:
            continue
        known = stored.get(key)
        if known is None:
            pending.append(row)
        elif known[1] == digests[row]:
            result.already_present += 1
        else:
            checked.reject(
                row,
                "client_id" if "client_id" in checked.columns else "row",
                f"already imported as {known[0]} with different content",
            )
    if checked.errors and not skip_invalid:
        count = len({e.row for e in checked.errors})
        raise InvalidInput.worded(
            N_(
                "%(count)s of %(total)s rows are invalid; nothing was imported (use "
                "--skip-invalid to import the valid rows)"
            ),
            details=checked.error_details(),
            count=count,
            total=checked.total,
        )
    result.rejected = len(checked.errors)
    if checked.errors and rejects_path is not None:
        rejects_path.write_text(rejects_csv(checked), encoding="utf-8")
        result.rejects_path = str(rejects_path)
    size = max(1, ctx.settings.import_batch_size)
    done = 0
    for batch in checked.stored(pending, size):
        written = _write_batch(ctx, actor, writer, checked, filename, batch)
        result.imported += len(written)
        result.already_present += len(batch) - len(written)
        result.batches += 1 if written else 0
        result.report_ids.extend(written)
        done += len(batch)
        if progress is not None:
            progress(done, len(pending))
    return result
