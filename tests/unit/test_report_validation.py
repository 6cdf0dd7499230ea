"""Report validation: every problem is reported, each naming its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire.access import Classification
from ceasefire.errors import InvalidInput
from ceasefire.reports.model import (
    Category,
    Channel,
    TimePrecision,
    WherePrecision,
    content_from_dict,
    redact_for_public,
    validate_report,
)

NOW = datetime(2020, 11, 27, 12, 0, tzinfo=UTC)


def shelling(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "monitor_observation",
        "observed": {"start": "2020-11-26T10:30:00Z", "end": "2020-11-26T10:45:00Z"},
        "category": "shelling",
        "event_position": {"place_name": "Aghdam", "precision": 2},
        "observer_position": {"lat": 39.95, "lon": 46.90},
        "distance_m": {"min": 3000, "max": 5000},
        "bearing_deg": 20,
        "count": 12,
        "weapon_class": "artillery",
        "means": ["heard", "seen"],
        "alleged_perpetrator": "ARM",
        "narrative": "Twelve impacts north-east of the patrol.",
        "reporter": "Patrol T-3",
        "confidence": "high",
    }
    body.update(overrides)
    return body


def problems(body: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(InvalidInput) as info:
        validate_report(body, now=NOW, **kwargs)
    return {p["loc"]: p["message"] for p in info.value.details}


def test_a_full_observation_validates_and_round_trips() -> None:
    content = validate_report(shelling(), now=NOW)
    assert content.category is Category.SHELLING
    assert content.concerns == ("ARM",)  # the alleged perpetrator is concerned
    assert content.classification is Classification.INTERNAL
    assert content.event_position.precision is WherePrecision.NEAR
    assert content_from_dict(content.to_dict()) == content
    assert content_from_dict(content.to_dict()).content_sha256() == content.content_sha256()


def test_local_time_is_read_in_the_given_zone_and_kept() -> None:
    body = shelling(
        observed={"start": "2020-11-26T14:30", "timezone": "Asia/Baku", "precision": "exact"}
    )
    content = validate_report(body, now=NOW)
    assert content.observed.start == datetime(2020, 11, 26, 10, 30, tzinfo=UTC)
    assert content.observed.local_start == "2020-11-26T14:30"
    assert content.observed.timezone == "Asia/Baku"


def test_a_day_precision_window_defaults_to_the_whole_day() -> None:
    body = shelling(observed={"start": "2020-11-26", "precision": "day"})
    window = validate_report(body, now=NOW).observed
    assert window.precision is TimePrecision.DAY
    assert window.end - window.start == timedelta(days=1)


def test_every_problem_is_listed_with_its_field() -> None:
    body = shelling(
        channel="carrier_pigeon",
        category="explosion_big",
        observed={"start": "2020-11-26T11:00:00Z", "end": "2020-11-26T10:00:00Z"},
        event_position={"lat": 95.0, "lon": 46.9},
        observer_position={"lat": "39.9", "lon": 200},
        count="twelve",
        bearing_deg=360,
        extra="?",
    )
    found = problems(body)
    assert "channel" in found
    assert "unknown value 'explosion_big'" in found["category"]
    assert "before observed.start" in found["observed.end"]
    assert "latitude out of range" in found["event_position.lat"]
    assert "must be a number" in found["observer_position.lat"]
    assert "longitude out of range" in found["observer_position.lon"]
    assert "whole number" in found["count"]
    assert "[0, 360)" in found["bearing_deg"]
    assert found["extra"] == "unknown field"


def test_the_future_beyond_the_tolerance_is_refused() -> None:
    soon = (NOW + timedelta(minutes=2)).isoformat()
    later = (NOW + timedelta(hours=2)).isoformat()
    validate_report(shelling(observed={"start": soon}), now=NOW)
    found = problems(shelling(observed={"start": later}))
    assert "future" in found["observed.start"]


@pytest.mark.parametrize("zone", ["America", "Asia/", "Mars/Olympus", "../etc"])
def test_a_zone_that_is_not_one_is_an_error(zone: str) -> None:
    found = problems(shelling(observed={"start": "2020-11-26T10:30:00", "timezone": zone}))
    assert "unknown IANA time zone" in found["observed.timezone"]


def test_times_at_the_edge_of_the_calendar_are_errors_not_crashes() -> None:
    """An offset that moves a time before year 1 in UTC, or a window whose default end
    would fall after year 9999, is an error naming the field (it was an OverflowError)."""
    found = problems(shelling(observed={"start": "0001-01-01T00:00:00+05:00"}))
    assert "years 1-9999" in found["observed.start"]
    found = problems(shelling(observed={"start": "9999-12-20T00:00:00Z", "precision": "month"}))
    assert "9999" in found["observed.start"]
    found = problems(
        shelling(observed={"start": "2020-11-26T10:30:00Z", "end": "9999-12-31T23:00:00-05:00"})
    )
    assert "years 1-9999" in found["observed.end"]


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"distance_m": {"min": 5000, "max": 3000}}, "distance_m.max"),
        ({"observer_position": None}, "distance_m"),
        ({"observer_position": None, "distance_m": None}, "bearing_deg"),
        ({"category": "civilian_casualty"}, "casualties"),
        (
            {
                "category": "civilian_casualty",
                "casualties": {"killed_civilian": 0, "injured_civilian": {"best": 0}},
            },
            "casualties",
        ),
        (
            {"casualties": {"killed_military": {"low": 3, "best": 2}}},
            "casualties.killed_military.low",
        ),
        (
            {"casualties": {"killed_military": {"best": 2, "high": 1}}},
            "casualties.killed_military.high",
        ),
        ({"channel": "sensor_detection"}, "sensor_id"),
        ({"means": None}, "means"),
        ({"means": ["heard"], "category": "muzzle_flash"}, "means"),
        (
            {"observed": {"start": "2020-11-01", "end": "2020-11-20", "precision": "day"}},
            "observed.precision",
        ),
        ({"event_position": {"place_name": "Aghdam"}}, "event_position.precision"),
        ({"event_position": {"place_name": "Aghdam", "precision": 8}}, "event_position.precision"),
        ({"event_position": {"lat": 39.9}}, "event_position.lon"),
        ({"event_position": None}, "event_position"),
        ({"observed": {"start": "yesterday"}}, "observed.start"),
        (
            {"observed": {"start": "2020-11-26T10:00", "timezone": "Mars/Olympus"}},
            "observed.timezone",
        ),
        ({"alleged_perpetrator": "armenian forces"}, "alleged_perpetrator"),
        ({"concerns": ["ARM", 7]}, "concerns.1"),
        ({"classification": "secret"}, "classification"),
    ],
)
def test_contradictory_or_malformed_fields_are_named(overrides: dict[str, Any], loc: str) -> None:
    assert loc in problems(shelling(**overrides))


def test_a_body_that_is_not_an_object_is_refused() -> None:
    assert "body" in problems([1, 2, 3])


def test_party_complaints_are_shared_by_default() -> None:
    body = shelling(channel="party_complaint", means=None)
    assert validate_report(body, now=NOW).classification is Classification.SHARED


def test_the_default_channel_fills_a_missing_one() -> None:
    body = shelling()
    del body["channel"]
    assert validate_report(body, now=NOW, default_channel=Channel.CSV_IMPORT).channel is (
        Channel.CSV_IMPORT
    )


def test_public_redaction_drops_observer_position_and_names() -> None:
    content = validate_report(shelling(), now=NOW).to_dict()
    public = redact_for_public(content)
    assert "observer_position" not in public
    assert "reporter" not in public
    assert "narrative" not in public
    assert public["event_position"]["place_name"] == "Aghdam"


@given(
    lat=st.floats(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000),
    lon=st.floats(allow_nan=False, allow_infinity=False, min_value=-1000, max_value=1000),
)
def test_coordinates_are_accepted_exactly_inside_their_range(lat: float, lon: float) -> None:
    body = shelling(event_position={"lat": lat, "lon": lon})
    inside = -90 <= lat <= 90 and -180 <= lon <= 180
    if inside:
        assert validate_report(body, now=NOW).event_position.point is not None
    else:
        found = problems(body)
        assert ("event_position.lat" in found) == (not -90 <= lat <= 90)
        assert ("event_position.lon" in found) == (not -180 <= lon <= 180)


@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2020, 11, 20)),
    minutes=st.integers(min_value=-2000, max_value=2000),
)
def test_a_window_is_valid_exactly_when_it_is_ordered_and_short_enough(
    start: datetime, minutes: int
) -> None:
    end = start + timedelta(minutes=minutes)
    body = shelling(observed={"start": start.isoformat(), "end": end.isoformat()})
    if 0 <= minutes <= 24 * 60:
        window = validate_report(body, now=NOW).observed
        assert window.start <= window.end
    else:
        found = problems(body)
        assert "observed.end" in found or "observed.precision" in found


@given(low=st.integers(0, 50), best=st.integers(0, 50), high=st.integers(0, 50))
def test_casualty_estimates_must_be_ordered(low: int, best: int, high: int) -> None:
    body = shelling(casualties={"injured_unknown": {"low": low, "best": best, "high": high}})
    if low <= best <= high:
        estimate = validate_report(body, now=NOW).casualties["injured_unknown"]
        assert (estimate.low, estimate.best, estimate.high) == (low, best, high)
    else:
        assert any(k.startswith("casualties.injured_unknown") for k in problems(body))
