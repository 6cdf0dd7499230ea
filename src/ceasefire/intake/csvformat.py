"""The CSV format of report imports, and its parser with row-by-row errors.

One report per row, UTF-8 (a BOM is accepted), comma-separated, first line the header.
Columns may come in any order; unknown columns are refused (a misspelt column would
otherwise silently drop data). Empty cells mean "not given". The columns and their
meaning are listed in ``COLUMNS`` and documented in docs/intake.md.

``parse_csv`` never writes anything: it returns the valid rows (with the idempotency key that
makes a rerun import each row once) and the errors of every invalid row, each naming the
row, its line in the file and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ceasefire.domain.reports import (
    CASUALTY_KEYS,
    DEFAULT_FUTURE_TOLERANCE,
    Channel,
    ReportContent,
    content_from_dict,
    validate_report,
)
from ceasefire.errors import InvalidInput, problem

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
LIST_SEPARATOR = ";"
ESTIMATE_SEPARATOR = "/"
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
        """The row-by-row report as ``problem`` dicts: ``rows[12].category: unknown value``."""
        details = []
        for err in self.errors:
            for item in err.problems:
                details.append(
                    problem(
                        f"rows[{err.row}].{item['column']}",
                        item["message"],
                        row=err.row,
                        line=err.line,
                        column=item["column"],
                    )
                )
                if len(details) >= limit:
                    return details
        return details


def _file_error(message: str, loc: str = "file") -> InvalidInput:
    return InvalidInput(f"malformed CSV: {message}", details=[problem(loc, message)])


def _number(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text  # left as text: validation says "must be a number" for this column
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


def _estimate(text: str) -> Any:
    if ESTIMATE_SEPARATOR not in text:
        return _number(text)
    parts = [p.strip() for p in text.split(ESTIMATE_SEPARATOR)]
    if len(parts) != 3:
        return text
    return {"low": _number(parts[0]), "best": _number(parts[1]), "high": _number(parts[2])}


def _converter(kind: str) -> Any:
    if kind == "number":
        return _number
    if kind == "list":
        return lambda text: [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
    if kind == "estimate":
        return _estimate
    return None


def compile_columns(columns: Sequence[str]) -> list[tuple[int, tuple[str, ...], Any]]:
    """The conversion plan of a header: (cell index, nested path, converter or None)."""
    plan = []
    for index, column in enumerate(columns):
        path, kind = COLUMNS[column]
        if path:
            plan.append((index, path, _converter(kind)))
    return plan


def record_to_body(
    record: Sequence[str], plan: list[tuple[int, tuple[str, ...], Any]]
) -> dict[str, Any]:
    """The nested report body of one CSV record (values converted, empty cells dropped)."""
    body: dict[str, Any] = {}
    for index, path, convert in plan:
        text = record[index].strip()
        if not text:
            continue
        value = convert(text) if convert is not None else text
        if len(path) == 1:
            body[path[0]] = value
        else:
            inner = body.get(path[0])
            if inner is None:
                inner = body[path[0]] = {}
            inner[path[1]] = value
    return body


def row_to_body(cells: Mapping[str, str]) -> dict[str, Any]:
    """The nested report body of one CSV row given as ``{column: text}``."""
    columns = list(cells)
    return record_to_body([cells[c] for c in columns], compile_columns(columns))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(f"not UTF-8 text (byte {exc.start})") from exc


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as exc:
        raise _file_error(f"line {reader.line_num}: {exc}", loc=f"line {reader.line_num}") from exc


# (row number, line, cells) of one data row
_Record = tuple[int, int, list[str]]
PARALLEL_MIN_ROWS = 4000


def _parse_rows(
    columns: list[str],
    records: list[_Record],
    now: datetime,
    future_tolerance: timedelta,
    digest: str,
) -> list[ParsedRow | RowError]:
    """Validate rows (in this process or a worker); pure, so it parallelises freely."""
    plan = compile_columns(columns)
    width = len(columns)
    client_index = columns.index("client_id") if "client_id" in columns else None
    results: list[ParsedRow | RowError] = []
    for row_number, line, record in records:
        if len(record) != width:
            message = f"{len(record)} cells, the header has {width}"
            cells = tuple(record[:width]) + ("",) * (width - len(record))
            results.append(
                RowError(row_number, line, ({"column": "row", "message": message},), cells)
            )
            continue
        try:
            content = validate_report(
                record_to_body(record, plan),
                now=now,
                future_tolerance=future_tolerance,
                default_channel=Channel.CSV_IMPORT,
            )
        except InvalidInput as exc:
            found = tuple(
                {"column": column_for(item["loc"]), "message": item["message"]}
                for item in exc.details or []
            )
            results.append(RowError(row_number, line, found, tuple(record)))
            continue
        client_id = record[client_index].strip() if client_index is not None else ""
        key = f"csv:{client_id}" if client_id else f"csv:{digest}:{row_number}"
        results.append(
            ParsedRow(
                row_number,
                line,
                key,
                content.canonical(),
                content.query_fields(),
                tuple(record),
            )
        )
    return results


def _client_id_problems(columns: list[str], records: list[_Record]) -> dict[int, str]:
    """Row number → what is wrong with its client_id (too long, or repeated in the file)."""
    if "client_id" not in columns:
        return {}
    index = columns.index("client_id")
    first_use: dict[str, int] = {}
    problems: dict[int, str] = {}
    for row_number, _line, record in records:
        if index >= len(record):
            continue
        client_id = record[index].strip()
        if len(client_id) > MAX_CLIENT_ID:
            problems[row_number] = f"longer than {MAX_CLIENT_ID} characters"
        elif client_id and client_id in first_use:
            problems[row_number] = f"also used by row {first_use[client_id]} of this file"
        elif client_id:
            first_use[client_id] = row_number
    return problems


def _validate_all(
    columns: list[str],
    records: list[_Record],
    now: datetime,
    future_tolerance: timedelta,
    digest: str,
    workers: int,
) -> list[ParsedRow | RowError]:
    if workers <= 1 or len(records) < PARALLEL_MIN_ROWS:
        return _parse_rows(columns, records, now, future_tolerance, digest)
    # Forked workers inherit the loaded modules; each validates a slice and sends back
    # plain values. Nothing here touches the database, so forking is safe.
    size = -(-len(records) // (workers * 4))
    slices = [records[i : i + size] for i in range(0, len(records), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = pool.map(
            _parse_rows,
            *zip(*((columns, part, now, future_tolerance, digest) for part in slices), strict=True),
        )
        return [item for part in parts for item in part]


def parse_csv(
    data: bytes,
    *,
    now: datetime,
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
    workers: int = 1,
) -> ParsedFile:
    """Parse and validate a whole file; raise ``InvalidInput`` only if the file itself is
    malformed (not UTF-8, no header, unknown or duplicate columns, broken quoting).

    With ``workers`` > 1 a large file is validated in that many processes.
    """
    digest = hashlib.sha256(data).hexdigest()
    lines = _records(_decode(data))
    first = next(lines, None)
    if first is None or not any(cell.strip() for cell in first[1]):
        raise _file_error("empty file: the first line must be the header")
    columns = [c.strip() for c in first[1]]
    problems = [
        problem(f"header.{c or index}", "unknown column")
        for index, c in enumerate(columns)
        if c not in COLUMNS
    ]
    problems += [
        problem(f"header.{c}", "column given twice")
        for c in sorted(set(columns))
        if columns.count(c) > 1
    ]
    problems += [
        problem(f"header.{c}", "required column missing")
        for c in REQUIRED_COLUMNS
        if c not in columns
    ]
    if not any(c in columns for c in ("event_lat", "event_place")):
        problems.append(problem("header.event_lat", "needs event_lat/event_lon or event_place"))
    if problems:
        raise InvalidInput(
            "malformed CSV header: " + ", ".join(p["loc"] for p in problems), details=problems
        )
    records: list[_Record] = []
    for line, record in lines:
        if record and (len(record) > 1 or record[0].strip()):  # blank lines are not rows
            records.append((len(records) + 1, line, record))
    parsed = ParsedFile(sha256=digest, columns=columns)
    client_problems = _client_id_problems(columns, records)
    for item in _validate_all(columns, records, now, future_tolerance, digest, workers):
        extra = client_problems.get(item.row)
        if extra is not None:
            found = item.problems if isinstance(item, RowError) else ()
            item = RowError(
                item.row, item.line, (*found, {"column": "client_id", "message": extra}), item.cells
            )
        if isinstance(item, RowError):
            parsed.errors.append(item)
        else:
            parsed.rows.append(item)
    return parsed


def rejects_csv(parsed: ParsedFile) -> str:
    """The rejected rows as CSV: the original cells, then ``row``, ``line`` and ``reasons``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*parsed.columns, "row", "line", "reasons"])
    for err in parsed.errors:
        writer.writerow([*err.cells, err.row, err.line, err.reasons()])
    return out.getvalue()
