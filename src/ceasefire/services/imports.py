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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, String, Table, any_, insert, literal, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from ceasefire.db.models.intake import ReportRow
from ceasefire.domain.access import Viewer
from ceasefire.domain.actor import Actor
from ceasefire.domain.timeutil import utcnow
from ceasefire.errors import Forbidden, InvalidInput, problem
from ceasefire.intake.csvformat import ParsedFile, ParsedRow, RowError, parse_csv, rejects_csv
from ceasefire.intake.ids import new_id
from ceasefire.services.context import ServiceContext
from ceasefire.services.intake_access import ReadScope
from ceasefire.services.ledger import append
from ceasefire.services.members import actor_of

KEY_LOOKUP_CHUNK = 500
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
    # PostgreSQL plans an IN list of hundreds of parameters anew each time (tens of ms);
    # one array parameter is planned once.
    size = KEY_LOOKUP_CHUNK * 10 if postgres else KEY_LOOKUP_CHUNK
    for index in range(0, len(keys), size):
        chunk = list(keys[index : index + size])
        match = (
            ReportRow.idempotency_key == any_(literal(chunk, ARRAY(String)))
            if postgres
            else ReportRow.idempotency_key.in_(chunk)
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


def _write_batch(
    ctx: ServiceContext,
    actor: Actor,
    parsed: ParsedFile,
    filename: str,
    batch: list[ParsedRow],
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
                present = (
                    _stored_keys(session, actor.member_id, [r.idempotency_key for r in batch])
                    if collided
                    else {}
                )
                now = utcnow()
                values = [
                    {
                        "id": new_id("rep"),
                        "owner_member": actor.member_id,
                        "submitted_by": actor.user_id,
                        "idempotency_key": row.idempotency_key,
                        "received_at": now,
                        **row.fields,
                        "content": row.canonical[0],
                        "content_sha256": row.canonical[1],
                        "import_file_sha256": parsed.sha256,
                    }
                    for row in batch
                    if row.idempotency_key not in present
                ]
                if not values:
                    return []
                # Core executemany: the ORM's bulk path costs a third more per row here.
                session.connection().execute(insert(REPORTS_TABLE), values)
                append(
                    session,
                    ctx.settings,
                    tag="intake:import:batch-committed",
                    subject=f"import/{parsed.sha256}",
                    payload={
                        "file_sha256": parsed.sha256,
                        "filename": filename,
                        "received_at": now.isoformat(),
                        "owner_member": actor.member_id,
                        "reports": [
                            [v["id"], v["content_sha256"], v["idempotency_key"]] for v in values
                        ],
                    },
                    actor=actor,
                )
                return [v["id"] for v in values]
        except sa_exc.IntegrityError:
            collided = True  # a concurrent run stored some of these keys: look again
    raise InvalidInput(
        "the import kept colliding with a concurrent import of the same rows",
        details=[problem("file", "retry the import")],
    )


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

    ``workers`` > 1 validates a large file in that many processes (the CLI uses every core;
    the API, whose threads must not fork, validates in its own thread).
    """
    if viewer.is_public:
        raise Forbidden("sign in to import reports")
    actor = actor_of(viewer)
    if skip_invalid and rejects_path is None:
        rejects_path = path.with_name(path.name + ".rejects.csv")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {path}: {exc.strerror}", details=[problem("file", str(exc))]
        ) from exc
    now = now or utcnow()
    parsed = parse_csv(
        data,
        now=now,
        future_tolerance=timedelta(seconds=ctx.settings.report_future_tolerance_s),
        workers=workers,
    )
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer, now)
        agreements = {r.fields["agreement_id"] for r in parsed.rows}
        if not all(scope.is_monitor(a) for a in agreements or {None}):
            raise Forbidden("only monitors (or operators) import reports")
        stored = _stored_keys(session, actor.member_id, [r.idempotency_key for r in parsed.rows])
    pending: list[ParsedRow] = []
    result = ImportResult(file_sha256=parsed.sha256, filename=path.name, rows_total=parsed.total)
    for row in parsed.rows:
        digest = row.canonical[1]
        known = stored.get(row.idempotency_key)
        if known is None:
            pending.append(row)
        elif known[1] == digest:
            result.already_present += 1
        else:
            parsed.errors.append(
                RowError(
                    row.row,
                    row.line,
                    (
                        {
                            "column": "client_id" if "client_id" in parsed.columns else "row",
                            "message": f"already imported as {known[0]} with different content",
                        },
                    ),
                    row.cells,
                )
            )
    parsed.errors.sort(key=lambda e: e.row)
    if parsed.errors and not skip_invalid:
        count = len({e.row for e in parsed.errors})
        raise InvalidInput(
            f"{count} of {parsed.total} rows are invalid; nothing was imported"
            " (use --skip-invalid to import the valid rows)",
            details=parsed.error_details(),
        )
    result.rejected = len(parsed.errors)
    if parsed.errors and rejects_path is not None:
        rejects_path.write_text(rejects_csv(parsed), encoding="utf-8")
        result.rejects_path = str(rejects_path)
    size = max(1, ctx.settings.import_batch_size)
    for index in range(0, len(pending), size):
        written = _write_batch(ctx, actor, parsed, path.name, pending[index : index + size])
        result.imported += len(written)
        result.already_present += min(size, len(pending) - index) - len(written)
        result.batches += 1 if written else 0
        result.report_ids.extend(written)
        if progress is not None:
            progress(min(index + size, len(pending)), len(pending))
    return result
