"""The CSV format of report imports, and its parser with row-by-row errors.

One report per row, UTF-8 (a BOM is accepted), comma-separated, first line the header.
Columns may come in any order; unknown columns are refused (a misspelt column would
otherwise silently drop data). Empty cells mean "not given". The columns and their
meaning are listed in ``COLUMNS`` and documented in docs/intake.md.

``validate_csv`` (and ``parse_csv``, which collects its result) never writes anything: it gives
the valid rows (with the idempotency key that makes a rerun import each row once) and the
errors of every invalid row, each naming the row, its line in the file and the column. For a
large file the work is shared by forked worker processes, which keep the validated content
and then turn it, batch by batch, into its stored form (canonical JSON, SHA-256, query
fields) while the caller writes the previous batch.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import json
import multiprocessing
import traceback
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple, Protocol

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.reports.csvcells import (
    cell_estimate,
    cell_list,
    cell_number,
)
from ceasefire.reports.csvrows import PlainRow, StoredContent, plain_row_checker, stored
from ceasefire.reports.model import (
    CASUALTY_KEYS,
    DEFAULT_FUTURE_TOLERANCE,
    QUERY_FIELDS,
    Channel,
    ReportContent,
    content_from_dict,
    validate_report,
)
from ceasefire.spreadsheet import spreadsheet_cells, text_from_spreadsheet

# column -> (nested path in the report body, kind of value)
COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "client_id": ((), "text"),
    "channel": (("channel",), "text"),
    "observed_start": (("observed", "start"), "text"),
    "observed_end": (("observed", "end"), "text"),
    "time_precision": (("observed", "precision"), "text"),
    "timezone": (("observed", "timezone"), "text"),
    "event_lat": (("event_position", "lat"), "number"),
    "event_lon": (("event_position", "lon"), "number"),
    "event_place": (("event_position", "place_name"), "text"),
    "event_precision": (("event_position", "precision"), "number"),
    "observer_lat": (("observer_position", "lat"), "number"),
    "observer_lon": (("observer_position", "lon"), "number"),
    "observer_place": (("observer_position", "place_name"), "text"),
    "observer_precision": (("observer_position", "precision"), "number"),
    "distance_min_m": (("distance_m", "min"), "number"),
    "distance_max_m": (("distance_m", "max"), "number"),
    "bearing_deg": (("bearing_deg",), "number"),
    "category": (("category",), "text"),
    "count": (("count",), "number"),
    "weapon_class": (("weapon_class",), "text"),
    "means": (("means",), "list"),
    "alleged_perpetrator": (("alleged_perpetrator",), "text"),
    **{key: (("casualties", key), "estimate") for key in CASUALTY_KEYS},
    "narrative": (("narrative",), "text"),
    "source_reference": (("source_reference",), "text"),
    "reporter": (("reporter",), "text"),
    "confidence": (("confidence",), "text"),
    "classification": (("classification",), "text"),
    "concerns": (("concerns",), "list"),
    "agreement_id": (("agreement_id",), "text"),
    "post_id": (("post_id",), "text"),
    "sensor_id": (("sensor_id",), "text"),
}
REQUIRED_COLUMNS = ("observed_start", "category")
MAX_CLIENT_ID = 120

# Where a problem found in the nested body is reported: the column it came from.
_LOC_TO_COLUMN: dict[str, str] = {".".join(path): col for col, (path, _) in COLUMNS.items() if path}
_LOC_TO_COLUMN.update(
    {
        "observed": "observed_start",
        "event_position": "event_lat,event_lon,event_place",
        "observer_position": "observer_lat,observer_lon,observer_place",
        "distance_m": "distance_min_m,distance_max_m",
        "casualties": ",".join(CASUALTY_KEYS),
        "body": "row",
    }
)


def column_for(loc: str) -> str:
    """The CSV column a validation problem at ``loc`` (e.g. ``means.1``) belongs to."""
    probe = loc
    while probe:
        if probe in _LOC_TO_COLUMN:
            return _LOC_TO_COLUMN[probe]
        probe = probe.rpartition(".")[0]
    return loc


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A valid row: its number (1 = first data row), its line, key, and its content in the
    form it is stored (canonical JSON text and SHA-256, plus the fields queries filter on).

    Plain values only, so rows parsed in worker processes travel back cheaply.
    """

    row: int
    line: int
    idempotency_key: str
    canonical: tuple[str, str]
    fields: dict[str, Any]
    cells: tuple[str, ...]

    @property
    def content(self) -> ReportContent:
        return content_from_dict(json.loads(self.canonical[0]))


@dataclass(frozen=True, slots=True)
class RowError:
    """Every problem of one invalid row, each naming the column."""

    row: int
    line: int
    problems: tuple[dict[str, Any], ...]
    cells: tuple[str, ...]

    def reasons(self) -> str:
        return "; ".join(f"{p['column']}: {p['message']}" for p in self.problems)


@dataclass
class ParsedFile:
    sha256: str
    columns: list[str]
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.errors)

    def error_details(self, limit: int = 1000) -> list[dict[str, Any]]:
        return error_details(self.errors, limit)


def error_details(errors: Sequence[RowError], limit: int = 1000) -> list[dict[str, Any]]:
    """The row-by-row report as ``problem`` dicts: ``rows[12].category: unknown value``."""
    details = []
    for err in errors:
        for item in err.problems:
            details.append(
                problem(
                    f"rows[{err.row}].{item['column']}",
                    item["message"],
                    extra={"row": err.row, "line": err.line, "column": item["column"]},
                )
            )
            if len(details) >= limit:
                return details
    return details


def _file_error(message: str, loc: str = "file") -> InvalidInput:
    return InvalidInput.worded(
        N_("malformed CSV: %(message)s"), details=[problem(loc, message)], message=message
    )


def _converter(kind: str) -> Any:
    if kind == "number":
        return cell_number
    if kind == "list":
        return cell_list
    if kind == "estimate":
        return cell_estimate
    return None


# (cell index, field of the body, field within it or None, converter or None)
_Plan = list[tuple[int, str, str | None, Any]]


def compile_columns(columns: Sequence[str]) -> _Plan:
    """The conversion plan of a header: where each cell goes in the body, and how."""
    plan: _Plan = []
    for index, column in enumerate(columns):
        path, kind = COLUMNS[column]
        if path:
            plan.append((index, path[0], path[1] if len(path) > 1 else None, _converter(kind)))
    return plan


def record_to_body(record: Sequence[str], plan: _Plan) -> dict[str, Any]:
    """The nested report body of one CSV record (values converted, empty cells dropped)."""
    body: dict[str, Any] = {}
    for index, outer, inner, convert in plan:
        text = record[index].strip()
        if not text:
            continue
        value = convert(text) if convert is not None else text
        if inner is None:
            body[outer] = value
        elif outer in body:
            body[outer][inner] = value
        else:
            body[outer] = {inner: value}
    return body


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(f"not UTF-8 text (byte {exc.start})") from exc
    # A NUL (which PostgreSQL cannot store) is left to the row that holds it: every cell is
    # checked as text (``UNSTORABLE_TEXT``), so that row alone is invalid, and with
    # ``skip_invalid`` the other rows are imported (refusing the whole file for it failed
    # every other row with it).
    return text


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as exc:
        raise _file_error(f"line {reader.line_num}: {exc}", loc=f"line {reader.line_num}") from exc


# (row number, line, cells) of one data row
_Record = tuple[int, int, tuple[str, ...]]
PARALLEL_MIN_ROWS = 4000
CHUNK_ROWS = 500
"""Workers own the rows of a file in chunks of this many, taken in turn, so that every batch
of an import is prepared by all of them at once."""
AHEAD = 2
"""Batches asked of the workers before the caller has taken the current one."""


class ValidRow(NamedTuple):
    """A valid row in the form it is stored: its key, the canonical JSON text of its content
    and that text's SHA-256, and the fields queries filter on (in ``QUERY_FIELDS`` order).

    Plain values only, so that rows made in worker processes travel back cheaply.
    """

    row: int
    idempotency_key: str
    content: str
    content_sha256: str
    fields: tuple[Any, ...]


Prepare = Callable[[list[ValidRow]], list[Any]]
"""Turns valid rows into what the caller stores (e.g. database parameters), a batch at a
time; it runs where the rows were validated, so in the worker processes when there are some."""


def row_key(client_id: str, file_sha256: str, row: int) -> str:
    """The idempotency key of a row: its client_id, else the file's hash and its number."""
    return f"csv:{client_id}" if client_id else f"csv:{file_sha256}:{row}"


@dataclass(frozen=True)
class _Job:
    """What validating one file needs. Workers are forked after it is made and inherit it,
    so the records and ``prepare`` (which may be a closure) are never pickled."""

    columns: list[str]
    records: list[_Record]
    now: datetime
    future_tolerance: timedelta
    digest: str
    prepare: Prepare | None

    def owner(self, row: int, workers: int) -> int:
        return ((row - 1) // CHUNK_ROWS) % workers


class _RowValidator:
    """Validates its share of the rows and keeps their content, to give their stored form
    when asked: runs in a worker process, or in the caller's for small files."""

    def __init__(self, job: _Job, records: Sequence[_Record]) -> None:
        self.job = job
        self.records = records
        self.plan = compile_columns(job.columns)
        columns = job.columns
        self.client_index = columns.index("client_id") if "client_id" in columns else None
        self.plain = plain_row_checker(columns, now=job.now, future_tolerance=job.future_tolerance)
        # A valid row's content: its values if plain (written out when asked), else validated.
        self.contents: dict[int, PlainRow | ReportContent] = {}

    def validate(self) -> tuple[list[RowError], dict[str | None, list[int]]]:
        """The errors of the invalid rows, and the valid rows by agreement."""
        job, plan, plain, contents = self.job, self.plan, self.plain, self.contents
        width = len(job.columns)
        errors: list[RowError] = []
        agreements: dict[str | None, list[int]] = {}
        for row_number, line, record in self.records:
            if len(record) != width:
                message = f"{len(record)} cells, the header has {width}"
                cells = tuple(record[:width]) + ("",) * (width - len(record))
                errors.append(
                    RowError(row_number, line, ({"column": "row", "message": message},), cells)
                )
                continue
            values = plain(record)
            content: PlainRow | ReportContent
            if values is not None:
                content, agreement = values, values.agreement
            else:  # not plain, or invalid: the generic path decides and explains
                try:
                    content = validate_report(
                        record_to_body(record, plan),
                        now=job.now,
                        future_tolerance=job.future_tolerance,
                        default_channel=Channel.CSV_IMPORT,
                    )
                except InvalidInput as exc:
                    found = tuple(
                        {"column": column_for(item["loc"]), "message": item["message"]}
                        for item in exc.details or []
                    )
                    errors.append(RowError(row_number, line, found, tuple(record)))
                    continue
                agreement = content.agreement_id
            contents[row_number] = content
            agreements.setdefault(agreement, []).append(row_number)
        return errors, agreements

    def stored(self, rows: Sequence[int]) -> list[Any]:
        """The stored form of valid rows (``prepare`` applied when given)."""
        job, contents, client_index = self.job, self.contents, self.client_index
        records, prepare, digest = job.records, job.prepare, job.digest
        out: list[ValidRow] = []
        for row in rows:
            text, sha, fields = _stored(contents[row])
            client_id = (
                records[row - 1][2][client_index].strip() if client_index is not None else ""
            )
            out.append(ValidRow(row, row_key(client_id, digest, row), text, sha, fields))
        return out if prepare is None else prepare(out)

    def digests(self, rows: Sequence[int]) -> dict[int, str]:
        return {row: _stored(self.contents[row]).sha256 for row in rows}


def _stored(content: PlainRow | ReportContent) -> StoredContent:
    if isinstance(content, ReportContent):
        return StoredContent(*content.canonical(), content.query_values())
    return stored(content)


def _serve(
    conn: Connection, job: _Job, index: int, workers: int, others: Sequence[Connection]
) -> None:
    """A worker: validates the chunks it owns, then answers requests until told to stop."""
    for other in others:
        other.close()  # the caller's ends, inherited: closing them lets this one see EOF
    # What the worker inherited never becomes garbage: keep the collector from scanning it
    # (and from copying every page it touches), and likewise the contents once validated.
    # What it makes then is freed by reference counting (rows, contents and answers hold no
    # cycles), so the collector is off: it scanned the growing contents for nothing, a few
    # us a row. The worker ends with the file.
    gc.freeze()
    gc.disable()
    mine = [r for r in job.records if job.owner(r[0], workers) == index]
    validator = _RowValidator(job, mine)
    answer: Any
    try:
        while True:
            try:
                request, rows = conn.recv()
            except EOFError:
                return  # the caller has gone
            if request == "validate":
                answer = validator.validate()
                gc.freeze()
            elif request == "stored":
                answer = validator.stored(rows)
            elif request == "digests":
                answer = validator.digests(rows)
            else:
                return
            conn.send(("ok", answer))
    except Exception:  # handed to the caller, which raises it
        with contextlib.suppress(OSError):
            conn.send(("error", traceback.format_exc()))


class _Workers:
    """Forked validating processes, one pipe each; requests are answered in order."""

    def __init__(self, job: _Job, count: int) -> None:
        # Forked workers inherit the loaded modules and the job. Nothing here touches the
        # database, so forking is safe.
        context = multiprocessing.get_context("fork")
        self.count = count
        self.conns: list[Connection] = []
        self.procs: list[BaseProcess] = []
        for index in range(count):
            parent, child = context.Pipe()
            proc = context.Process(
                target=_serve, args=(child, job, index, count, [*self.conns, parent]), daemon=True
            )
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)

    def ask(self, index: int, request: str, rows: Sequence[int] = ()) -> None:
        self.conns[index].send((request, rows))

    def answer(self, index: int) -> Any:
        try:
            status, value = self.conns[index].recv()
        except EOFError as exc:
            raise RuntimeError(f"CSV validation worker {index} died") from exc
        if status != "ok":
            raise RuntimeError(f"CSV validation worker {index} failed:\n{value}")
        return value

    def close(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("stop", ()))
            conn.close()  # a worker still sending an answer stops too (broken pipe)
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
                proc.join()


class ValidatedCsv:
    """A CSV file being validated (made by ``validate_csv``; close it, or use it as a context
    manager, to stop its workers).

    ``row_keys`` is known at once (the caller may look the keys up meanwhile); ``wait``
    gives the validation's outcome. ``stored`` then gives the stored form of the rows the
    caller writes, in batches, prepared by the workers ahead of the batch being written.
    """

    def __init__(self, job: _Job, workers: int) -> None:
        self.sha256 = job.digest
        self.columns = job.columns
        self.total = len(job.records)
        self.errors: list[RowError] = []
        self.keys: list[tuple[int, str]] = []
        self.agreements: set[str | None] = set()
        self._job = job
        self._workers: _Workers | None = None
        self._local: _RowValidator | None = None
        self._waited = False
        if workers > 1 and len(job.records) >= PARALLEL_MIN_ROWS:
            self._workers = _Workers(job, workers)
            try:
                for index in range(workers):
                    self._workers.ask(index, "validate")
            except BaseException:
                self.close()
                raise
        # Meanwhile (the workers validate), what needs only the cells:
        self.row_keys, self._client_problems = _row_keys(job)
        """(row number, idempotency key) of every row, valid or not: known before ``wait``."""

    def wait(self) -> ValidatedCsv:
        """Wait for the validation: sets ``errors`` (every invalid row), ``keys`` (row number
        and key of every valid row) and ``agreements`` (those the valid rows name)."""
        if self._waited:
            return self
        job = self._job
        if self._workers is not None:
            try:
                parts = [self._workers.answer(index) for index in range(self._workers.count)]
            except BaseException:
                self.close()
                raise
        else:
            self._local = _RowValidator(job, job.records)
            parts = [self._local.validate()]
        errors = {e.row: e for errors, _ in parts for e in errors}
        for row, extra in self._client_problems.items():
            found = errors[row].problems if row in errors else ()
            _, line, record = job.records[row - 1]
            errors[row] = RowError(
                row, line, (*found, {"column": "client_id", "message": extra}), tuple(record)
            )
        self.errors = [errors[row] for row in sorted(errors)]
        self.agreements = {
            agreement
            for _, by_agreement in parts
            for agreement, rows in by_agreement.items()
            if any(row not in errors for row in rows)
        }
        self.keys = [item for item in self.row_keys if item[0] not in errors]
        self._waited = True
        return self

    def named_sources(self) -> dict[int, tuple[str | None, str | None]]:
        """Row number → (``post_id``, ``sensor_id``) as validation reads them (the cell,
        stripped; empty is none), for the rows naming either: needs only the cells, so the
        caller may look them up while the rows are validated."""
        named = self.named_cells("post_id", "sensor_id")
        return {row: (post, sensor) for row, (post, sensor) in named.items()}

    def named_cells(self, *names: str) -> dict[int, tuple[str | None, ...]]:
        """Row number → the cells of columns ``names`` (stripped; empty or absent is
        ``None``), for the rows where any of them is given."""
        columns = self.columns
        indexes = [columns.index(name) if name in columns else None for name in names]
        if all(i is None for i in indexes):
            return {}
        found: dict[int, tuple[str | None, ...]] = {}
        for row, _line, record in self._job.records:
            cells = tuple(
                (record[i].strip() or None) if i is not None and i < len(record) else None
                for i in indexes
            )
            if any(cell is not None for cell in cells):
                found[row] = cells
        return found

    def __enter__(self) -> ValidatedCsv:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def reject(self, row: int, column: str, message: str) -> None:
        """Count a valid row as invalid after all (e.g. its key is stored with other content)."""
        _, line, record = self._job.records[row - 1]
        self.errors.append(
            RowError(row, line, ({"column": column, "message": message},), tuple(record))
        )
        self.errors.sort(key=lambda e: e.row)

    def error_details(self, limit: int = 1000) -> list[dict[str, Any]]:
        return error_details(self.errors, limit)

    def line(self, row: int) -> int:
        return self._job.records[row - 1][1]

    def cells(self, row: int) -> tuple[str, ...]:
        return tuple(self._job.records[row - 1][2])

    def digests(self, rows: Sequence[int]) -> dict[int, str]:
        """Row number → SHA-256 of its content, for valid rows."""
        if self._local is not None:
            return self._local.digests(rows)
        workers = self._require_workers()
        parts = self._split(rows)
        for index, part in enumerate(parts):
            workers.ask(index, "digests", part)
        found: dict[int, str] = {}
        for index in range(workers.count):
            found.update(workers.answer(index))
        return found

    def stored(self, rows: Sequence[int], size: int) -> Iterator[list[Any]]:
        """The stored form of ``rows`` (valid rows, in order) in batches of ``size``."""
        batches = [rows[i : i + size] for i in range(0, len(rows), size)]
        if self._local is not None:
            for batch in batches:
                yield self._local.stored(batch)
            return
        workers = self._require_workers()
        asked: deque[tuple[list[tuple[int, int, int]], list[list[int]]]] = deque()
        following = iter(batches)

        def ask_next() -> None:
            batch = next(following, None)
            if batch is not None:
                runs = self._runs(batch)
                parts = self._split(batch, runs)
                for index, part in enumerate(parts):
                    if part:
                        workers.ask(index, "stored", part)
                asked.append((runs, parts))

        for _ in range(AHEAD):
            ask_next()
        while asked:
            runs, parts = asked.popleft()
            answers = [
                iter(workers.answer(index) if part else ()) for index, part in enumerate(parts)
            ]
            ask_next()  # the workers prepare it while the caller writes this one
            out: list[Any] = []
            for index, start, stop in runs:
                out.extend(islice(answers[index], stop - start))
            yield out

    def _require_workers(self) -> _Workers:
        if self._workers is None:
            raise RuntimeError("the workers of this CSV file have been stopped")
        return self._workers

    def _runs(self, rows: Sequence[int]) -> list[tuple[int, int, int]]:
        """(worker, start, stop) of each run of ``rows`` (ascending) that one worker owns:
        whole chunks change hands, so a batch is a few runs, found by bisection."""
        count, owner = self._require_workers().count, self._job.owner
        runs: list[tuple[int, int, int]] = []
        start, end = 0, len(rows)
        while start < end:
            last_of_chunk = ((rows[start] - 1) // CHUNK_ROWS + 1) * CHUNK_ROWS
            stop = bisect_right(rows, last_of_chunk, start, end)
            runs.append((owner(rows[start], count), start, stop))
            start = stop
        return runs

    def _split(
        self, rows: Sequence[int], runs: list[tuple[int, int, int]] | None = None
    ) -> list[list[int]]:
        """``rows`` (ascending) shared out to the workers that own them."""
        parts: list[list[int]] = [[] for _ in range(self._require_workers().count)]
        for index, start, stop in self._runs(rows) if runs is None else runs:
            parts[index].extend(rows[start:stop])
        return parts


def _row_keys(job: _Job) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """(row number, idempotency key) of every row (``row_key``), and row number → what is
    wrong with its client_id (too long, or repeated in the file)."""
    digest = job.digest
    if "client_id" not in job.columns:
        return [(row, row_key("", digest, row)) for row, _line, _record in job.records], {}
    index = job.columns.index("client_id")
    keys: list[tuple[int, str]] = []
    first_use: dict[str, int] = {}
    problems: dict[int, str] = {}
    for row, _line, record in job.records:
        client_id = record[index].strip() if index < len(record) else ""
        keys.append((row, row_key(client_id, digest, row)))
        if not client_id:
            continue
        if len(client_id) > MAX_CLIENT_ID:
            problems[row] = f"longer than {MAX_CLIENT_ID} characters"
        elif client_id in first_use:
            problems[row] = f"also used by row {first_use[client_id]} of this file"
        else:
            first_use[client_id] = row
    return keys, problems


def _read(data: bytes) -> tuple[str, list[str], list[_Record]]:
    """The file's SHA-256, its columns and its data rows; ``InvalidInput`` if the file itself
    is malformed (not UTF-8, no header, unknown or duplicate columns, broken quoting)."""
    digest = hashlib.sha256(data).hexdigest()
    text = _decode(data)
    # Our own CSV read back (a corrected rejects file): the apostrophe ``spreadsheet_cells``
    # put before a formula's first character is dropped again (see ceasefire.spreadsheet).
    quoted = "'" in text
    lines = _records(text)
    first = next(lines, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise _file_error("empty file: the first line must be the header")
    if len(first[1]) > len(COLUMNS):
        # Each known column at most once: a wider header is wrong whatever it says, and one
        # error for it keeps the answer (and its cost) bounded.
        message = f"{len(first[1])} columns; the format has {len(COLUMNS)}, each at most once"
        raise InvalidInput.worded(
            N_("malformed CSV header: %(message)s"),
            details=[problem("header", message)],
            message=message,
        )
    columns = [c.strip() for c in first[1]]
    problems = [
        problem(f"header.{c or index}", N_("unknown column"))
        for index, c in enumerate(columns)
        if c not in COLUMNS
    ]
    times = Counter(columns)  # linear: no count() per column
    problems += [
        problem(f"header.{c}", N_("column given twice")) for c in sorted(times) if times[c] > 1
    ]
    problems += [
        problem(f"header.{c}", N_("required column missing"))
        for c in REQUIRED_COLUMNS
        if c not in columns
    ]
    if not any(c in columns for c in ("event_lat", "event_place")):
        problems.append(problem("header.event_lat", N_("needs event_lat/event_lon or event_place")))
    if problems:
        raise InvalidInput.worded(
            N_("malformed CSV header: %(message)s"),
            details=problems,
            message=", ".join(p["loc"] for p in problems),
        )
    records: list[_Record] = []
    for line, record in lines:
        if record and (len(record) > 1 or record[0].strip()):  # blank lines are not rows
            # Tuples of strings: the collector stops tracking them after one look.
            if quoted and "'" in "".join(record):
                record = [text_from_spreadsheet(cell) for cell in record]
            records.append((len(records) + 1, line, tuple(record)))
    return digest, columns, records


def validate_csv(
    data: bytes,
    *,
    now: datetime,
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
    workers: int = 1,
    prepare: Prepare | None = None,
) -> ValidatedCsv:
    """Parse a whole file and start validating it (``ValidatedCsv.wait`` for the outcome);
    raise ``InvalidInput`` only if the file itself is malformed (not UTF-8, no header,
    unknown or duplicate columns, broken quoting).

    With ``workers`` > 1 a large file is validated in that many forked processes, which
    stay to prepare the stored form of its rows (``ValidatedCsv.stored``) until closed.
    """
    digest, columns, records = _read(data)
    job = _Job(columns, records, now, future_tolerance, digest, prepare)
    return ValidatedCsv(job, workers)


def parse_csv(
    data: bytes,
    *,
    now: datetime,
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
    workers: int = 1,
) -> ParsedFile:
    """Parse and validate a whole file into its valid rows and errors (see ``validate_csv``)."""
    with validate_csv(data, now=now, future_tolerance=future_tolerance, workers=workers) as file:
        file.wait()
        parsed = ParsedFile(sha256=file.sha256, columns=file.columns, errors=file.errors)
        rows = [row for row, _key in file.keys]
        for batch in file.stored(rows, max(1, len(rows))):
            for valid in batch:
                parsed.rows.append(
                    ParsedRow(
                        valid.row,
                        file.line(valid.row),
                        valid.idempotency_key,
                        (valid.content, valid.content_sha256),
                        dict(zip(QUERY_FIELDS, valid.fields, strict=True)),
                        file.cells(valid.row),
                    )
                )
    return parsed


class _Findings(Protocol):
    columns: list[str]
    errors: list[RowError]


def rejects_csv(parsed: _Findings) -> str:
    """The rejected rows as CSV: the original cells, then ``row``, ``line`` and ``reasons``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spreadsheet_cells([*parsed.columns, "row", "line", "reasons"]))
    for err in parsed.errors:
        writer.writerow(spreadsheet_cells([*err.cells, str(err.row), str(err.line), err.reasons()]))
    return out.getvalue()
