"""The incremental matcher, its index, and corroboration by independent sources."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.fusion.corroboration import corroboration, outlet, wire_credit
from ceasefire.fusion.index import SpaceTimeIndex
from ceasefire.fusion.matcher import (
    CURRENT_CONFIG,
    IncidentMatcher,
    arrival_order,
    assign_batch,
    fuse,
    grouping,
    new_matcher,
)
from ceasefire.fusion.model import (
    DEFAULT_CONFIG,
    FusionReport,
    MatcherConfig,
    categories_compatible,
    compare,
    normalise_text,
)
from ceasefire.fusion.synthetic import offset
from ceasefire.reports.model import Category, Channel, TimePrecision, validate_report
from tests.factories.reports import shelling_body

T0 = datetime(2020, 11, 26, 10, 30, tzinfo=UTC).timestamp()
AGHDAM = (39.991, 46.927)
WIRE = (
    "Azerbaijan's defence ministry said Armenian forces shelled positions at Giyamaddinli "
    "near Aghdam on Thursday morning, Reuters reported."
)


def report(report_id: str, **overrides: Any) -> FusionReport:
    values: dict[str, Any] = {
        "id": report_id,
        "channel": Channel.MONITOR_OBSERVATION,
        "category": Category.SHELLING,
        "start": T0,
        "end": T0 + 600,
        "lat": AGHDAM[0],
        "lon": AGHDAM[1],
        "district": "Aghdam",
        "region": "Karabakh",
    }
    values.update(overrides)
    return FusionReport(**values)


def scenario() -> list[FusionReport]:
    """One shelling reported by a post, a UAV, a party complaint and two articles, the
    second a reprint of the first's wire story."""
    near = offset(*AGHDAM, 800, 200)
    day = (T0 - 10.5 * 3600, T0 + 13.5 * 3600)  # 26 Nov in Baku
    return [
        report(
            "post",
            source_key="post-aghdam-2",
            text=normalise_text("Fourteen impacts of artillery west of the post, 14:30 local"),
        ),
        report(
            "uav",
            channel=Channel.SENSOR_DETECTION,
            category=Category.EXPLOSION_IMPACT,
            start=T0 + 120,
            end=T0 + 420,
            lat=near[0],
            lon=near[1],
            source_key="uav-3",
        ),
        report(
            "complaint",
            channel=Channel.PARTY_COMPLAINT,
            start=T0 - 300,
            end=T0 + 900,
            where_precision=2,
            perpetrator="ARM",
            source_key="liaison-aze",
        ),
        report(
            "article-1",
            channel=Channel.NEWS,
            start=day[0],
            end=day[1],
            time_precision=TimePrecision.DAY,
            where_precision=2,
            perpetrator="ARM",
            text=normalise_text(WIRE),
            source_reference="https://world.example.com/caucasus/123",
        ),
        report(
            "article-2",
            channel=Channel.NEWS,
            start=day[0],
            end=day[1],
            time_precision=TimePrecision.DAY,
            where_precision=2,
            perpetrator="ARM",
            text=normalise_text(WIRE.replace("on Thursday", "on Thursday (26 November)")),
            source_reference="https://daily.example.org/news/9",
        ),
    ]


def test_one_event_five_reports_four_independent_sources() -> None:
    assignments = fuse(scenario())
    assert [a.created for a in assignments] == [True, False, False, False, False]
    [group] = grouping(assignments)
    assert group == ("post", "uav", "complaint", "article-1", "article-2")
    linked = assignments[4].to_dict()
    assert linked["matcher"] == "fusion.matcher.v1"
    assert linked["decision"] == "linked"
    assert linked["evidence"]["features"]

    summary = corroboration(scenario(), narratives={"article-1": WIRE})
    assert summary.independent_sources == 4
    assert summary.by_kind() == {"complaint": 1, "monitor": 1, "news": 1, "sensor": 1}
    news = next(s for s in summary.sources if s.kind == "news")
    assert news.report_ids == ("article-1", "article-2")
    assert news.key == "wire:reuters"


def test_two_posts_are_two_sources_and_one_post_twice_is_one() -> None:
    reports = [
        report("a", source_key="post-1"),
        report("b", source_key="post-2"),
        report("c", source_key="post-1"),
        report("d"),
    ]
    summary = corroboration(reports)
    assert summary.independent_sources == 3
    assert [s.report_ids for s in summary.sources] == [("a", "c"), ("b",), ("d",)]


def test_articles_without_credit_count_as_one_when_near_identical_or_same_outlet() -> None:
    text = normalise_text("Shelling hit the outskirts of Aghdam overnight, residents said.")
    other = normalise_text("Villagers near Fuzuli reported mortar fire late on Wednesday.")
    articles = [
        report("a", channel=Channel.NEWS, text=text, source_reference="https://one.example/1"),
        report("b", channel=Channel.NEWS, text=text, source_reference="https://two.example/2"),
        report("c", channel=Channel.NEWS, text=other, source_reference="https://www.one.example/3"),
        report("d", channel=Channel.NEWS, text=other, source_reference="https://three.example/4"),
    ]
    # a~b by text, a~c by outlet, c~d by text: one source.
    assert corroboration(articles).independent_sources == 1
    assert corroboration(articles[1:2] + articles[3:]).independent_sources == 2


def test_wire_credit_and_outlet() -> None:
    assert wire_credit("Shelling near Aghdam (Reuters) - officials said") == "reuters"
    assert wire_credit("according to AFP, two people were hurt") == "afp"
    assert wire_credit("Reuters reported the shelling") == "reuters"
    assert wire_credit("We will ask Reuters for comment tomorrow") is None
    assert outlet("https://www.example.com/a/b") == "example.com"
    assert outlet("JMC patrol log 26/11 #7") is None


def test_a_report_between_two_equally_good_incidents_is_left_alone() -> None:
    matcher = IncidentMatcher()
    # Small-arms fire and an impact at one place and time are two incidents; an explosion
    # heard there could be either.
    fire = matcher.assign(report("fire", category=Category.SMALL_ARMS_FIRE))
    impact = matcher.assign(report("impact", category=Category.EXPLOSION_IMPACT))
    assert impact.created
    assert impact.incident_id != fire.incident_id
    middle = matcher.assign(report("heard", category=Category.EXPLOSION_UNDETERMINED))
    assert middle.created
    assert middle.evidence is not None  # the best pair is kept as evidence all the same


def test_forgotten_incidents_take_no_more_reports() -> None:
    matcher = IncidentMatcher()
    first = matcher.assign(report("a"))
    assert matcher.open_incidents == 1
    matcher.forget_before(T0 + 3 * 86_400)
    assert matcher.open_incidents == 0
    again = matcher.assign(report("b"))
    assert again.created
    assert again.incident_id != first.incident_id


def test_existing_incidents_can_be_loaded() -> None:
    matcher = IncidentMatcher()
    matcher.add_incident("INC-7", [report("a"), report("b", category=Category.EXPLOSION_IMPACT)])
    assignment = matcher.assign(report("c"))
    assert (assignment.incident_id, assignment.created) == ("INC-7", False)


def batch_groups(config: MatcherConfig, reports: list[FusionReport]) -> set[frozenset[str]]:
    """The groups of report ids a batch of ``reports`` is assigned to, as intake drains it."""
    return {frozenset(g) for g in grouping(assign_batch(new_matcher(config), reports))}


def test_a_batch_groups_the_same_whatever_its_order() -> None:
    now = datetime(2021, 1, 1, tzinfo=UTC)
    bodies = [
        shelling_body(),
        shelling_body(category="explosion_impact", reporter="Patrol T-4"),
        shelling_body(category="detention_exchange", means=["seen"]),
    ]
    views = [
        FusionReport.from_content(f"r{i}", validate_report(body, now=now))
        for i, body in enumerate(bodies)
    ]
    expected = {frozenset({"r0", "r1"}), frozenset({"r2"})}
    assert batch_groups(CURRENT_CONFIG, views) == expected
    assert batch_groups(DEFAULT_CONFIG, views) == expected  # fusion.matcher.v1
    assert batch_groups(CURRENT_CONFIG, list(reversed(views))) == expected


# -- properties -----------------------------------------------------------------------------


@st.composite
def separated_clusters(draw: st.DrawFn) -> list[list[FusionReport]]:
    """Clusters whose reports all agree closely, far apart in time or space from each other."""
    clusters: list[list[FusionReport]] = []
    count = draw(st.integers(1, 5))
    for index in range(count):
        day = T0 + draw(st.integers(0, 2)) * 3 * 86_400 + index * 7 * 86_400
        lat, lon = offset(*AGHDAM, draw(st.floats(0, 100_000)), draw(st.floats(0, 360)))
        category = draw(st.sampled_from([Category.SHELLING, Category.SMALL_ARMS_FIRE]))
        size = draw(st.integers(1, 5))
        cluster = []
        for member in range(size):
            plat, plon = offset(lat, lon, draw(st.floats(0, 300)), draw(st.floats(0, 360)))
            start = day + draw(st.floats(0, 300))
            cluster.append(
                report(
                    f"c{index}m{member}",
                    category=category,
                    start=start,
                    end=start + 300,
                    lat=plat,
                    lon=plon,
                )
            )
        clusters.append(cluster)
    return clusters


@settings(max_examples=60, deadline=None)
@given(clusters=separated_clusters(), seed=st.integers(0, 10_000))
def test_grouping_of_well_separated_events_does_not_depend_on_order(
    clusters: list[list[FusionReport]], seed: int
) -> None:
    flat = [r for cluster in clusters for r in cluster]
    shuffled = list(flat)
    random.Random(seed).shuffle(shuffled)
    expected = {frozenset(r.id for r in cluster) for cluster in clusters}
    assert {frozenset(g) for g in grouping(fuse(flat))} == expected
    assert {frozenset(g) for g in grouping(fuse(shuffled))} == expected


@st.composite
def crowded_reports(draw: st.DrawFn) -> list[FusionReport]:
    """Many reports of any category, close in time and place."""
    reports = []
    for index in range(draw(st.integers(2, 25))):
        lat, lon = offset(*AGHDAM, draw(st.floats(0, 5_000)), draw(st.floats(0, 360)))
        start = T0 + draw(st.floats(0, 7_200))
        reports.append(
            report(
                f"r{index}",
                category=draw(st.sampled_from(list(Category))),
                start=start,
                end=start + 600,
                lat=lat,
                lon=lon,
                where_precision=draw(st.integers(1, 4)),
                district=draw(st.sampled_from(["Aghdam", "Fuzuli"])),
                perpetrator=draw(st.sampled_from([None, "ARM", "AZE"])),
            )
        )
    return reports


@settings(max_examples=80, deadline=None)
@given(reports=crowded_reports())
def test_no_incident_mixes_incompatible_categories(reports: list[FusionReport]) -> None:
    by_id = {r.id: r for r in reports}
    for group in grouping(fuse(reports)):
        members = [by_id[i] for i in group]
        for a in members:
            for b in members:
                assert categories_compatible(a.category, b.category)


@settings(max_examples=80, deadline=None)
@given(reports=crowded_reports())
def test_a_coarse_report_joins_only_reports_of_its_own_area(reports: list[FusionReport]) -> None:
    by_id = {r.id: r for r in reports}
    for group in grouping(fuse(reports)):
        members = [by_id[i] for i in group]
        for member in members:
            if member.where_precision == 3 and len(members) > 1:
                # Its district, or a region-level report of its region.
                assert any(
                    other.district == member.district
                    or (other.where_precision == 4 and other.region == member.region)
                    for other in members
                    if other is not member
                )


@settings(max_examples=40, deadline=None)
@given(reports=crowded_reports(), seed=st.integers(0, 10_000))
def test_canonical_order_makes_batches_order_independent(
    reports: list[FusionReport], seed: int
) -> None:
    shuffled = list(reports)
    random.Random(seed).shuffle(shuffled)
    first = {frozenset(g) for g in grouping(fuse(arrival_order(reports)))}
    assert {frozenset(g) for g in grouping(fuse(arrival_order(shuffled)))} == first


@st.composite
def spread_reports(draw: st.DrawFn) -> list[FusionReport]:
    """Reports of every precision over ~100 km and a few weeks (windows up to a month)."""
    spans = {
        TimePrecision.EXACT: 3_600.0,
        TimePrecision.DAY: 2 * 86_400.0,
        TimePrecision.WEEK: 8 * 86_400.0,
        TimePrecision.MONTH: 32 * 86_400.0,
    }
    reports = []
    for index in range(draw(st.integers(2, 30))):
        precision = draw(st.sampled_from(list(TimePrecision)))
        start = T0 + draw(st.floats(-20 * 86_400, 20 * 86_400))
        lat, lon = offset(*AGHDAM, draw(st.floats(0, 60_000)), draw(st.floats(0, 360)))
        where = draw(st.integers(1, 4))
        reports.append(
            report(
                f"r{index}",
                category=Category.SHELLING,
                start=start,
                end=start + draw(st.floats(0, spans[precision])),
                time_precision=precision,
                lat=lat,
                lon=lon,
                where_precision=where,
                district=draw(st.sampled_from([None, "Aghdam", "Fuzuli"])),
                region=draw(st.sampled_from([None, "Karabakh"])),
                perpetrator="ARM",
                text="shelling was reported at giyamaddinli near aghdam today by the post",
            )
        )
    return reports


@settings(max_examples=150, deadline=None)
@given(reports=spread_reports())
def test_the_index_finds_every_pair_the_gates_accept(reports: list[FusionReport]) -> None:
    index = SpaceTimeIndex()
    for number, item in enumerate(reports):
        index.add(item, number)
    for query in reports:
        found = index.candidates(query)
        for number, other in enumerate(reports):
            if other is not query and compare(query, other).blocked is None:
                assert number in found, (query, other)


def test_forgetting_drops_old_buckets() -> None:
    index = SpaceTimeIndex()
    index.add(report("a"), 0)
    index.add(report("b", start=T0 + 30 * 86_400, end=T0 + 30 * 86_400 + 60), 1)
    before = len(index)
    index.forget_before(T0 + 10 * 86_400)
    assert 0 < len(index) < before
    assert index.candidates(report("c")) == set()
