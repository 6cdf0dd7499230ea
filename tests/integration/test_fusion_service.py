"""Fusion on real databases (SQLite and PostgreSQL): the queue filled by intake, the
acceptance scenario (one event, five reports, four independent sources), classifications,
agreements kept apart, analysts' merge / split / undo and who may do them, restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ceasefire.access import Classification, Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.fusion import service as fusion
from ceasefire.fusion.matcher import CURRENT_CONFIG
from ceasefire.fusion.model import DEFAULT_CONFIG, V2_CONFIG, V3_CONFIG, V4_CONFIG, MatcherConfig
from ceasefire.fusion.synthetic import offset
from ceasefire.fusion.tables import FusionDecisionRow
from ceasefire.incidents import service as incidents
from ceasefire.incidents.schemas import IncidentSummary
from ceasefire.incidents.service import IncidentFilters
from ceasefire.ledger import service as ledger
from ceasefire.members.model import MemberRole
from ceasefire.members.service import grant_role
from ceasefire.reports import service as reports
from tests.factories.members import OPERATOR, Cast, add_posts, add_uav
from tests.factories.reports import COMPLAINT, shelling_body

AGREEMENT_B = "tr-ru-2020-memorandum"
WIRE = (
    "(Reuters) - Artillery shells hit the outskirts of Aghdam on Thursday afternoon, "
    "local officials said, the first shelling reported since the ceasefire."
)


def file(ctx: ServiceContext, cast: Cast, who: str, **overrides: Any) -> str:
    body = shelling_body(**overrides)
    return reports.submit_report(ctx, cast.viewer(ctx, who), body).report.id


def district_day_complaint(ctx: ServiceContext, cast: Cast, **overrides: Any) -> str:
    """A party's complaint known only to "Aghdam district" and the day (26 Nov in Baku),
    accusing nobody."""
    return file(
        ctx,
        cast,
        "aze",
        **COMPLAINT,
        means=[],
        alleged_perpetrator=None,
        observed={
            "start": "2020-11-25T20:00:00+00:00",
            "end": "2020-11-26T20:00:00+00:00",
            "precision": "day",
        },
        event_position={"place_name": "Aghdam district", "precision": 3},
        **overrides,
    )


def five_reports(ctx: ServiceContext, cast: Cast) -> dict[str, str]:
    """One shelling near Aghdam seen by a post, a UAV, a party and two newspapers, the
    second reprinting the first's Reuters wire."""
    post = file(ctx, cast, "tur", post_id="jmc-giyamaddinli")
    uav = file(
        ctx,
        cast,
        "tur",  # the UAV's member files its detections
        channel="sensor_detection",
        sensor_id="tur-uav-1",
        means=["uav"],
        narrative="Thermal signatures of impacts near the town, 14:35 local time.",
        event_position={"lat": 39.995, "lon": 46.931, "precision": 1, "place_name": "Aghdam"},
    )
    complaint = file(
        ctx,
        cast,
        "aze",
        **COMPLAINT,
        narrative="Armenian forces shelled the outskirts of Aghdam with artillery.",
    )
    news: dict[str, Any] = {
        "channel": "news",
        "observer_position": None,
        "distance_m": None,
        "bearing_deg": None,
        "reporter": None,
        "means": [],
    }
    first = file(
        ctx, cast, "tur", **news, narrative=WIRE, source_reference="https://www.example.az/a/1"
    )
    copy = file(
        ctx,
        cast,
        "tur",
        **news,
        narrative=WIRE.replace("(Reuters) - ", "") + " Reuters reported.",
        source_reference="https://news.example.am/b/2",
    )
    return {"post": post, "uav": uav, "complaint": complaint, "first": first, "copy": copy}


def test_one_event_five_reports_one_incident_four_independent_sources(
    ctx: ServiceContext, cast: Cast
) -> None:
    ids = five_reports(ctx, cast)
    # Filing queued them; nothing was fused on the submission's path.
    assert fusion.queue_length(ctx) == 5
    assert all(reports.get_report(ctx, OPERATOR, i).incident_id is None for i in ids.values())

    done = fusion.drain(ctx)
    assert (done.reports, done.new_incidents, done.linked) == (5, 1, 4)
    assert fusion.queue_length(ctx) == 0

    page = reports.list_reports(ctx, OPERATOR, limit=10)
    incident_ids = {item.incident_id for item in page.items}
    assert len(incident_ids) == 1
    (incident_id,) = incident_ids
    assert incident_id is not None

    found = fusion.summary(ctx, cast.viewer(ctx, "tur"), incident_id)
    assert found.independent_sources == 4
    assert found.by_kind == {"complaint": 1, "monitor": 1, "news": 1, "sensor": 1}
    news = next(s for s in found.sources if s["kind"] == "news")
    assert sorted(news["report_ids"]) == sorted([ids["first"], ids["copy"]])
    linked = [d for d in found.decisions if d.kind == "linked"]
    assert len(linked) == 4
    assert all(d.matcher == CURRENT_CONFIG.name and d.evidence for d in linked)
    assert all(d.evidence["matcher"] == CURRENT_CONFIG.name for d in linked)  # type: ignore[index]
    assert {f["name"] for f in linked[0].evidence["evidence"]["features"]} >= {"category", "time"}  # type: ignore[index]
    # Every decision is in the ledger, and the ledger's replay matches the tables.
    assert ledger.verify(ctx).ok


@pytest.mark.parametrize(
    ("config", "incidents_made"),
    [(V3_CONFIG, 1), (V2_CONFIG, 1), (DEFAULT_CONFIG, 2)],
    ids=["v3", "v2", "v1"],
)
def test_a_district_report_filed_first_joins_the_precise_one_in_its_batch(
    ctx: ServiceContext, cast: Cast, config: MatcherConfig, incidents_made: int
) -> None:
    """A complaint known only to "Aghdam district" and the day comes first in the batch's
    canonical order (its day starts at midnight in Baku); v2 decides it after the monitor's
    exact observation of the same shelling, and it joins that incident. v1 keeps them
    apart (the district alone is too little evidence for the post to join the complaint)."""
    complaint = district_day_complaint(
        ctx, cast, narrative="We protest the shelling of our positions in Aghdam district today."
    )
    post = file(ctx, cast, "tur", post_id="jmc-giyamaddinli")
    done = fusion.drain(ctx, config=config)
    assert (done.reports, done.new_incidents) == (2, incidents_made)
    where = {i: reports.get_report(ctx, OPERATOR, i).incident_id for i in (complaint, post)}
    assert (where[complaint] == where[post]) is (incidents_made == 1)
    if incidents_made == 1:
        found = fusion.summary(ctx, cast.viewer(ctx, "tur"), str(where[post]))
        (linked,) = [d for d in found.decisions if d.kind == "linked"]
        assert linked.matcher == config.name
        assert linked.evidence is not None
        assert linked.evidence["deferred"] is True
        assert linked.evidence["coarse"] is True
    else:
        alone = fusion.summary(ctx, cast.viewer(ctx, "tur"), str(where[post]))
        assert alone.summary == "1 independent source (1 monitor)"  # not "1 ... sources"
    assert ledger.verify(ctx).ok


def test_incident_is_as_restrictive_as_its_reports(ctx: ServiceContext, cast: Cast) -> None:
    file(ctx, cast, "tur", classification="shared")
    fusion.drain(ctx)
    (incident,) = incidents.list_incidents(ctx, OPERATOR, IncidentFilters()).items
    assert isinstance(incident, IncidentSummary)
    assert incident.classification.value == "shared"
    arm = cast.viewer(ctx, "arm")
    assert incidents.get_incident(ctx, arm, incident.id).id == incident.id
    # An internal report of the same event joins: the incident becomes internal, and the
    # liaison who could read the shared one no longer reads the incident at all.
    file(ctx, cast, "rus", classification="internal", narrative="Impacts heard, internal note.")
    assert fusion.drain(ctx).linked == 1
    assert incidents.get_incident(ctx, OPERATOR, incident.id).classification.value == "internal"  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        incidents.get_incident(ctx, arm, incident.id)
    with pytest.raises(NotFound):
        fusion.summary(ctx, arm, incident.id)


def test_reports_of_different_agreements_are_never_grouped(ctx: ServiceContext, cast: Cast) -> None:
    a = file(ctx, cast, "tur")
    b = reports.submit_report(ctx, OPERATOR, shelling_body(agreement_id=AGREEMENT_B)).report.id
    assert fusion.drain(ctx).new_incidents == 2
    where = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert where[a] != where[b]


def test_the_queue_survives_a_restart(ctx: ServiceContext, cast: Cast) -> None:
    file(ctx, cast, "tur")
    file(ctx, cast, "rus", narrative="About ten detonations to the north-west.")
    ctx.dispose()  # the process ends before the worker ran
    again = ServiceContext.from_settings(ctx.settings)
    try:
        assert fusion.queue_length(again) == 2
        assert fusion.drain(again).linked == 1
    finally:
        again.dispose()


def _two_incidents(ctx: ServiceContext, cast: Cast) -> tuple[str, str, str, str]:
    """Two reports of one event that fusion left apart (a day apart), fused; their ids."""
    first = file(ctx, cast, "tur")
    later = file(
        ctx,
        cast,
        "rus",
        observed={"start": "2020-11-27T20:00:00+00:00", "precision": "exact"},
        narrative="Heavy shelling reported from the Aghdam direction overnight.",
    )
    fusion.drain(ctx)
    where = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert where[first] != where[later]
    return first, later, str(where[first]), str(where[later])


def test_merge_split_undo_nothing_deleted(ctx: ServiceContext, cast: Cast) -> None:
    first, later, inc_a, inc_b = _two_incidents(ctx, cast)
    tur = cast.viewer(ctx, "tur")
    merged = fusion.merge(ctx, tur, inc_a, inc_b, reason="same barrage, late log")
    assert merged.kind == "merged"
    assert merged.report_ids == [later]
    where = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert where[first] == where[later] == inc_a
    # The emptied incident keeps its row (readable by id) but leaves the list.
    listed = {i.id for i in incidents.list_incidents(ctx, OPERATOR, IncidentFilters()).items}
    assert inc_b not in listed
    assert incidents.get_incident(ctx, OPERATOR, inc_b).id == inc_b

    undone = fusion.undo(ctx, tur, merged.id)
    assert undone.undoes == merged.id
    where = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert (where[first], where[later]) == (inc_a, inc_b)
    with pytest.raises(Conflict):
        fusion.undo(ctx, tur, merged.id)

    fusion.merge(ctx, tur, inc_a, inc_b)
    split = fusion.split(ctx, tur, inc_a, [later])
    where = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert where[later] == split.incident_id != where[first]
    with pytest.raises(InvalidInput):
        fusion.split(ctx, tur, inc_a, [first])  # the last report stays

    # An automatic link can be undone too: the report is left alone, not fused again.
    link = next(
        d for d in fusion.summary(ctx, OPERATOR, inc_a).decisions if d.kind == "new_incident"
    )
    fusion.undo(ctx, OPERATOR, link.id)
    assert reports.get_report(ctx, OPERATOR, first).incident_id is None
    assert fusion.backfill(ctx) == 0
    assert ledger.verify(ctx).ok


def test_who_may_regroup(ctx: ServiceContext, cast: Cast) -> None:
    _first, _later, inc_a, inc_b = _two_incidents(ctx, cast)
    # A monitor of another agreement only: the incidents are not theirs to read.
    grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id="usa",
            agreement_id=AGREEMENT_B,
            role=Role.MONITOR,
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        ),
    )
    outsider = Viewer(member_id="usa", role=Role.MONITOR, agreement_id=AGREEMENT_B)
    liaison = cast.viewer(ctx, "arm")  # the reports are shared with Armenia: readable
    observer = cast.viewer(ctx, "fra")
    decision = fusion.summary(ctx, OPERATOR, inc_a).decisions[0]
    for viewer in (outsider, liaison, observer):
        with pytest.raises((Forbidden, NotFound)):
            fusion.merge(ctx, viewer, inc_a, inc_b)
        with pytest.raises((Forbidden, NotFound)):
            fusion.split(ctx, viewer, inc_a, ["rep-x"])
        with pytest.raises((Forbidden, NotFound)):
            fusion.undo(ctx, viewer, decision.id)
    with pytest.raises(Forbidden):
        fusion.merge(ctx, liaison, inc_a, inc_b)  # readable, but not a monitor
    assert len(incidents.list_incidents(ctx, OPERATOR, IncidentFilters()).items) == 2


def complaint_after_internal_report(ctx: ServiceContext, cast: Cast) -> tuple[str, str]:
    """An internal monitor report, then Armenia's complaint compared with it and too weak to
    join it (two incidents): the internal report and the complaint's incident."""
    internal = file(ctx, cast, "tur", classification="internal")
    # A complaint 100 minutes later, of a compatible kind, accusing the other side: compared
    # with the internal report, and too weak to join it.
    complaint = file(
        ctx,
        cast,
        "arm",
        channel="party_complaint",
        category="explosion_undetermined",
        alleged_perpetrator="AZE",
        observed={"start": "2020-11-26T12:10:00+00:00", "precision": "exact"},
        observer_position=None,
        distance_m=None,
        bearing_deg=None,
        reporter=None,
        means=[],
        narrative="Explosions near our positions.",
    )
    assert fusion.drain(ctx).new_incidents == 2
    return internal, str(reports.get_report(ctx, OPERATOR, complaint).incident_id)


def test_evidence_never_shows_a_report_the_reader_may_not_read(
    ctx: ServiceContext, cast: Cast
) -> None:
    internal, incident_id = complaint_after_internal_report(ctx, cast)
    seen = fusion.summary(ctx, OPERATOR, incident_id).decisions[0].evidence
    assert seen is not None
    assert seen["evidence"]["compared_with"] == internal  # the operator reads both
    arm = cast.viewer(ctx, "arm")
    (decision,) = fusion.summary(ctx, arm, incident_id).decisions
    assert decision.evidence is not None
    assert decision.evidence["evidence"]["compared_with"] is None
    assert internal not in str(decision.evidence)
    assert fusion.get_decision(ctx, arm, decision.id).evidence == decision.evidence


def test_evidence_does_not_count_incidents_the_reader_may_not_read(
    ctx: ServiceContext, cast: Cast
) -> None:
    """How many incidents a report was compared with, and the next one's score, are taken
    over incidents of every classification: here the one internal incident nearby. Armenia's
    liaison, who reads its complaint's decision, must not learn from them that an incident
    it may not read lies near its complaint."""
    _, incident_id = complaint_after_internal_report(ctx, cast)
    seen = fusion.summary(ctx, cast.viewer(ctx, "rus"), incident_id).decisions[0].evidence
    assert seen is not None
    assert seen["candidates"] == 1  # the monitors see the internal incident was compared
    assert "runner_up" in seen
    assert seen["incident_score"] is not None  # the internal incident's, which fell short
    arm = cast.viewer(ctx, "arm")
    (decision,) = fusion.summary(ctx, arm, incident_id).decisions
    assert decision.evidence is not None
    assert decision.evidence["candidates"] is None
    assert decision.evidence["runner_up"] is None
    assert decision.evidence["incident_score"] is None
    assert fusion.get_decision(ctx, arm, decision.id).evidence == decision.evidence


def test_a_set_aside_score_is_withheld_like_the_runner_up(ctx: ServiceContext, cast: Cast) -> None:
    """v6 records the score of an incident of one coarse report it did not count as a rival
    (``set_aside``): like ``runner_up`` it is taken over incidents of every classification,
    so only the monitors read it. So are v7's ``incident_features`` (what the best
    incident's members, possibly of another incident, say of villages, counts and actors).
    The decision here is given both, as v6 and v7 write them."""
    _, incident_id = complaint_after_internal_report(ctx, cast)
    decision_id = fusion.summary(ctx, OPERATOR, incident_id).decisions[0].id
    with ctx.unit_of_work() as session:
        row = session.get(FusionDecisionRow, decision_id)
        assert row is not None
        features = [
            {
                "name": "incident_locality",
                "similarity": 0.0,
                "weight": -3.0,
                "detail": "['papravend']: disagree",
            }
        ]
        row.evidence = {**(row.evidence or {}), "set_aside": 2.5, "incident_features": features}
    seen = fusion.get_decision(ctx, cast.viewer(ctx, "rus"), decision_id).evidence
    assert seen is not None
    assert seen["set_aside"] == 2.5
    assert seen["incident_features"] == features
    hidden = fusion.get_decision(ctx, cast.viewer(ctx, "arm"), decision_id).evidence
    assert hidden is not None
    assert hidden["set_aside"] is None
    assert hidden["incident_features"] is None


def test_a_worker_turn_that_runs_out_of_time_leaves_the_rest_queued_in_order(
    ctx: ServiceContext, cast: Cast
) -> None:
    """The background worker's turn is bounded (it holds the write lock): with no time at
    all each turn decides on one report, the others stay queued, and turn by turn the
    grouping comes out as one unbounded drain makes it."""
    ids = five_reports(ctx, cast)
    turns = []
    while fusion.queue_length(ctx):
        turns.append(fusion.drain(ctx, max_batches=1, turn_s=0.0))
    assert [t.reports for t in turns] == [1, 1, 1, 1, 1]
    assert sum(t.new_incidents for t in turns) == 1
    assert sum(t.linked for t in turns) == 4
    (incident_id,) = {reports.get_report(ctx, OPERATOR, i).incident_id for i in ids.values()}
    assert incident_id is not None
    assert ledger.verify(ctx).ok


BRIDGING = replace(V3_CONFIG, bridge_threshold=4.0, bridge_pair_min=2.0)


def _bridged_posts(
    ctx: ServiceContext, cast: Cast, **uav: Any
) -> tuple[str, str, str, dict[str, str | None]]:
    """Two posts' shellings 4.5 km and 50 minutes apart, fused into two incidents, then a
    UAV's detection between them (``uav``: its overrides) filed, not yet fused: the ids of
    the posts' reports and the detection, and where the posts' reports were before."""
    aghdam = (39.991, 46.927)
    east, middle = offset(*aghdam, 4_500, 90), offset(*aghdam, 2_250, 90)

    def observed(minutes: int) -> dict[str, str]:
        start = datetime(2020, 11, 26, 10, 30, tzinfo=UTC) + timedelta(minutes=minutes)
        end = start + timedelta(minutes=10)
        return {"start": start.isoformat(), "end": end.isoformat(), "precision": "exact"}

    def where(point: tuple[float, float]) -> dict[str, Any]:
        return {"lat": point[0], "lon": point[1], "precision": 1, "place_name": "Aghdam"}

    plain = {"alleged_perpetrator": None, "count": None, "narrative": "Impacts heard."}
    post_a = file(ctx, cast, "tur", observed=observed(0), event_position=where(aghdam), **plain)
    add_posts(ctx, "jmc-east")
    add_uav(ctx, "rus-uav-2", "rus")
    post_b = file(
        ctx,
        cast,
        "tur",
        observed=observed(50),
        event_position=where(east),
        post_id="jmc-east",
        **plain,
    )
    fusion.drain(ctx, config=BRIDGING)
    before = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    detection = file(
        ctx,
        cast,
        "rus",
        channel="sensor_detection",
        sensor_id="rus-uav-2",
        means=["uav"],
        observed=observed(25),
        event_position=where(middle),
        **plain,
        **uav,
    )
    return post_a, post_b, detection, before


def test_a_report_that_bridges_two_incidents_merges_them_undoably(
    ctx: ServiceContext, cast: Cast
) -> None:
    """Two posts' shellings 4.5 km and 50 minutes apart are two incidents; a UAV's
    detection between them, close to both, merges them (``fusion.matcher.v3``): a ledgered
    decision with the pair that allowed it, undone like an analyst's merge."""
    post_a, post_b, uav, before = _bridged_posts(ctx, cast)
    assert before[post_a] != before[post_b]
    done = fusion.drain(ctx, config=BRIDGING)
    assert (done.linked, done.merged) == (1, 1)
    after = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert after[post_a] == after[post_b] == after[uav]
    target = str(after[uav])
    decisions = fusion.summary(ctx, OPERATOR, target).decisions
    merge = next(d for d in decisions if d.kind == "merged")
    source = str(merge.other_incident_id)
    assert {target, source} == {before[post_a], before[post_b]}
    assert merge.matcher == V3_CONFIG.name
    assert merge.actor_user == "fusion"
    assert merge.evidence is not None
    assert merge.evidence["bridged_by"] == uav
    assert merge.evidence["evidence"]["score"] >= 2.0
    link = next(d for d in decisions if d.kind == "linked" and d.report_ids == [uav])
    assert link.evidence is not None
    assert link.evidence["merged"] == {"incident_id": source, "into": target}
    # Nothing deleted: the merged incident keeps its row; the merge is undone as any other.
    assert incidents.get_incident(ctx, OPERATOR, source).id == source
    fusion.undo(ctx, cast.viewer(ctx, "tur"), merge.id)
    undone = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert undone[post_a] != undone[post_b]
    assert undone[uav] == target
    assert ledger.verify(ctx).ok


@pytest.mark.parametrize(
    ("config", "linked"),
    [
        (
            replace(
                V4_CONFIG,
                linkage_near=0.0,
                linkage_pair_min=2.0,
                linkage_mean=4.25,
                link_mean_min=2.5,
            ),
            True,
        ),
        (V3_CONFIG, False),
    ],
    ids=["v4", "v3"],
)
def test_a_complaint_between_two_incidents_joins_the_one_it_fits_as_a_whole(
    ctx: ServiceContext, cast: Cast, config: MatcherConfig, linked: bool
) -> None:
    """Two shellings at Giyamaddinli that day, four hours apart, each seen by two posts; a
    complaint of 12 rounds there that day fits one post of each alike (v3: a tie, it opens
    an incident of its own), and all of the morning's (``fusion.matcher.v4``: it joins
    them, a ledgered decision with the linkage, undone like any other)."""
    giyamaddinli = {"lat": 40.012, "lon": 46.884, "precision": 1, "place_name": "Aghdam"}

    def post(minutes: int, count: int, post_id: str) -> str:
        start = datetime(2020, 11, 26, 10, 30, tzinfo=UTC) + timedelta(minutes=minutes)
        return file(
            ctx,
            cast,
            "tur",
            observed={
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=10)).isoformat(),
                "precision": "exact",
            },
            event_position=giyamaddinli,
            count=count,
            post_id=post_id,
            alleged_perpetrator=None,
            narrative="Impacts of artillery at Giyamaddinli.",
        )

    add_posts(ctx, "jmc-1", "jmc-2", "jmc-3", "jmc-4")
    morning = [post(0, 12, "jmc-1"), post(10, 13, "jmc-2")]
    afternoon = [post(240, 12, "jmc-3"), post(245, 40, "jmc-4")]
    fusion.drain(ctx, config=config)
    before = {r.id: r.incident_id for r in reports.list_reports(ctx, OPERATOR).items}
    assert before[morning[0]] == before[morning[1]] != before[afternoon[0]]
    assert before[afternoon[0]] == before[afternoon[1]]

    complaint = district_day_complaint(
        ctx,
        cast,
        count=12,
        narrative="We protest the shelling of our positions at Giyamaddinli today.",
    )
    done = fusion.drain(ctx, config=config)
    assert (done.linked, done.new_incidents) == ((1, 0) if linked else (0, 1))
    where = reports.get_report(ctx, OPERATOR, complaint).incident_id
    assert (where == before[morning[0]]) is linked
    if linked:
        found = fusion.summary(ctx, cast.viewer(ctx, "tur"), str(where))
        (decision,) = [d for d in found.decisions if d.report_ids == [complaint]]
        assert (decision.kind, decision.matcher) == ("linked", V4_CONFIG.name)
        assert decision.evidence is not None
        assert decision.evidence["linkage"] >= 4.25
        assert decision.evidence["evidence"]["score"] >= 2.0  # the weakest pair
        fusion.undo(ctx, cast.viewer(ctx, "tur"), decision.id)
        assert reports.get_report(ctx, OPERATOR, complaint).incident_id is None
    assert ledger.verify(ctx).ok


def test_the_summary_shows_only_the_decisions_its_reader_may_open(
    ctx: ServiceContext, cast: Cast
) -> None:
    """A decision names two incidents; the summary of one lists it only for a reader of
    both, as ``get_decision`` does: Armenia's liaison reads the incident an internal one
    was merged into, not the internal one (nor that it exists)."""
    _first, _later, inc_a, inc_b = _two_incidents(ctx, cast)
    tur = cast.viewer(ctx, "tur")
    incidents.classify(ctx, tur, inc_b, Classification.INTERNAL)
    merged = fusion.merge(ctx, tur, inc_a, inc_b, reason="the internal lead was this barrage")
    arm = cast.viewer(ctx, "arm")
    with pytest.raises(NotFound):
        incidents.get_incident(ctx, arm, inc_b)
    incidents.get_incident(ctx, arm, inc_a)  # the reports moved in are shared: readable
    shown = fusion.summary(ctx, arm, inc_a).decisions
    assert shown  # the decisions about inc_a alone are still there
    assert inc_b not in str([d.model_dump() for d in shown])
    for decision in shown:
        assert fusion.get_decision(ctx, arm, decision.id).id == decision.id
    # A monitor sees the merge.
    assert merged.id in {d.id for d in fusion.summary(ctx, tur, inc_a).decisions}


def test_a_merge_bridged_by_an_internal_report_does_not_name_it(
    ctx: ServiceContext, cast: Cast
) -> None:
    """A UAV detection kept internal bridges two shared incidents; the monitors then share
    the merged incident. Armenia's liaison reads it and the merge of the shared reports,
    but not the detection: the merge's evidence must not name it (nor show its details)."""
    _a, _b, uav, _before = _bridged_posts(ctx, cast, classification="internal")
    assert fusion.drain(ctx, config=BRIDGING).merged == 1
    target = str(reports.get_report(ctx, OPERATOR, uav).incident_id)
    incidents.classify(ctx, cast.viewer(ctx, "tur"), target, Classification.SHARED)
    arm = cast.viewer(ctx, "arm")
    shown = fusion.summary(ctx, arm, target).decisions
    merge = next(d for d in shown if d.kind == "merged")  # of shared reports: shown
    assert uav not in str([d.model_dump() for d in shown])
    assert uav not in str(fusion.get_decision(ctx, arm, merge.id).model_dump())
    assert uav in str(fusion.get_decision(ctx, OPERATOR, merge.id).model_dump())
