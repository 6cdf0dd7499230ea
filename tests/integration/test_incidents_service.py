"""Incidents and joint verification on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ceasefire.access import Classification, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import Attribution, AttributionKind, OccurrenceStatus, Stance
from ceasefire.incidents.schemas import IncidentDetail, IncidentRedacted, PartyRepresentative
from ceasefire.incidents.service import IncidentFilters
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.reports import service as reports
from ceasefire.reports.model import Category, Channel
from tests.factories.members import Cast
from tests.factories.reports import shelling_body

ARMENIA = Attribution(AttributionKind.ATTRIBUTED, "ARM")


def new_incident(ctx: ServiceContext, cast: Cast, **body: object) -> IncidentDetail:
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(ctx, turkey, shelling_body(**body)).report
    return incidents.create_incident(
        ctx,
        turkey,
        report_ids=[report.id],
        title="Shelling near Aghdam",
        summary="Impacts reported west of the Joint Monitoring Centre.",
        classification=Classification.SHARED,
    )


def investigate(ctx: ServiceContext, cast: Cast, incident_id: str) -> None:
    incidents.assign_task(
        ctx,
        cast.viewer(ctx, "rus"),
        incident_id,
        team=["Maj. Ivan Petrov", "Binbaşı Ayşe Demir"],
        party_representatives=[
            PartyRepresentative(party="AZE", present=True, names=["Capt. Elvin Mammadov"]),
            PartyRepresentative(party="ARM", present=False),
        ],
        instructions="Visit the impact sites west of the post.",
    )


def tags(ctx: ServiceContext, incident_id: str) -> list[str]:
    with ctx.reader() as session:
        return list(
            session.scalars(
                select(LedgerEntryRow.tag)
                .where(LedgerEntryRow.subject == f"incident/{incident_id}")
                .order_by(LedgerEntryRow.seq)
            )
        )


def test_an_incident_is_made_of_reports(ctx: ServiceContext, cast: Cast) -> None:
    incident = new_incident(ctx, cast)
    assert incident.status is OccurrenceStatus.REPORTED
    assert incident.attribution is AttributionKind.PENDING
    assert incident.agreement_id == "nk-2020-trilateral"
    assert incident.category == "shelling"
    assert incident.concerns == ["ARM", "AZE"]
    assert incident.event_position["place_name"] == "Aghdam"
    assert incident.channels == ["monitor_observation"]
    assert tags(ctx, incident.id) == ["intake:incident:created"]
    with pytest.raises(Conflict):
        incidents.create_incident(
            ctx, cast.viewer(ctx, "tur"), report_ids=[incident.reports[0].id], title="again"
        )
    report = reports.submit_report(ctx, cast.viewer(ctx, "tur"), shelling_body()).report
    with pytest.raises(Forbidden):
        incidents.create_incident(ctx, cast.viewer(ctx, "fra"), report_ids=[report.id], title="x")


def test_reports_are_added_and_removed_with_the_span_recomputed(
    ctx: ServiceContext, cast: Cast
) -> None:
    incident = new_incident(ctx, cast)
    turkey = cast.viewer(ctx, "tur")
    later = reports.submit_report(
        ctx,
        turkey,
        shelling_body(
            observed={"start": "2020-11-26T11:00:00Z", "end": "2020-11-26T11:30:00Z"},
            event_position={"lat": 39.99, "lon": 46.93},
        ),
    ).report
    grown = incidents.add_reports(ctx, turkey, incident.id, [later.id])
    assert grown.report_count == 2
    assert grown.observed_end == datetime(2020, 11, 26, 11, 30, tzinfo=UTC)
    assert grown.event_position["precision"] == 1  # the exact point wins over "near Aghdam"
    shrunk = incidents.remove_report(ctx, turkey, incident.id, later.id, reason="another event")
    assert shrunk.report_count == 1
    with pytest.raises(Conflict):
        incidents.remove_report(ctx, turkey, incident.id, incident.reports[0].id, reason="x")


def test_no_stage_is_skipped_and_conclusions_need_a_decision(
    ctx: ServiceContext, cast: Cast
) -> None:
    incident = new_incident(ctx, cast)
    russia, turkey = cast.viewer(ctx, "rus"), cast.viewer(ctx, "tur")
    with pytest.raises(Conflict):
        incidents.change_status(ctx, russia, incident.id, OccurrenceStatus.VERIFIED, reason="x")
    with pytest.raises(Conflict):  # assessments wait for the investigation
        incidents.assess(ctx, turkey, incident.id, stance=Stance.ABSTAIN, rationale="too early")
    investigate(ctx, cast, incident.id)
    with pytest.raises(Conflict, match="has not decided"):
        incidents.change_status(ctx, russia, incident.id, OccurrenceStatus.VERIFIED, reason="x")


def test_unanimity_dissent_disputes_then_a_superseding_view_decides(
    ctx: ServiceContext, cast: Cast
) -> None:
    incident = new_incident(ctx, cast)
    investigate(ctx, cast, incident.id)
    russia, turkey = cast.viewer(ctx, "rus"), cast.viewer(ctx, "tur")
    incidents.assess(
        ctx,
        turkey,
        incident.id,
        stance=Stance.CONCUR,
        status=OccurrenceStatus.VERIFIED,
        attribution=ARMENIA,
        rationale="UAV footage shows outgoing fire from Armenian positions.",
        evidence_refs=[incident.reports[0].id],
    )
    disputed = incidents.assess(
        ctx, russia, incident.id, stance=Stance.DISSENT, rationale="Origin of fire not established."
    )
    assert disputed.attribution is AttributionKind.DISPUTED
    assert disputed.status is OccurrenceStatus.UNDER_INVESTIGATION
    assert disputed.decision is not None
    assert disputed.decision["state"] == "disputed"
    assert {a.member_id for a in disputed.assessments} == {"rus", "tur"}

    decided = incidents.assess(
        ctx,
        russia,
        incident.id,
        stance=Stance.CONCUR,
        status=OccurrenceStatus.VERIFIED,
        attribution=ARMENIA,
        rationale="Crater analysis received; we concur.",
    )
    assert decided.status is OccurrenceStatus.VERIFIED
    assert decided.attribution is AttributionKind.ATTRIBUTED
    assert decided.attributed_party == "ARM"
    russian = [a for a in decided.assessments if a.member_id == "rus"]
    assert [a.current for a in russian] == [False, True]  # superseded, not overwritten
    assert russian[1].supersedes == russian[0].id
    assert tags(ctx, incident.id).count("intake:incident:assessed") == 3
    reopened = incidents.change_status(
        ctx, russia, incident.id, OccurrenceStatus.UNDER_INVESTIGATION, reason="new footage"
    )
    assert reopened.attribution is AttributionKind.PENDING


def test_who_reads_which_part(ctx: ServiceContext, cast: Cast) -> None:
    incident = new_incident(ctx, cast)
    investigate(ctx, cast, incident.id)
    russia = cast.viewer(ctx, "rus")
    incidents.add_note(ctx, russia, incident.id, text="Petrov thinks the fire came from the east.")
    incidents.assess(ctx, russia, incident.id, stance=Stance.DISSENT, rationale="not established")
    answer = incidents.reply(
        ctx, cast.viewer(ctx, "arm"), incident.id, text="Our forces did not fire that day."
    )
    assert answer.party == "ARM"
    with pytest.raises(Forbidden):
        incidents.reply(ctx, cast.viewer(ctx, "fra"), incident.id, text="not a party")

    def seen(member: str) -> IncidentDetail:
        detail = incidents.get_incident(ctx, cast.viewer(ctx, member), incident.id)
        assert isinstance(detail, IncidentDetail)
        return detail

    monitor = seen("tur")
    assert (len(monitor.notes), len(monitor.assessments), len(monitor.replies)) == (1, 1, 1)
    assert monitor.tasks[0].party_representatives[0].present
    for member in ("aze", "arm", "fra"):
        view = seen(member)
        assert view.summary == incident.summary
        assert view.notes == []
        assert view.assessments == []
        assert view.tasks == []
        assert len(view.replies) == 1
        assert view.decision is not None
        assert view.decision["views"] == []
    with pytest.raises(NotFound):
        incidents.get_incident(ctx, Viewer.public(), incident.id)
    incidents.classify(ctx, russia, incident.id, Classification.PUBLIC, reason="publish")
    public = incidents.get_incident(ctx, Viewer.public(), incident.id)
    assert isinstance(public, IncidentRedacted)
    dumped = public.model_dump_json()
    assert "observer" not in dumped
    assert "Petrov" not in dumped
    assert "Demir" not in dumped


def test_names_in_a_public_summary_are_withheld(ctx: ServiceContext, cast: Cast) -> None:
    incident = new_incident(ctx, cast)
    investigate(ctx, cast, incident.id)
    russia = cast.viewer(ctx, "rus")
    incidents.edit_incident(
        ctx, russia, incident.id, summary="Team led by Maj. Ivan Petrov found six craters."
    )
    incidents.classify(ctx, russia, incident.id, Classification.PUBLIC)
    public = incidents.get_incident(ctx, Viewer.public(), incident.id)
    assert public.summary == "Team led by [name withheld] found six craters."


def test_a_reporters_name_is_withheld_from_the_public_page_and_list(
    ctx: ServiceContext, cast: Cast
) -> None:
    """The reporters of an incident's reports are named only to members: the public view
    withholds them wherever the title or summary repeats them (one report with a reporter,
    one without: both counted)."""
    incident = new_incident(ctx, cast, reporter="Yüzbaşı Kerem Aksoy")
    turkey = cast.viewer(ctx, "tur")
    second = reports.submit_report(ctx, turkey, shelling_body(reporter=None)).report
    incidents.add_reports(ctx, turkey, incident.id, [second.id])
    russia = cast.viewer(ctx, "rus")
    incidents.edit_incident(
        ctx, russia, incident.id, title="Craters seen by Yüzbaşı Kerem Aksoy near Aghdam"
    )
    incidents.classify(ctx, russia, incident.id, Classification.PUBLIC)
    shown = incidents.get_incident(ctx, Viewer.public(), incident.id)
    (listed,) = incidents.list_incidents(ctx, Viewer.public(), IncidentFilters()).items
    for view in (shown, listed):
        assert isinstance(view, IncidentRedacted)
        assert view.title == "Craters seen by [name withheld] near Aghdam"
        assert view.report_count == 2


def test_list_filters(ctx: ServiceContext, cast: Cast) -> None:
    near_aghdam = new_incident(ctx, cast)
    far = new_incident(
        ctx,
        cast,
        category="small_arms_fire",
        event_position={"lat": 39.084, "lon": 46.660, "place_name": "Zangilan", "precision": 2},
        observed={"start": "2020-11-20T08:00:00Z"},
        alleged_perpetrator="AZE",
        concerns=["AZE"],
    )
    complaint = reports.submit_report(
        ctx,
        cast.viewer(ctx, "arm"),
        shelling_body(channel="party_complaint", means=None, classification="shared"),
    ).report
    by_complaint = incidents.create_incident(
        ctx, cast.viewer(ctx, "rus"), report_ids=[complaint.id], title="Complaint by Armenia"
    )
    russia = cast.viewer(ctx, "rus")

    def ids(**kwargs: Any) -> set[str]:
        page = incidents.list_incidents(ctx, russia, IncidentFilters(**kwargs))
        return {i.id for i in page.items}

    assert ids() == {near_aghdam.id, far.id, by_complaint.id}
    assert ids(bbox=(46.8, 39.9, 47.1, 40.1)) == {near_aghdam.id, by_complaint.id}
    assert ids(category=Category.SMALL_ARMS_FIRE) == {far.id}
    assert ids(channel=Channel.PARTY_COMPLAINT) == {by_complaint.id}
    assert ids(party="ARM") == {near_aghdam.id, by_complaint.id}
    assert ids(start=datetime(2020, 11, 25, tzinfo=UTC)) == {near_aghdam.id, by_complaint.id}
    assert ids(status=OccurrenceStatus.UNDER_INVESTIGATION) == set()
    assert ids(attribution=AttributionKind.PENDING) == {near_aghdam.id, far.id, by_complaint.id}
    with pytest.raises(InvalidInput):
        ids(bbox=(47.0, 39.0, 46.0, 40.0))
    # Azerbaijan's liaison sees the shared incidents concerning AZE; the complaint is
    # internal (the default) and concerns ARM as well as AZE through the report.
    aze = {i.id for i in incidents.list_incidents(ctx, cast.viewer(ctx, "aze")).items}
    assert aze == {near_aghdam.id, far.id}


def test_a_presiding_member_settles(ctx: ServiceContext, cast: Cast) -> None:
    operator = Viewer.cli_operator()
    incidents.set_decision_rule(
        ctx, operator, "nk-2020-trilateral", {"kind": "presiding_member", "presiding": "rus"}
    )
    assert incidents.get_decision_rule(ctx, "nk-2020-trilateral").to_dict()["presiding"] == "rus"
    incident = new_incident(ctx, cast)
    investigate(ctx, cast, incident.id)
    incidents.assess(
        ctx,
        cast.viewer(ctx, "tur"),
        incident.id,
        stance=Stance.CONCUR,
        status=OccurrenceStatus.VERIFIED,
        attribution=ARMENIA,
        rationale="footage",
    )
    settled = incidents.assess(
        ctx,
        cast.viewer(ctx, "rus"),
        incident.id,
        stance=Stance.CONCUR,
        status=OccurrenceStatus.UNVERIFIABLE,
        attribution=Attribution(AttributionKind.NOT_ATTRIBUTABLE),
        rationale="no access to the site",
    )
    assert settled.status is OccurrenceStatus.UNVERIFIABLE
    assert settled.decision is not None
    assert settled.decision["settled_by"] == "rus"
    with pytest.raises(InvalidInput):
        incidents.set_decision_rule(ctx, operator, "nk-2020-trilateral", {"kind": "coin-toss"})
