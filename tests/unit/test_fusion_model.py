"""Pairwise comparison of reports (fusion.matcher.v1): gates, features, evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.errors import InvalidInput
from ceasefire.fusion.model import (
    CATEGORY_COMPATIBILITY,
    MATCHER_NAME,
    FusionReport,
    categories_compatible,
    compare,
    pair_score,
)
from ceasefire.fusion.synthetic import offset
from ceasefire.reports.model import Category, Channel, TimePrecision, validate_report
from tests.factories.reports import shelling_body

T0 = datetime(2020, 11, 26, 10, 30, tzinfo=UTC).timestamp()
AGHDAM = (39.991, 46.927)


def report(report_id: str = "a", **overrides: Any) -> FusionReport:
    values: dict[str, Any] = {
        "id": report_id,
        "channel": Channel.MONITOR_OBSERVATION,
        "category": Category.SHELLING,
        "start": T0,
        "end": T0 + 600,
        "lat": AGHDAM[0],
        "lon": AGHDAM[1],
        "where_precision": 1,
        "district": "Aghdam",
        "region": "Karabakh",
    }
    values.update(overrides)
    return FusionReport(**values)


def test_explosion_heard_and_shelling_can_be_one_incident_detention_cannot() -> None:
    assert categories_compatible(Category.EXPLOSION_UNDETERMINED, Category.SHELLING)
    assert categories_compatible(Category.SHELLING, Category.CIVILIAN_CASUALTY)
    assert not categories_compatible(Category.DETENTION_EXCHANGE, Category.SHELLING)
    assert not categories_compatible(Category.SMALL_ARMS_FIRE, Category.UAV_JAMMING)
    # Two causes of harm are not one event just because both can cause it.
    assert not categories_compatible(Category.MINE_UXO, Category.SMALL_ARMS_FIRE)


def test_compatibility_is_symmetric_and_reflexive() -> None:
    for a in Category:
        assert CATEGORY_COMPATIBILITY[a, a] == 1.0
        for b in Category:
            assert CATEGORY_COMPATIBILITY.get((a, b)) == CATEGORY_COMPATIBILITY.get((b, a))


def test_incompatible_categories_are_blocked_whatever_else_agrees() -> None:
    evidence = compare(report(), report("b", category=Category.DETENTION_EXCHANGE))
    assert evidence.blocked == "category"
    assert evidence.score == float("-inf")


def test_close_exact_reports_match_with_evidence() -> None:
    lat, lon = offset(*AGHDAM, 500, 90)
    evidence = compare(
        report(perpetrator="ARM"),
        report("b", start=T0 + 900, end=T0 + 1200, lat=lat, lon=lon, perpetrator="ARM"),
    )
    assert evidence.blocked is None
    assert evidence.score >= 3.5
    data = evidence.to_dict()
    assert data["matcher"] == MATCHER_NAME == "fusion.matcher.v1"
    assert [f["name"] for f in data["features"]] == ["category", "time", "actor", "place"]


def test_time_tolerance_widens_with_precision() -> None:
    three_hours = 3 * 3600
    exact = report("b", start=T0 + three_hours, end=T0 + three_hours + 60)
    assert compare(report(), exact).blocked == "time"
    day = report(
        "c",
        start=T0 - 10 * 3600,
        end=T0 + 14 * 3600,
        time_precision=TimePrecision.DAY,
    )
    later_same_day = report("d", start=T0 + three_hours, end=T0 + three_hours + 60)
    assert compare(day, later_same_day).blocked is None
    # ...but a day's window overlapping says less than an exact match.
    same_time = compare(report(), report("e"))
    assert compare(day, report("e")).score < same_time.score


def test_place_radius_widens_with_precision() -> None:
    lat, lon = offset(*AGHDAM, 10_000, 0)
    assert compare(report(), report("b", lat=lat, lon=lon)).blocked == "place"
    near = compare(report(where_precision=2), report("b", lat=lat, lon=lon, where_precision=2))
    assert near.blocked is None
    # Two reports "near Aghdam" at the same coordinates are weaker than two exact points.
    exact = compare(report(), report("c"))
    near_same = compare(report(where_precision=2), report("c", where_precision=2))
    assert near_same.score < exact.score


def test_a_district_report_never_merges_on_distance() -> None:
    # Same coordinates (the district's centre), but precision 3: no distance is compared.
    coarse = report("b", where_precision=3, district="Fuzuli")
    assert compare(report(), coarse).blocked == "place"
    weak = report(
        "c",
        where_precision=3,
        category=Category.EXPLOSION_UNDETERMINED,
        start=T0 - 10 * 3600,
        end=T0 + 14 * 3600,
        time_precision=TimePrecision.DAY,
    )
    assert compare(report(), weak).blocked == "coarse_place_needs_strong_evidence"
    strong = report("d", where_precision=3, lat=None, lon=None, perpetrator="ARM")
    evidence = compare(report(perpetrator="ARM"), strong)
    assert evidence.blocked is None
    place = next(f for f in evidence.features if f.name == "place")
    assert "same district Aghdam" in place.detail


def test_region_reports_need_even_stronger_evidence() -> None:
    region = report("b", where_precision=4, district=None, lat=None, lon=None)
    assert compare(report(), region).blocked == "coarse_place_needs_strong_evidence"
    elsewhere = report("c", where_precision=4, region="East Zangezur", lat=None, lon=None)
    assert compare(report(), elsewhere).blocked == "place"


def test_country_level_reports_are_not_compared_by_place() -> None:
    country = report("b", where_precision=6, lat=None, lon=None)
    assert compare(report(), country).blocked == "place"


def test_near_identical_text_adds_evidence_and_paraphrase_subtracts_nothing() -> None:
    text = "shelling was reported at giyamaddinli near aghdam on 26 november officials said"
    copy = report("a", text=text)
    assert compare(copy, report("b", text=text)).score > compare(copy, report("c")).score
    paraphrase = report("d", text="the defence ministry said nothing about any of this today")
    assert compare(copy, paraphrase).score == pytest.approx(compare(copy, report("e")).score)


def test_naming_the_same_place_adds_evidence() -> None:
    first = report(place_name="papravend", where_precision=2)
    named = compare(first, report("b", place_name="papravend", where_precision=2))
    other = compare(first, report("b", place_name="aghdam", where_precision=2))
    assert named.score == pytest.approx(other.score + 1.0)
    assert [f.name for f in named.features][-1] == "place_name"


def test_different_alleged_perpetrators_count_against() -> None:
    same = compare(report(perpetrator="ARM"), report("b", perpetrator="ARM")).score
    unknown = compare(report(perpetrator="ARM"), report("b")).score
    different = compare(report(perpetrator="ARM"), report("b", perpetrator="AZE")).score
    assert same > unknown > different


def test_from_content_of_a_validated_report() -> None:
    content = validate_report(shelling_body(), now=datetime(2021, 1, 1, tzinfo=UTC))
    fused = FusionReport.from_content("r1", content, district="Aghdam", submitter="turkey")
    assert fused.where_precision == 2
    assert fused.time_precision is TimePrecision.EXACT
    assert fused.end - fused.start == 1200
    assert fused.perpetrator == "ARM"
    assert fused.text.startswith("fourteen impacts west of the post")
    assert fused.source_key == "Binbaşı Ayşe Demir"


def test_the_source_of_a_report_depends_on_its_channel() -> None:
    now = datetime(2021, 1, 1, tzinfo=UTC)

    def source(submitter: str | None = None, **overrides: Any) -> str | None:
        content = validate_report(shelling_body(**overrides), now=now)
        return FusionReport.from_content("r", content, submitter=submitter).source_key

    assert source(post_id="post-7") == "post-7"
    assert source() == "Binbaşı Ayşe Demir"  # a patrol without a post: its reporter
    assert source(channel="sensor_detection", sensor_id="uav-3", means=["uav"]) == "uav-3"
    # A party's complaints are one source whoever of its people writes them.
    complaint = {"channel": "party_complaint", "means": None}
    assert source("armenia", **complaint) == "armenia"
    assert source(channel="news", means=None) is None


def test_a_place_name_alone_is_compared_as_a_district() -> None:
    body = shelling_body(event_position={"place_name": "Aghdam", "precision": 2})
    content = validate_report(body, now=datetime(2021, 1, 1, tzinfo=UTC))
    assert FusionReport.from_content("r1", content).where_precision == 3


def test_bad_values_name_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        report(end=T0 - 1, where_precision=9)
    assert {d["loc"] for d in caught.value.details} == {"end", "where_precision"}


@st.composite
def reports(draw: st.DrawFn) -> FusionReport:
    start = draw(st.floats(T0 - 86_400, T0 + 86_400))
    return report(
        draw(st.text("abcdef", min_size=1, max_size=4)),
        category=draw(st.sampled_from(list(Category))),
        start=start,
        end=start + draw(st.floats(0, 86_400)),
        lat=draw(st.floats(39.5, 40.3)),
        lon=draw(st.floats(46.3, 47.3)),
        where_precision=draw(st.integers(1, 4)),
        time_precision=draw(st.sampled_from(list(TimePrecision))),
        perpetrator=draw(st.sampled_from([None, "ARM", "AZE"])),
        district=draw(st.sampled_from([None, "Aghdam", "Fuzuli"])),
        text=draw(st.sampled_from(["", "shelling near aghdam reported by the post at noon today"])),
    )


@settings(max_examples=300, deadline=None)
@given(a=reports(), b=reports())
def test_pair_score_is_the_explained_score_and_symmetric(a: FusionReport, b: FusionReport) -> None:
    explained = compare(a, b)
    assert pair_score(a, b) == explained.score
    assert pair_score(b, a) == pytest.approx(explained.score)
    if not categories_compatible(a.category, b.category):
        assert explained.blocked == "category"
