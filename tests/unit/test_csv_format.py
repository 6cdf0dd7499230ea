"""The CSV import format: row-by-row errors naming row, line and column; no writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ceasefire.errors import InvalidInput
from ceasefire.reports.csvformat import ParsedFile, column_for, parse_csv, rejects_csv
from ceasefire.reports.model import QUERY_FIELDS, Category, Channel

NOW = datetime(2020, 12, 1, tzinfo=UTC)
HEADER = (
    "client_id,observed_start,category,event_place,event_precision,"
    "means,killed_civilian,narrative\n"
)


def parse(text: str) -> ParsedFile:
    return parse_csv(text.encode("utf-8"), now=NOW)


def test_rows_become_reports_with_lists_and_estimates() -> None:
    parsed = parse(
        "\ufeff"  # a byte order mark is accepted
        + HEADER
        + 'a,2020-11-26T10:00Z,civilian_casualty,Aghdam,2,heard;seen,1/2/4,"two lines,\nof text"\n'
        + "\n"  # blank lines are not rows
        + "b,2020-11-26,shelling,Fuzuli,3,heard,,\n"
    )
    assert parsed.errors == []
    first, second = parsed.rows
    content = first.content
    assert content.channel is Channel.CSV_IMPORT
    assert content.category is Category.CIVILIAN_CASUALTY
    assert [m.value for m in content.means] == ["heard", "seen"]
    assert content.casualties["killed_civilian"].high == 4
    assert content.narrative == "two lines,\nof text"
    assert first.idempotency_key == "csv:a"
    assert first.fields == content.query_fields()
    assert tuple(first.fields) == QUERY_FIELDS
    assert first.fields == {
        "channel": "csv_import",
        "category": "civilian_casualty",
        "classification": "internal",
        "concerns": ",",
        "observed_start": datetime(2020, 11, 26, 10, tzinfo=UTC),
        "observed_end": datetime(2020, 11, 26, 10, tzinfo=UTC),
        "time_precision": "exact",
        "event_lat": None,
        "event_lon": None,
        "event_place": "Aghdam",
        "event_precision": 2,
        "alleged_perpetrator": None,
        "agreement_id": None,
    }
    assert (second.row, second.line) == (2, 5)  # the quoted newline and the blank line count


def test_every_bad_row_is_named_with_line_and_column() -> None:
    parsed = parse(
        HEADER
        + "a,2020-11-26T10:00Z,shelling,Aghdam,2,heard,,\n"
        + "b,2020-11-26T10:00Z,fireworks,Aghdam,9,telepathy,x,\n"
        + "c,not a date,shelling,Aghdam,2,heard,,\n"
        + "a,2020-11-26T10:00Z,shelling,Aghdam,2,heard,,\n"
        + "d,2020-11-26T10:00Z,shelling\n"
    )
    found = {(e["row"], e["line"], e["column"]) for e in parsed.error_details()}
    assert found == {
        (2, 3, "category"),
        (2, 3, "event_precision"),
        (2, 3, "means"),
        (2, 3, "killed_civilian"),
        (3, 4, "observed_start"),
        (4, 5, "client_id"),
        (5, 6, "row"),
    }
    rejects = rejects_csv(parsed)
    assert rejects.splitlines()[0].endswith(",row,line,reasons")
    assert "also used by row 1" in rejects


def test_times_off_the_calendar_are_row_errors() -> None:
    """Before year 1 in UTC, or a month-long window that would end after 9999: the row's
    error, not a crash of the import (both the fast path and the generic one see it)."""
    parsed = parse(
        HEADER
        + "a,0001-01-01T00:00:00+05:00,shelling,Aghdam,2,heard,,\n"
        + "b,2020-11-26T10:00Z,shelling,Aghdam,2,heard,,\n"
    )
    assert [(e["row"], e["column"]) for e in parsed.error_details()] == [(1, "observed_start")]
    assert [row.row for row in parsed.rows] == [2]


def test_without_client_ids_rows_are_keyed_by_file_hash_and_number() -> None:
    text = (
        "observed_start,category,event_place,event_precision,means\n"
        "2020-11-26,shelling,Aghdam,2,heard\n"
    )
    parsed = parse(text)
    (row,) = parsed.rows
    assert row.idempotency_key == f"csv:{parsed.sha256}:1"


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (b"", "file"),
        (b"\n\n", "file"),
        (b"\xff\xfe\x00bad", "file"),
        (b"observed_start,category,colour\n", "header.colour"),
        (b"observed_start,category,event_place,category\n", "header.category"),
        (b"category,event_place\n", "header.observed_start"),
        (b"observed_start,category\n", "header.event_lat"),
        (b'observed_start,category,event_place\n"2020-11-26,shelling,x\n', "line 2"),
    ],
)
def test_a_malformed_file_is_refused_whole(data: bytes, loc: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_csv(data, now=NOW)
    assert loc in {d["loc"] for d in info.value.details}


def test_parallel_validation_gives_the_same_result() -> None:
    lines = [HEADER]
    for i in range(5000):
        category = "fireworks" if i % 997 == 0 else "shelling"
        lines.append(f"r{i},2020-11-{1 + i % 28:02d}T10:00Z,{category},Aghdam,2,heard,,n{i}\n")
    data = "".join(lines).encode()
    serial = parse_csv(data, now=NOW, workers=1)
    parallel = parse_csv(data, now=NOW, workers=2)
    assert [r.canonical for r in parallel.rows] == [r.canonical for r in serial.rows]
    assert parallel.error_details() == serial.error_details()
    assert len(serial.errors) == 6


def test_problems_map_back_to_columns() -> None:
    assert column_for("event_position.lat") == "event_lat"
    assert column_for("casualties.killed_civilian.low") == "killed_civilian"
    assert column_for("means.3") == "means"
    assert column_for("observed.precision") == "time_precision"
