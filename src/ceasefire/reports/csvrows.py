"""A fast path from the cells of a CSV row to the stored form of its report.

A bulk import validates tens of thousands of rows a second. The generic path builds the
row's nested body, hands it to ``validate_report`` (which walks it and builds the content's
dataclasses) and writes the canonical JSON from those: about 70 µs a row. Most rows of a
real file are plain (no time zone, numbers written plainly, known codes), and for those
this module goes from the cells straight to the stored form (canonical JSON text, its
SHA-256 and the query fields) in a fraction of that.

It only ever says yes to a row the generic path accepts, with the same result: whenever a
row is not plain, or breaks any rule, the reader returns None and the caller validates the
row with ``validate_report``, which has the final say and writes the error messages. So this
path holds no messages, only conditions under which it gives up. The rules' constants come
from ``domain.reports``; ``tests/unit/test_csv_fast_rows.py`` holds the two paths to the same
output for any row (a differential property test).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from ceasefire.access import Classification
from ceasefire.reports.csvcells import ESTIMATE_SEPARATOR, cell_list, cell_number
from ceasefire.reports.model import (
    CASUALTY_KEYS,
    ENUM_JSON,
    MAX_COUNT,
    MAX_ID,
    MAX_SHORT_TEXT,
    MAX_TEXT,
    PRECISION_MAX_SPAN,
    SEEN_ONLY_CATEGORIES,
    UNSTORABLE_TEXT,
    Category,
    Channel,
    Confidence,
    Means,
    TimePrecision,
    WeaponClass,
    default_window_end,
    json_text,
    utc_instant,
    valid_party_code,
)


class StoredContent(NamedTuple):
    """A report's content as it is stored: canonical JSON, its SHA-256, the query fields
    (in ``QUERY_FIELDS`` order)."""

    text: str
    sha256: str
    fields: tuple[Any, ...]


RowReader = Callable[[Sequence[str]], StoredContent | None]

_CHANNELS: dict[str, Channel] = {m.value: m for m in Channel}
_CATEGORIES: dict[str, Category] = {m.value: m for m in Category}
_PRECISIONS: dict[str, TimePrecision] = {m.value: m for m in TimePrecision}
_WEAPONS: dict[str, WeaponClass] = {m.value: m for m in WeaponClass}
_CONFIDENCES: dict[str, Confidence] = {m.value: m for m in Confidence}
_CLASSIFICATIONS: dict[str, Classification] = {m.value: m for m in Classification}
_MEANS: dict[str, Means] = {m.value: m for m in Means}
_WHERE_PRECISION_TEXT = {str(n): n for n in range(1, 8)}
_string = json.encoder.encode_basestring  # a JSON string, as ``json_text`` writes it
_Q = '"'
_NO = None  # what every give-up returns: "validate this row the generic way"


def _decimal(text: str) -> float | None:
    """A finite number as validation reads the cell (``cell_number``, then ``float``)."""
    try:
        value = float(text)
    except ValueError:
        return None
    if value - value != 0.0:  # inf or nan
        return None
    if value.is_integer():
        return float(cell_number(text))  # whole numbers as cell_number reads them (-0 is 0)
    return value


def _whole(text: str, minimum: int) -> int | None:
    """A whole number of at least ``minimum`` (and at most ``MAX_COUNT``) as validation
    reads the cell."""
    value = cell_number(text)
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is int and minimum <= value <= MAX_COUNT:
        return value
    return None


def _estimate(text: str) -> tuple[int, int, int] | None:
    """(low, best, high) of a casualty cell: a whole number, or ``low/best/high``."""
    if ESTIMATE_SEPARATOR not in text:
        best = _whole(text, 0)
        return None if best is None else (best, best, best)
    parts = text.split(ESTIMATE_SEPARATOR)
    if len(parts) != 3:
        return None
    low, best, high = (_whole(part.strip(), 0) for part in parts)
    if low is None or best is None or high is None or not low <= best <= high:
        return None
    return low, best, high


def _instant(text: str) -> datetime | None:
    """An ISO 8601 instant in UTC (no offset: UTC), as validation reads it."""
    try:
        return utc_instant(text)
    except (ValueError, OverflowError):
        return None


class _Position(NamedTuple):
    lat: float | None
    lon: float | None
    place: str | None
    precision: int


def _position(lat_text: str, lon_text: str, place: str, precision_text: str) -> _Position | None:
    """A position from its four cells (at least one not empty), or None to give up."""
    if lat_text or lon_text:
        if not (lat_text and lon_text):
            return None
        lat, lon = _decimal(lat_text), _decimal(lon_text)
        if lat is None or lon is None or not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return None
    elif not place:
        return None  # needs a point or a place name
    else:
        lat = lon = None
    if len(place) > MAX_SHORT_TEXT:
        return None
    if precision_text:
        precision = _WHERE_PRECISION_TEXT.get(precision_text) or _whole(precision_text, 1)
        if precision is None or precision > 7 or (lat is None and precision == 1):
            return None
    elif lat is None:
        return None  # a place name alone needs its precision
    else:
        precision = 1
    return _Position(lat, lon, place or None, precision)


def _position_json(position: _Position | None) -> str:
    if position is None:
        return "null"
    lat, lon, place, precision = position
    return (
        f'{{"lat":{"null" if lat is None else float.__repr__(lat)},'
        f'"lon":{"null" if lon is None else float.__repr__(lon)},'
        f'"place_name":{json_text(place)},"precision":{precision}}}'
    )


class PlainRow(NamedTuple):
    """The validated values of a plain row, before they are written out (``stored``)."""

    channel: Channel
    category: Category
    classification: Classification
    start: datetime
    end: datetime
    precision: TimePrecision
    event: _Position
    observer: _Position | None
    distance: tuple[float, float] | None
    bearing: float | None
    how_many: int | None  # the report's count (``count`` is a tuple method)
    weapon: WeaponClass | None
    means: list[Means]
    casualties: list[tuple[str, int, int, int]]
    perpetrator: str | None
    parties: list[str]
    confidence: Confidence | None
    narrative: str | None
    source: str | None
    reporter: str | None
    agreement: str | None
    post: str | None
    sensor: str | None


def stored(row: PlainRow) -> StoredContent:
    """The stored form of a plain row: what ``ReportContent.canonical`` and ``query_values``
    give for the same content (keys in sorted order at every level)."""
    # Enum values, party codes and ISO times need no escaping; free text does.
    text = (
        f'{{"agreement_id":{"null" if row.agreement is None else _string(row.agreement)},'
        f'"alleged_perpetrator":'
        f"{'null' if row.perpetrator is None else f'{_Q}{row.perpetrator}{_Q}'},"
        f'"bearing_deg":{"null" if row.bearing is None else float.__repr__(row.bearing)},'
        '"casualties":{'
        + ",".join(
            [f'"{k}":{{"best":{b},"high":{h},"low":{lo}}}' for k, lo, b, h in row.casualties]
        )
        + "},"
        f'"category":{ENUM_JSON[row.category]},'
        f'"channel":{ENUM_JSON[row.channel]},'
        f'"classification":{ENUM_JSON[row.classification]},'
        f'"concerns":[{",".join([f"{_Q}{p}{_Q}" for p in row.parties])}],'
        f'"confidence":{"null" if row.confidence is None else ENUM_JSON[row.confidence]},'
        f'"count":{"null" if row.how_many is None else row.how_many},'
        '"distance_m":'
        + (
            "null"
            if row.distance is None
            else f'{{"max":{float.__repr__(row.distance[1])},'
            f'"min":{float.__repr__(row.distance[0])}}}'
        )
        + f',"event_position":{_position_json(row.event)},'
        f'"means":[{",".join([ENUM_JSON[m] for m in row.means])}],'
        f'"narrative":{"null" if row.narrative is None else _string(row.narrative)},'
        f'"observed":{{"end":"{row.end.isoformat()}",'
        f'"local_end":null,"local_start":null,'
        f'"precision":{ENUM_JSON[row.precision]},'
        f'"start":"{row.start.isoformat()}","timezone":null}},'
        f'"observer_position":{_position_json(row.observer)},'
        f'"post_id":{"null" if row.post is None else _string(row.post)},'
        f'"reporter":{"null" if row.reporter is None else _string(row.reporter)},'
        f'"sensor_id":{"null" if row.sensor is None else _string(row.sensor)},'
        f'"source_reference":{"null" if row.source is None else _string(row.source)},'
        f'"weapon_class":{"null" if row.weapon is None else ENUM_JSON[row.weapon]}}}'
    )
    fields = (
        row.channel._value_,
        row.category._value_,
        row.classification._value_,
        f",{','.join(row.parties)},"
        if row.parties
        else ",",  # concerns_key of sorted, unique codes
        row.start,
        row.end,
        row.precision._value_,
        row.event.lat,
        row.event.lon,
        row.event.place,
        row.event.precision,
        row.perpetrator,
        row.agreement,
    )
    return StoredContent(text, hashlib.sha256(text.encode("utf-8")).hexdigest(), fields)


def plain_row_reader(
    columns: Sequence[str], *, now: datetime, future_tolerance: timedelta
) -> RowReader:
    """A function from one record of a file with header ``columns`` (its cells as read, not
    stripped, as many as the header has) to its stored content, or None when the row is not
    in the plain form this path handles; the caller then validates it with
    ``validate_report``, which has the final say. (``plain_row_checker`` then ``stored``.)"""
    check = plain_row_checker(columns, now=now, future_tolerance=future_tolerance)

    def read(record: Sequence[str]) -> StoredContent | None:
        row = check(record)
        return None if row is None else stored(row)

    return read


def plain_row_checker(
    columns: Sequence[str], *, now: datetime, future_tolerance: timedelta
) -> Callable[[Sequence[str]], PlainRow | None]:
    """Like ``plain_row_reader``, but gives the row's validated values (``PlainRow``) and
    leaves writing them out (``stored``) for later: an import validates a whole file before
    it writes anything, and writes its rows while the previous batch is stored."""
    absent = len(columns)  # a column the file lacks reads as an empty cell, put last

    def at(name: str) -> int:
        return columns.index(name) if name in columns else absent

    latest = now + future_tolerance
    zone_given = "timezone" in columns
    (
        channel_i,
        start_i,
        end_i,
        precision_i,
        zone_i,
        category_i,
        count_i,
        weapon_i,
        means_i,
        perpetrator_i,
        narrative_i,
        source_i,
        reporter_i,
        confidence_i,
        classification_i,
        concerns_i,
        agreement_i,
        post_i,
        sensor_i,
        distance_min_i,
        distance_max_i,
        bearing_i,
    ) = (
        at(name)
        for name in (
            "channel",
            "observed_start",
            "observed_end",
            "time_precision",
            "timezone",
            "category",
            "count",
            "weapon_class",
            "means",
            "alleged_perpetrator",
            "narrative",
            "source_reference",
            "reporter",
            "confidence",
            "classification",
            "concerns",
            "agreement_id",
            "post_id",
            "sensor_id",
            "distance_min_m",
            "distance_max_m",
            "bearing_deg",
        )
    )
    event_i = tuple(at(f"event_{part}") for part in ("lat", "lon", "place", "precision"))
    observer_i = tuple(at(f"observer_{part}") for part in ("lat", "lon", "place", "precision"))
    casualty_i = tuple(
        (key, at(key)) for key in sorted(CASUALTY_KEYS) if key in columns
    )  # sorted: the order of the canonical JSON
    civilian = frozenset({"killed_civilian", "injured_civilian"})

    def check(record: Sequence[str]) -> PlainRow | None:
        if UNSTORABLE_TEXT.search("\x1f".join(record)) is not None:
            # A NUL byte or a lone surrogate (PostgreSQL cannot store the one, UTF-8 cannot
            # encode the other): the generic path refuses it by name.
            return _NO
        cells = [cell.strip() for cell in record]
        cells.append("")
        if zone_given and cells[zone_i]:
            return _NO  # local times: the generic path keeps their wording

        # Time window.
        text = cells[start_i]
        if not text:
            return _NO
        start = _instant(text)
        if start is None:
            return _NO
        text = cells[precision_i]
        precision = _PRECISIONS.get(text) if text else TimePrecision.EXACT
        if precision is None:
            return _NO
        text = cells[end_i]
        if start > latest:
            return _NO  # (and its default end may not even exist)
        if text:
            end = _instant(text)
            if end is not None and end > latest:
                return _NO
        else:
            end = default_window_end(start, precision)  # may be later than now (today)
        if end is None or end < start or end - start > PRECISION_MAX_SPAN[precision]:
            return _NO

        # Codes.
        text = cells[channel_i]
        channel = _CHANNELS.get(text) if text else Channel.CSV_IMPORT
        category = _CATEGORIES.get(cells[category_i])
        if channel is None or category is None:
            return _NO
        text = cells[weapon_i]
        weapon = _WEAPONS.get(text) if text else None
        if text and weapon is None:
            return _NO
        text = cells[confidence_i]
        confidence = _CONFIDENCES.get(text) if text else None
        if text and confidence is None:
            return _NO
        text = cells[classification_i]
        if text:
            classification = _CLASSIFICATIONS.get(text)
            if classification is None:
                return _NO
        elif channel is Channel.PARTY_COMPLAINT:
            classification = Classification.SHARED
        else:
            classification = Classification.INTERNAL

        # Where.
        lat_i, lon_i, place_i, where_i = event_i
        event = _position(cells[lat_i], cells[lon_i], cells[place_i], cells[where_i])
        if event is None:
            return _NO
        lat_i, lon_i, place_i, where_i = observer_i
        observer_cells = (cells[lat_i], cells[lon_i], cells[place_i], cells[where_i])
        if any(observer_cells):
            observer = _position(*observer_cells)
            if observer is None:
                return _NO
        else:
            observer = None
        low_text, high_text, bearing_text = (
            cells[distance_min_i],
            cells[distance_max_i],
            cells[bearing_i],
        )
        if (low_text or high_text or bearing_text) and observer is None:
            return _NO  # distance and bearing are measured from the observer
        if low_text or high_text:
            # One of the two alone stands for both.
            low = _decimal(low_text or high_text)
            high = _decimal(high_text or low_text)
            if low is None or high is None or low < 0 or low > high:
                return _NO
            distance: tuple[float, float] | None = (low, high)
        else:
            distance = None
        if bearing_text:
            bearing = _decimal(bearing_text)
            if bearing is None or not 0.0 <= bearing < 360.0:
                return _NO
        else:
            bearing = None

        # What, how many, how.
        text = cells[count_i]
        count = _whole(text, 1) if text else None
        if text and count is None:
            return _NO
        text = cells[means_i]
        means: list[Means] = []
        if text:
            for item in cell_list(text):
                found = _MEANS.get(item)
                if found is None:
                    return _NO
                if found not in means:
                    means.append(found)
            if not means:
                return _NO
        elif channel is Channel.MONITOR_OBSERVATION:
            return _NO
        if len(means) == 1 and means[0] is Means.HEARD and category in SEEN_ONLY_CATEGORIES:
            return _NO
        casualties: list[tuple[str, int, int, int]] = []
        civilian_highs: list[int] = []
        for key, index in casualty_i:
            text = cells[index]
            if text:
                estimate = _estimate(text)
                if estimate is None:
                    return _NO
                low_n, best_n, high_n = estimate
                casualties.append((key, low_n, best_n, high_n))
                if key in civilian:
                    civilian_highs.append(high_n)
        if category is Category.CIVILIAN_CASUALTY and not any(civilian_highs):
            return _NO  # none given, or all zero: contradicts the category

        # Who.
        text = cells[perpetrator_i]
        perpetrator = valid_party_code(text) if text else None
        if text and perpetrator is None:
            return _NO
        text = cells[concerns_i]
        concerns: set[str] = set()
        if text:
            for item in cell_list(text):
                code = valid_party_code(item)
                if code is None:
                    return _NO
                concerns.add(code)
        if perpetrator is not None:
            concerns.add(perpetrator)
        parties = sorted(concerns)

        # Free text and references.
        narrative = cells[narrative_i] or None
        source = cells[source_i] or None
        reporter = cells[reporter_i] or None
        agreement = cells[agreement_i] or None
        post = cells[post_i] or None
        sensor = cells[sensor_i] or None
        if (
            (narrative is not None and len(narrative) > MAX_TEXT)
            or (source is not None and len(source) > MAX_SHORT_TEXT)
            or (reporter is not None and len(reporter) > MAX_SHORT_TEXT)
            or (agreement is not None and len(agreement) > MAX_ID)
            or (post is not None and len(post) > MAX_ID)
            or (sensor is not None and len(sensor) > MAX_ID)
        ):
            return _NO
        if channel is Channel.SENSOR_DETECTION and post is None and sensor is None:
            return _NO

        return PlainRow(
            channel,
            category,
            classification,
            start,
            end,
            precision,
            event,
            observer,
            distance,
            bearing,
            count,
            weapon,
            means,
            casualties,
            perpetrator,
            parties,
            confidence,
            narrative,
            source,
            reporter,
            agreement,
            post,
            sensor,
        )

    return check
