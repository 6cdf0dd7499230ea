"""``ReportContent.canonical`` writes its JSON directly: byte for byte what
``canonical_json(content.to_dict())`` writes, for any content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.access import Classification
from ceasefire.reports.model import (
    CASUALTY_KEYS,
    Category,
    Channel,
    Confidence,
    Estimate,
    Means,
    Point,
    Position,
    ReportContent,
    TimePrecision,
    TimeWindow,
    WeaponClass,
    WherePrecision,
    canonical_json,
    content_from_dict,
)

texts = st.one_of(st.none(), st.text(max_size=30))
numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
)
instants = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
positions = st.builds(
    Position,
    point=st.one_of(st.none(), st.builds(Point, numbers, numbers)),
    place_name=texts,
    precision=st.sampled_from(WherePrecision),
)
estimates = st.builds(Estimate, st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))


@st.composite
def contents(draw: st.DrawFn) -> ReportContent:
    start = draw(instants)
    window = TimeWindow(
        start=start,
        end=start + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))),
        precision=draw(st.sampled_from(TimePrecision)),
        local_start=draw(texts),
        local_end=draw(texts),
        timezone=draw(texts),
    )
    fields: dict[str, Any] = {
        "channel": draw(st.sampled_from(Channel)),
        "observed": window,
        "category": draw(st.sampled_from(Category)),
        "event_position": draw(positions),
        "observer_position": draw(st.one_of(st.none(), positions)),
        "distance_min_m": draw(numbers),
        "distance_max_m": draw(numbers),
        "bearing_deg": draw(numbers),
        "count": draw(st.one_of(st.none(), st.integers(0, 10**9))),
        "weapon_class": draw(st.one_of(st.none(), st.sampled_from(WeaponClass))),
        "means": tuple(draw(st.lists(st.sampled_from(Means), max_size=4))),
        "alleged_perpetrator": draw(texts),
        "casualties": draw(st.dictionaries(st.sampled_from(CASUALTY_KEYS), estimates)),
        "narrative": draw(texts),
        "source_reference": draw(texts),
        "reporter": draw(texts),
        "confidence": draw(st.one_of(st.none(), st.sampled_from(Confidence))),
        "classification": draw(st.sampled_from(Classification)),
        "concerns": tuple(draw(st.lists(st.text(max_size=5), max_size=3))),
        "agreement_id": draw(texts),
        "post_id": draw(texts),
        "sensor_id": draw(texts),
    }
    return ReportContent(**fields)


@settings(max_examples=400)
@given(contents())
def test_direct_canonical_text_is_the_canonical_json_of_to_dict(content: ReportContent) -> None:
    assert content.canonical()[0] == canonical_json(content.to_dict())


def test_quotes_control_characters_and_non_ascii_are_written_alike() -> None:
    content = content_from_dict(
        {
            "channel": "csv_import",
            "observed": {
                "start": "2020-11-26T10:00:00+00:00",
                "end": "2020-11-26T10:05:00+00:00",
                "precision": "exact",
                "local_start": None,
                "local_end": None,
                "timezone": None,
            },
            "category": "shelling",
            "event_position": {
                "lat": 39.9,
                "lon": 46.9,
                "place_name": 'Ağdam "east"\n\t\x01\u2028',
                "precision": 2,
            },
            "narrative": "Şuşa — 🚀 \\ /",
            "classification": "internal",
            "casualties": {"killed_civilian": {"low": 1, "best": 2, "high": 4}},
            "distance_m": {"min": 100.0, "max": 1e22},
        }
    )
    assert content.canonical()[0] == canonical_json(content.to_dict())
