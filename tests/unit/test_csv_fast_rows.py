"""The fast path of CSV rows (``csvrows.plain_row_reader``) held to the generic one.

The generic path is the reference: cells -> ``record_to_body`` -> ``validate_report`` ->
``canonical()`` and ``query_values()``. Whatever row the fast path answers must be one the
generic path accepts, stored exactly as it stores it (canonical text, SHA-256, query fields,
their types included); a row the generic path rejects must be left to it (None).

Rows are drawn under random headers from per-column cells that mix ordinary values, boundary
values and junk, some meeting cross-field rules; every edge value is also tried, alone, in every
column of ordinary rows. Ordinary rows (the benchmark's, the factories', a row with every
column) must take the fast path, so that it cannot silently become dead code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ceasefire.access import Classification
from ceasefire.errors import InvalidInput
from ceasefire.reports.csvformat import COLUMNS, compile_columns, record_to_body
from ceasefire.reports.csvrows import StoredContent, plain_row_reader
from ceasefire.reports.model import (
    CASUALTY_KEYS,
    PRECISION_MAX_SPAN,
    QUERY_FIELDS,
    SEEN_ONLY_CATEGORIES,
    Category,
    Channel,
    Confidence,
    Means,
    TimePrecision,
    WeaponClass,
)
from ceasefire.reports.model import validate_report as generic_validate
from tests.factories.reports import CSV_HEADER, OBSERVED, csv_row

NOW = datetime(2020, 12, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(minutes=5)
LATEST = NOW + TOLERANCE
"""The latest instant a row may name (``now`` plus the tolerance)."""

Header = tuple[str, ...]
Record = tuple[str, ...]


# --------------------------------------------------------------------------- the reference


def generic_stored(columns: Sequence[str], record: Record) -> StoredContent | None:
    """The stored form the generic path gives a record, or None when it rejects it."""
    body = record_to_body(record, compile_columns(columns))
    try:
        content = generic_validate(
            body,
            now=NOW,
            future_tolerance=TOLERANCE,
            default_channel=Channel.CSV_IMPORT,
        )
    except InvalidInput:
        return None
    text, sha256 = content.canonical()
    return StoredContent(text, sha256, content.query_values())


def assert_same_stored(fast: object, expected: StoredContent, where: str) -> None:
    """``fast`` is exactly ``expected``: same text and hash, same fields of the same types
    (``2`` is not ``2.0``, ``-0.0`` is not ``0.0``, datetimes with the same offset)."""
    assert isinstance(fast, StoredContent), f"{where}: {type(fast).__name__}, not StoredContent"
    assert fast.text == expected.text, where
    assert fast.sha256 == expected.sha256, where
    assert len(fast.fields) == len(QUERY_FIELDS), where
    for name, got, want in zip(QUERY_FIELDS, fast.fields, expected.fields, strict=True):
        assert type(got) is type(want), f"{where}: {name} is {got!r}, expected {want!r}"
        assert got == want, f"{where}: {name} is {got!r}, expected {want!r}"
        if isinstance(want, float):
            assert repr(got) == repr(want), f"{where}: {name} is {got!r}, expected {want!r}"
        if isinstance(want, datetime):
            assert isinstance(got, datetime)
            assert got.isoformat() == want.isoformat(), f"{where}: {name} is {got!r}"
            assert got.tzinfo == want.tzinfo, f"{where}: {name} is {got!r}, expected {want!r}"
    assert fast == expected, where


def check_row(columns: Header, record: Record, read: Callable[[Sequence[str]], Any]) -> bool:
    """Hold the fast path to the generic one on one record; True if the fast path took it."""
    where = f"header={list(columns)!r} record={record!r}"
    # Any failure of the generic path other than InvalidInput propagates: a row must never
    # crash an import (time zones that are folders of the zone database, instants off the
    # calendar once in UTC and the like were found this way, and fixed).
    expected = generic_stored(columns, record)
    fast = read(record)
    if expected is None:
        assert fast is None, f"{where}: the generic path rejects the row, the fast path gave it"
        return False
    if fast is None:
        return False
    assert_same_stored(fast, expected, where)
    return True


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Cells:
    """What a column's cells are drawn from: ordinary values, boundary values, junk."""

    typical: st.SearchStrategy[str]
    boundary: st.SearchStrategy[str]
    junk: st.SearchStrategy[str]


ODD_CHARACTERS = list(
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000\ufeff\x00\x7f\";,/\\'é€😀٣５²ß"
)
"""Whitespace that ``str.strip`` removes (and some it does not), separators, quotes,
non-ASCII digits and letters."""

odd_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(ODD_CHARACTERS)), max_size=16
)


def values(*items: str) -> st.SearchStrategy[str]:
    return st.sampled_from(items)


def over_long(limit: int) -> st.SearchStrategy[str]:
    """Texts just at and just over ``limit`` characters (stripped first, counted in code
    points)."""
    return values(
        "x" * limit,
        "x" * (limit + 1),
        " " + "é" * limit + "\t",
        "😀" * limit,
        "😀" * (limit + 1),
    )


NUMBER_EDGE_TEXTS = (
    "0",
    "-0",
    "-0.0",
    "0.0",
    "+5",
    "5.",
    ".5",
    "2.0",
    "1e3",
    "1E2",
    "1e-3",
    "1e400",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1_000",
    "1_000.5",
    " 5 ",
    "٣",
    "١٢",
    "５",
    "１.５",
    "²",
    "0x1A",
    "1,5",
    "12345678901234567890",
    "0000000000000000007",
    "999999999999999",
    "9999999999999999",
    "-",
    ".",
)
"""Numbers at the edges of what ``float``/``int`` read, of how cells become numbers, and of
exactness."""
NUMBER_EDGES = values(*NUMBER_EDGE_TEXTS)


@st.composite
def decimals(draw: st.DrawFn, low: float, high: float) -> str:
    """A number in [low, high] written as a CSV cell usually writes it."""
    value = draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
    style = draw(st.integers(0, 3))
    if style == 0:
        return repr(value)
    if style == 1:
        return str(round(value))
    return f"{value:.{draw(st.integers(1, 9))}f}"


def cells(
    typical: st.SearchStrategy[str],
    boundary: st.SearchStrategy[str],
    junk: st.SearchStrategy[str] = odd_text,
) -> Cells:
    return Cells(typical, boundary, junk)


def enum_cells(enum: type[Any], *boundary: str, optional: bool = True) -> Cells:
    names = [member.value for member in enum]
    typical = values(*([""] if optional else []), *names)
    wrong_case = [name.upper() for name in names[:3]] + [name.title() for name in names[:3]]
    return cells(typical, values("", *boundary, *wrong_case, "unknown_value"))


latitude_cells = cells(
    st.one_of(decimals(-90, 90), values("39.901", "39.991", "40.1")),
    st.one_of(
        NUMBER_EDGES,
        values(""),
        values("90", "90.0", "-90", "-90.0000001", "90.00000000000001", "90.000000000000001"),
    ),
)
longitude_cells = cells(
    st.one_of(decimals(-180, 180), values("46.927", "47.05")),
    st.one_of(NUMBER_EDGES, values("", "180", "-180.0", "180.5", "-180.00000000000003")),
)
place_cells = cells(
    values("", "Aghdam", "Aghdam district", "Füzuli", "Şuşa / Shusha", "Stepanakert, Khankendi"),
    st.one_of(over_long(500), values(" ", "\u2028Aghdam\u2028", 'the "post"')),
)
where_precision_cells = cells(
    values("1", "2", "3", "4", "5", "6", "7"),
    values("", "0", "8", "-1", "2.0", "1e0", "7.5", "3.", " 3 ", "٣", "５", "02", "1e400", "nan"),
)
distance_cells = cells(
    values("", "0", "500", "8000", "12000", "1200.5", "25.25"),
    st.one_of(NUMBER_EDGES, values("-1", "-0.5", "1e9")),
)
estimate_cells = cells(
    values("", "", "0", "1", "2", "1/2/3", "0/1/2", "0/0/0", "2/2/2", " 2 / 3 / 4 "),
    values(
        "2.0",
        "1/2",
        "3/2/1",
        "1/1/0",
        "2/1/3",
        "-1",
        "1//2",
        "/",
        "//",
        "1/2/3/4",
        "0.5/1/2",
        "1/2.0/3",
        "5.",
        "1e1",
        "٣",
        "١/٢/٣",
        "nan",
        "1e400",
        "12345678901234567890",
        "1 / 2 / 1e1",
    ),
)
id_cells = cells(
    values("", "nk-2020-trilateral", "POST-7", "CAM-3", "sensor 12"),
    st.one_of(over_long(64), values(" ", "a,b", "line\nbreak")),
)
short_text_cells = cells(
    st.one_of(
        values("", "Binbaşı Ayşe Demir", "JMC patrol log 26/11 #7", 'said "boom"'),
        st.text(max_size=30),
    ),
    st.one_of(over_long(500), values("\x00", "\u2028", "\\u0000", "</script>")),
)

COLUMN_CELLS: dict[str, Cells] = {
    "client_id": cells(
        values("", "row-1", "a", "row,2"), st.one_of(over_long(120), values(" ", "\n"))
    ),
    "channel": enum_cells(Channel, "csv-import", "news ", "email"),
    "time_precision": enum_cells(TimePrecision, "hour", "months", "exact;day"),
    "timezone": cells(
        values("", "Asia/Baku", "Asia/Yerevan", "UTC", "Europe/Moscow", "Etc/GMT-4"),
        st.one_of(
            values(
                "Europe/Berlin",
                "Europe/Kyiv",
                "asia/baku",
                "Asia",
                "Asia/",
                "/etc/localtime",
                "../zoneinfo/UTC",
                "Mars/Olympus",
                "Factory",
                "right/UTC",
                "posixrules",
                "Etc/GMT+14",
                "+04:00",
                "Z",
            ),
            over_long(64),
        ),
    ),
    "event_lat": latitude_cells,
    "event_lon": longitude_cells,
    "event_place": place_cells,
    "event_precision": where_precision_cells,
    "observer_lat": latitude_cells,
    "observer_lon": longitude_cells,
    "observer_place": place_cells,
    "observer_precision": where_precision_cells,
    "distance_min_m": distance_cells,
    "distance_max_m": distance_cells,
    "bearing_deg": cells(
        values("", "0", "90", "285", "359.9", "12.5"),
        st.one_of(NUMBER_EDGES, values("360", "359.99999999999999", "359.9999999999999", "-1")),
    ),
    "category": enum_cells(Category, "explosion", "civilian-casualty", optional=False),
    "count": cells(
        values("", "1", "2", "14", "120"),
        st.one_of(NUMBER_EDGES, values("0", "-3", "2.5", "1e1", "1E0", "2.0")),
    ),
    "weapon_class": enum_cells(WeaponClass, "rifle", "small-arms"),
    "means": cells(
        values(
            "",
            *(means.value for means in Means),
            "heard;seen",
            "camera;uav",
            "heard; uav",
            "seen;heard;seen",
        ),
        values(";", "heard;", ";heard", ";;", " ; ", "heard;;seen", "heard,seen", "smelled"),
    ),
    "alleged_perpetrator": cells(
        values("", "ARM", "AZE", "RUS"),
        values(
            "AB",
            "A",
            "ABCDEFGHIJKLMNOP",
            "ABCDEFGHIJKLMNOPQ",
            "arm",
            "A-1",
            "A_",
            "1AB",
            "ÄRM",
            "ARM;AZE",
            "ARM\n",
            "AR M",
        ),
    ),
    **dict.fromkeys(CASUALTY_KEYS, estimate_cells),
    "narrative": cells(
        st.one_of(
            values("", "Observation 1", "two lines,\nof text", 'quoted "word"'),
            st.text(max_size=40),
        ),
        st.one_of(
            values("x" * 20_000, "x" * 20_001, " " + "é" * 20_000 + " ", "\u2028", "\x00"),
            over_long(500),
        ),
    ),
    "source_reference": short_text_cells,
    "reporter": short_text_cells,
    "confidence": enum_cells(Confidence, "certain"),
    "classification": enum_cells(Classification, "secret", "restricted"),
    "concerns": cells(
        values("", "ARM", "AZE;ARM", "ARM;AZE", "ARM; AZE; ARM", "RUS"),
        values(
            ";",
            "ARM;;AZE",
            "arm;AZE",
            "ARM,AZE",
            "A;AZE",
            "ABCDEFGHIJKLMNOPQ",
            "ABCDEFGHIJKLMNOP;AB",
            "ARM;",
        ),
    ),
    "agreement_id": id_cells,
    "post_id": id_cells,
    "sensor_id": id_cells,
}

# --------------------------------------------------------------------------- instants

INSTANT_STYLES: dict[str, Callable[[datetime], str]] = {
    "offset": lambda m: m.isoformat(),
    "z": lambda m: m.isoformat().replace("+00:00", "Z"),
    "lower z": lambda m: m.isoformat().replace("+00:00", "z"),
    "baku offset": lambda m: m.astimezone(timezone(timedelta(hours=4))).isoformat(),
    "odd offset": lambda m: m.astimezone(timezone(-timedelta(hours=3, minutes=30))).isoformat(),
    "no offset": lambda m: m.replace(tzinfo=None).isoformat(),
    "minutes z": lambda m: f"{m:%Y-%m-%dT%H:%M}Z",
    "date": lambda m: f"{m:%Y-%m-%d}",
    "space": lambda m: m.replace(tzinfo=None).isoformat(sep=" "),
    "basic": lambda m: f"{m:%Y%m%dT%H%M%S}Z",
    "milliseconds": lambda m: m.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    "offset no colon": lambda m: f"{m:%Y-%m-%dT%H:%M:%S}+0000",
}
"""Ways to write an instant: with and without offsets, ``Z``, dates, ISO basic format."""

moments = st.one_of(
    st.datetimes(datetime(2019, 1, 1), datetime(2020, 12, 3), timezones=st.just(UTC)),
    st.sampled_from(
        [
            NOW,
            NOW - timedelta(minutes=10),
            NOW - timedelta(hours=12),
            LATEST - timedelta(microseconds=1),
            LATEST,
            LATEST + timedelta(microseconds=1),
            LATEST + timedelta(seconds=1),
            datetime(2020, 11, 1, tzinfo=UTC),
            datetime(2020, 12, 1, tzinfo=UTC),
            datetime(2019, 12, 1, tzinfo=UTC),
            datetime(2020, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
            datetime(2020, 10, 25, 1, 30, tzinfo=UTC),  # a DST fold in Europe
            OBSERVED,
        ]
    ),
)
"""Instants around ``now``: mostly in the past, some at and beyond the tolerance, first days
of months (the month precision's default end) and DST changes."""

window_lengths = st.one_of(
    st.sampled_from(
        [
            timedelta(0),
            timedelta(minutes=5),
            timedelta(minutes=20),
            -timedelta(minutes=1),
            -timedelta(microseconds=1),
            *(
                longest + extra
                for longest in PRECISION_MAX_SPAN.values()
                for extra in (timedelta(0), timedelta(microseconds=1), timedelta(seconds=1))
            ),
        ]
    ),
    st.timedeltas(timedelta(0), timedelta(days=1)),
    st.timedeltas(-timedelta(hours=1), timedelta(days=40)),
)
"""From start to end: at and past each precision's longest window, and negative."""

BROKEN_INSTANTS = (
    "",
    "yesterday",
    "2020-13-01",
    "2020-11-31",
    "2020-11-26T24:00",
    "26/11/2020",
    "2020-11-26T10:00+25:00",
    "2020-W48-4",
    "2020-11-26T10",
    "2020-11-26T10:00:00,5",
    "0001-01-01T00:00+01:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01",
    "2020-11-26Z",
    "2020-11-26T10:00:00+00:00Z",
)
"""Instants that are wrong, or right in forms a CSV rarely has, or out of datetime's range."""
broken_instants = values(*BROKEN_INSTANTS)


Writer = Callable[[datetime], str]
"""Writes an instant as a cell (or writes a fixed cell, whatever the instant)."""

written_instants: st.SearchStrategy[Writer] = st.sampled_from(list(INSTANT_STYLES.values()))


def fixed(text: str) -> Writer:
    return lambda _moment: text


INSTANT_WRITERS: dict[str, st.SearchStrategy[Writer]] = {
    "typical": written_instants,
    "boundary": st.one_of(*[written_instants] * 4, broken_instants.map(fixed)),
    "wild": st.one_of(*[written_instants] * 4, broken_instants.map(fixed), odd_text.map(fixed)),
}


# --------------------------------------------------------------------------- rows

FLAVOURS = ("typical", "one off", "one off", "one off", "boundary", "wild")
"""How far a row strays: ordinary cells only; ordinary but for one boundary or junk cell (3:1);
boundary values anywhere; junk too."""

SCENARIOS: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "civilian casualty": {
        "category": st.just("civilian_casualty"),
        "killed_civilian": values("", "0", "0/0/0", "0/0/1", "1", "0/1/2"),
        "injured_civilian": values("", "0", "2", "0/0/0"),
    },
    "heard alone": {
        "category": st.sampled_from(sorted(c.value for c in SEEN_ONLY_CATEGORIES)),
        "means": values("heard", "heard;heard", "heard;seen", "seen", "heard;uav"),
    },
    "monitor": {
        "channel": st.just("monitor_observation"),
        "means": values("", ";", "heard", " ; ", "camera"),
    },
    "sensor": {
        "channel": st.just("sensor_detection"),
        "post_id": values("", "", "POST-7"),
        "sensor_id": values("", "", "CAM-3"),
    },
    "complaint": {
        "channel": st.just("party_complaint"),
        "classification": values("", "", "internal", "public"),
    },
    "measured": {
        "observer_lat": values("", "39.97", "39.97"),
        "observer_lon": values("", "47.05", "47.05"),
        "observer_place": values("", "", "Post 7"),
        "distance_min_m": values("", "0", "8000", "-0.0", "12000"),
        "distance_max_m": values("", "8000", "12000", "7999.5"),
        "bearing_deg": values("", "0", "285", "-0.0", "359.9", "360", "359.99999999999999"),
    },
}
"""Cross-field rules (a civilian casualty with no or zero civilian casualties, a category that
cannot be heard, a monitor's means, a sensor's id, a complaint's classification, distance and
bearing without an observer): the cells that meet them, put in an otherwise drawn row."""

REQUIRED = ("observed_start", "category")
OPTIONAL = tuple(c for c in COLUMNS if c not in REQUIRED)
EVENT_POSITION_COLUMNS = (
    ("event_lat", "event_lon"),
    ("event_lat", "event_lon"),
    ("event_place", "event_precision"),
    ("event_lat", "event_lon", "event_place"),
    ("event_lat",),
    ("event_place",),
)
COLUMN_PAIRS = (
    ("event_lat", "event_lon"),
    ("observer_lat", "observer_lon"),
    ("observer_place", "observer_precision"),
    ("distance_min_m", "distance_max_m"),
)


@st.composite
def headers(draw: st.DrawFn, scenario: Sequence[str] = ()) -> Header:
    """A header the CSV parser accepts: any order, observed_start, category and an event
    position column always there (and the scenario's), sometimes every column."""
    if draw(st.integers(0, 7)) == 0:
        return tuple(draw(st.permutations(list(COLUMNS))))
    position = draw(st.sampled_from(EVENT_POSITION_COLUMNS))
    extra = draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=len(OPTIONAL)))
    chosen = list(dict.fromkeys([*REQUIRED, *position, *scenario, *extra]))
    for pair in COLUMN_PAIRS:
        # Mostly both columns of a pair or neither (one alone makes a row invalid).
        alone = [column for column in pair if column not in chosen]
        if len(alone) == 1 and draw(st.integers(0, 3)) > 0:
            chosen.append(alone[0])
    return tuple(draw(st.permutations(chosen)))


WRAPS = (
    *[("", "")] * 12,
    (" ", ""),
    ("", " "),
    ("  ", "  "),
    ("\t", ""),
    ("\u00a0", "\u00a0"),
    ("\u3000", ""),
    ("", "\x1f"),
    ("\n", "\n"),
)
"""Mostly none; else whitespace that the generic path strips, as a CSV file may have it."""
wraps = st.sampled_from(WRAPS)


def wrap(around: tuple[str, str], cell: str) -> str:
    return around[0] + cell + around[1]


def padded(cell: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(wrap, wraps, cell)


def flavoured(column_cells: Cells, flavour: str) -> st.SearchStrategy[str]:
    """A column's cells in a flavour: ordinary only; boundary values and junk only (for the
    one cell that is off); ordinary, boundary values and junk mixed (3:2:1)."""
    typical, boundary, junk = column_cells.typical, column_cells.boundary, column_cells.junk
    if flavour == "typical":
        return padded(typical)
    if flavour == "off":
        return padded(st.one_of(boundary, boundary, boundary, junk))
    if flavour == "boundary":
        return padded(st.one_of(typical, typical, typical, boundary, boundary))
    return padded(st.one_of(typical, typical, typical, boundary, boundary, junk))


CELLS: dict[str, dict[str, st.SearchStrategy[str]]] = {
    flavour: {
        column: flavoured(column_cells, flavour) for column, column_cells in COLUMN_CELLS.items()
    }
    for flavour in ("typical", "off", "boundary", "wild")
}
INSTANT_WRITERS["off"] = st.one_of(broken_instants.map(fixed), odd_text.map(fixed))


@st.composite
def records(
    draw: st.DrawFn,
    columns: Header,
    flavours: Sequence[str] = FLAVOURS,
    scenario: dict[str, st.SearchStrategy[str]] | None = None,
) -> Record:
    """One record for ``columns``: as many cells as the header, as csv gives them."""
    flavour = draw(st.sampled_from(flavours))
    off_column = draw(st.sampled_from(columns)) if flavour == "one off" else None
    if flavour == "one off":
        flavour = "typical"
    start = draw(moments)
    end = start + draw(window_lengths)
    row: list[str] = []
    for column in columns:
        cell_flavour = "off" if column == off_column else flavour
        writers = INSTANT_WRITERS[cell_flavour]
        if scenario and column in scenario and column != off_column:
            cell = draw(scenario[column])
        elif column == "observed_start":
            cell = wrap(draw(wraps), draw(writers)(start))
        elif column == "observed_end":
            empty = cell_flavour != "off" and draw(st.integers(0, 2)) == 0
            cell = "" if empty else wrap(draw(wraps), draw(writers)(end))
        else:
            cell = draw(CELLS[cell_flavour][column])
        row.append(cell)
    return tuple(row)


@st.composite
def csv_files(draw: st.DrawFn, flavours: Sequence[str] = FLAVOURS) -> tuple[Header, list[Record]]:
    """A header and a few records under it (one reader serves them all, in turn); half the
    files meet a cross-field scenario."""
    name = draw(st.sampled_from(["", "", "", "", "", *SCENARIOS]))
    scenario = SCENARIOS.get(name, {})
    columns = draw(headers(tuple(scenario)))
    rows = draw(st.lists(records(columns, flavours, scenario), min_size=1, max_size=2))
    return columns, rows


# --------------------------------------------------------------------------- the tests


# 600 drawn files a run (three Pythons in CI: 1,800), each of one or two rows: every edge value
# is also tried deterministically, alone in every column, by test_one_edge_cell_in_an_ordinary_row.
@settings(max_examples=600)
@given(csv_files())
def test_fast_path_gives_what_the_generic_path_gives(file: tuple[Header, list[Record]]) -> None:
    columns, rows = file
    read = plain_row_reader(columns, now=NOW, future_tolerance=TOLERANCE)
    for record in rows:
        check_row(columns, record, read)


FULL_ROW: dict[str, str] = {
    "client_id": "full-1",
    "channel": "monitor_observation",
    "observed_start": "2020-11-26T10:30:00+00:00",
    "observed_end": "2020-11-26T10:50:00+00:00",
    "time_precision": "exact",
    "timezone": "",
    "event_lat": "39.991",
    "event_lon": "46.927",
    "event_place": "Aghdam",
    "event_precision": "2",
    "observer_lat": "39.97",
    "observer_lon": "47.05",
    "observer_place": "Post 7",
    "observer_precision": "1",
    "distance_min_m": "8000",
    "distance_max_m": "12000",
    "bearing_deg": "285",
    "category": "shelling",
    "count": "14",
    "weapon_class": "artillery",
    "means": "heard;uav",
    "alleged_perpetrator": "ARM",
    "killed_civilian": "0/1/2",
    "killed_military": "0",
    "killed_unknown": "1",
    "injured_civilian": "0/1/2",
    "injured_military": "2/3/5",
    "injured_unknown": "",
    "narrative": "Fourteen impacts west of the post,\nseen on the UAV feed.",
    "source_reference": "JMC patrol log 26/11 #7",
    "reporter": "Binbaşı Ayşe Demir",
    "confidence": "high",
    "classification": "shared",
    "concerns": "ARM;AZE",
    "agreement_id": "nk-2020-trilateral",
    "post_id": "POST-7",
    "sensor_id": "CAM-3",
}
assert set(FULL_ROW) == set(COLUMNS)

ORDINARY_ROWS: dict[str, tuple[Header, Record]] = {
    "every column": (tuple(FULL_ROW), tuple(FULL_ROW.values())),
    "every column, reversed": (tuple(reversed(FULL_ROW)), tuple(reversed(FULL_ROW.values()))),
    "civilian casualty": (
        tuple(CSV_HEADER),
        tuple(csv_row(7, category="civilian_casualty", killed_civilian="1/2/4").values()),
    ),
    "place alone, default channel": (
        ("observed_start", "category", "event_place", "event_precision", "means"),
        ("2020-11-26T10:00Z", "shelling", "Aghdam", "3", "heard"),
    ),
    "sensor detection": (
        ("channel", "observed_start", "category", "event_lat", "event_lon", "sensor_id"),
        ("sensor_detection", "2020-11-26", "muzzle_flash", "39.9", "46.9", "CAM-3"),
    ),
}


@pytest.mark.parametrize("name", sorted(ORDINARY_ROWS))
def test_ordinary_rows_take_the_fast_path(name: str) -> None:
    columns, record = ORDINARY_ROWS[name]
    expected = generic_stored(columns, record)
    assert expected is not None, f"{name}: the generic path rejects it"
    fast = plain_row_reader(columns, now=NOW, future_tolerance=TOLERANCE)(record)
    assert fast is not None, f"{name}: left to the generic path"
    assert_same_stored(fast, expected, name)


EDGE_TEXTS = (
    "",
    " ",
    *NUMBER_EDGE_TEXTS,
    "1",
    "7",
    "8",
    "360",
    "359.99999999999999",
    "-1",
    "2.5",
    "1/2/3",
    "0/0/0",
    "3/2/1",
    "2/1/3",
    "1/2",
    "ARM",
    "arm",
    "ARM;AZE",
    ";",
    "heard",
    "heard;seen",
    "internal",
    "Shelling",
    "unknown_value",
    "Asia/Baku",
    "Asia",
    "2020-11-26",
    "2020-11-26T10:00Z",
    LATEST.isoformat(),
    (LATEST + timedelta(microseconds=1)).isoformat(),
    *BROKEN_INSTANTS,
    *("x" * n for n in (16, 17, 64, 65, 120, 121, 500, 501, 20_000, 20_001)),
    "😀" * 65,
)
"""Values at the edges of some column's rules, each tried in every column of ordinary rows."""


@pytest.mark.parametrize("name", sorted(ORDINARY_ROWS))
def test_one_edge_cell_in_an_ordinary_row(name: str) -> None:
    """Each edge value in each column of an ordinary row (whose other cells are fine): the
    rules of one cell, met or broken alone, however rarely drawn above."""
    columns, ordinary = ORDINARY_ROWS[name]
    read = plain_row_reader(columns, now=NOW, future_tolerance=TOLERANCE)
    for index in range(len(columns)):
        for text in EDGE_TEXTS:
            record = (*ordinary[:index], text, *ordinary[index + 1 :])
            check_row(columns, record, read)


def test_benchmark_rows_take_the_fast_path() -> None:
    """The rows ``bench/intake.py`` imports (``csv_row``): every one on the fast path, one
    reader for all of them."""
    columns = tuple(CSV_HEADER)
    read = plain_row_reader(columns, now=NOW, future_tolerance=TOLERANCE)
    for index in range(1, 5_001, 7):
        record = tuple(csv_row(index)[column] for column in columns)
        assert check_row(columns, record, read), f"row {index} left to the generic path"


def test_fast_path_takes_most_ordinary_drawn_rows() -> None:
    """Of the drawn rows with ordinary cells that the generic path accepts, the fast path
    takes a good share (they are what real files hold)."""
    taken: Counter[bool] = Counter()

    @settings(max_examples=200, phases=[Phase.generate], database=None)
    @given(csv_files(flavours=("typical",)))
    def count(file: tuple[Header, list[Record]]) -> None:
        columns, rows = file
        read = plain_row_reader(columns, now=NOW, future_tolerance=TOLERANCE)
        for record in rows:
            if generic_stored(columns, record) is not None:
                taken[check_row(columns, record, read)] += 1

    count()
    accepted = taken[True] + taken[False]
    assert accepted >= 50, f"only {accepted} drawn rows valid: the strategies drifted"
    assert taken[True] >= accepted // 2, f"fast path took {taken[True]} of {accepted}"


@pytest.mark.parametrize("narrative", ["a\x00b", "\ud800", "a\udfffb"])
def test_unstorable_text_goes_to_the_generic_path_which_refuses_it(narrative: str) -> None:
    """Found by the property test above: the fast path stored a narrative with a NUL byte
    that the generic path refuses (PostgreSQL cannot store one), and later (on Python 3.13)
    crashed writing one with a lone surrogate, which UTF-8 cannot encode."""
    columns = ("observed_start", "category", "event_lat", "event_lon", "narrative")
    record = ("2019-01-01T00:00:00+00:00", "explosion_undetermined", "39.9", "46.9", narrative)
    read = plain_row_reader(columns, now=NOW, future_tolerance=TOLERANCE)
    assert read(record) is None
    check_row(columns, record, read)
