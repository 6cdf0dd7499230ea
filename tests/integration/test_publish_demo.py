"""Acceptance on the demo data: ``ceasefire init --demo`` (the 2020 agreement, the seed
article and the generated month of monitor reports, fused into incidents) gives public and
internal daily reports for 26 Nov 2020 whose figures are the database's, and the public PDF
holds no record that is not public and no observer position.

The demo load is the expensive part (~30 s): one per worker and backend, copied to each module
that reads it (``module_demo``). Only one
test renders a PDF; the others read the digest and the HTML.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date, datetime

import pypdf
import pytest
from sqlalchemy import func, select

from ceasefire.access import Classification, Viewer
from ceasefire.compliance import service as compliance
from ceasefire.compliance.tables import FindingRow
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.incidents.tables import IncidentRow
from ceasefire.members import posts as member_posts
from ceasefire.publish import service as publishing
from ceasefire.publish.compose import Digest, compose
from ceasefire.publish.model import VIOLATION_CATEGORIES, Edition, Kind, OutputFormat, daily_period
from ceasefire.reports.tables import IncidentReportRow, ReportRow

OPERATOR = Viewer.cli_operator()
AGREEMENT = "nk-2020-trilateral"
DAY = date(2020, 11, 26)
PERIOD = daily_period(DAY, "Europe/Moscow")


@pytest.fixture(scope="module")
def demo(module_demo: ServiceContext) -> ServiceContext:
    """The demo with its month, once per backend for this module."""
    release_half_of_the_day(module_demo)
    return module_demo


def release_half_of_the_day(ctx: ServiceContext) -> None:
    """The demo month's reports are shared among the members, so its incidents are too:
    the centre releases every other incident of the day and of the day before (by when
    they began) as it would before publishing, so the public edition has records to show
    and the internal one has records the public must not see."""
    for period in (PERIOD, PERIOD.previous()):
        digest = compose(
            ctx, OPERATOR, agreement_id=AGREEMENT, period=period, edition=Edition.INTERNAL
        )
        ordered = sorted(digest.items, key=lambda i: (i.observed_start, i.id))
        for item in ordered[::2]:
            incidents.classify(
                ctx, OPERATOR, item.id, Classification.PUBLIC, reason="released for the report"
            )


def counted(ctx: ServiceContext, start: datetime, end: datetime, *, public: bool) -> Counter[str]:
    """Live incidents of the agreement per category whose observation began in the period,
    straight from the table (merged-away incidents left out)."""
    query = select(IncidentRow.category, func.count()).where(
        IncidentRow.agreement_id == AGREEMENT,
        IncidentRow.emptied_by.is_(None),
        IncidentRow.observed_start > start,
        IncidentRow.observed_start <= end,
    )
    if public:
        query = query.where(IncidentRow.classification == "public")
    with ctx.reader() as session:
        return Counter(dict(session.execute(query.group_by(IncidentRow.category)).all()))


def _digest(ctx: ServiceContext, edition: Edition) -> Digest:
    viewer = Viewer.public() if edition is Edition.PUBLIC else OPERATOR
    return compose(ctx, viewer, agreement_id=AGREEMENT, period=PERIOD, edition=edition)


@pytest.mark.parametrize("edition", [Edition.PUBLIC, Edition.INTERNAL])
def test_the_demo_days_figures_are_the_databases(demo: ServiceContext, edition: Edition) -> None:
    public = edition is Edition.PUBLIC
    digest = _digest(demo, edition)
    now = counted(demo, PERIOD.start, PERIOD.end, public=public)
    before = PERIOD.previous()
    then = counted(demo, before.start, before.end, public=public)
    # The demo month has a real day here, not an empty one.
    assert sum(now.values()) >= (3 if public else 5)
    assert (digest.totals.current, digest.totals.previous) == (
        sum(now.values()),
        sum(then.values()),
    )
    assert digest.violations.current == sum(n for c, n in now.items() if c in VIOLATION_CATEGORIES)
    assert digest.violations.previous == sum(
        n for c, n in then.items() if c in VIOLATION_CATEGORIES
    )
    assert {r.name: r.current for r in digest.by_category if r.current} == dict(now)
    assert {r.name: r.previous for r in digest.by_category if r.previous} == dict(then)
    assert sum(r.current for r in digest.by_area) == digest.totals.current
    # Zone findings: exactly the period's readable incidents compliance found something about,
    # but for those whose findings rest on reports the reader may not read (the public: an
    # allegation only a shared report makes), which are withheld.
    ids = {i.id for i in digest.items}
    with demo.reader() as session:
        made = {
            str(i)
            for i in session.scalars(
                select(FindingRow.incident_id).where(
                    FindingRow.incident_id.in_(ids), FindingRow.withdrawn_at.is_(None)
                )
            )
        }
        viewer = Viewer.public() if public else OPERATOR
        found = made & compliance.shown_incidents(session, viewer, made)
    assert {i.id for i in digest.items if i.findings} == found
    assert found <= {i.id for i in digest.notable}
    # Corroboration: no more independent sources than the reports grouped into the incident.
    with demo.reader() as session:
        reports_of = dict(
            session.execute(
                select(IncidentReportRow.incident_id, func.count())
                .where(IncidentReportRow.incident_id.in_(ids))
                .group_by(IncidentReportRow.incident_id)
            ).all()
        )
    for item in digest.notable:
        if item.sources is not None:
            assert 1 <= item.sources <= reports_of[item.id]
    # The HTML says the same figures.
    html = publishing.generate(
        demo,
        OPERATOR,
        publishing.Request(Kind.DAILY, edition, "en", OutputFormat.HTML, AGREEMENT, day=DAY),
    ).content.decode()
    assert f"<strong>{digest.totals.current}</strong>" in html
    assert f"<strong>{digest.violations.current}</strong>" in html


def test_the_public_edition_reads_only_public_records(demo: ServiceContext) -> None:
    public = _digest(demo, Edition.PUBLIC)
    internal = _digest(demo, Edition.INTERNAL)
    with demo.reader() as session:
        classification = dict(
            session.execute(
                select(IncidentRow.id, IncidentRow.classification).where(
                    IncidentRow.id.in_([i.id for i in internal.items])
                )
            ).all()
        )
    assert {i.id for i in public.items} == {i for i, c in classification.items() if c == "public"}
    hidden = {i for i, c in classification.items() if c != "public"}
    assert hidden, "the demo day should have records that are not public"
    # Findings about a record that is not public are not read for the public.
    assert not set(compliance.findings_of_incidents(demo, Viewer.public(), hidden))


def test_the_public_pdf_has_no_internal_record_and_no_observer_position(
    demo: ServiceContext,
) -> None:
    internal = _digest(demo, Edition.INTERNAL)
    generated = publishing.generate(
        demo,
        OPERATOR,
        publishing.Request(Kind.DAILY, Edition.PUBLIC, "en", OutputFormat.PDF, AGREEMENT, day=DAY),
    )
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(generated.content)).pages)
    flat = " ".join(text.split())
    assert "Public edition" in flat
    public_digest = _digest(demo, Edition.PUBLIC)
    public_titles = {i.title for i in public_digest.items}
    # The search finds what is there: the public notable incidents' titles.
    assert public_digest.notable
    for item in public_digest.notable:
        assert " ".join(item.title.split()) in flat, item.title
    with demo.reader() as session:
        rows = session.execute(
            select(IncidentRow.id, IncidentRow.title, IncidentRow.classification).where(
                IncidentRow.id.in_([i.id for i in internal.items])
            )
        ).all()
        report_ids = list(
            session.scalars(
                select(IncidentReportRow.report_id).where(
                    IncidentReportRow.incident_id.in_([i.id for i in internal.items])
                )
            )
        )
        contents = [
            json.loads(c)
            for c in session.scalars(select(ReportRow.content).where(ReportRow.id.in_(report_ids)))
        ]
    secret_titles = {t for _, t, c in rows if c != "public"} - public_titles
    assert secret_titles
    for title in secret_titles:
        assert " ".join(title.split()) not in flat, title
    for incident_id, _, classification in rows:
        if classification != "public":
            assert incident_id not in flat
    # No observer position: neither the reports' nor the posts'.
    positions = [
        (c["observer_position"]["lat"], c["observer_position"]["lon"])
        for c in contents
        if c.get("observer_position") and c["observer_position"].get("lat") is not None
    ]
    posts = member_posts.list_posts(demo, OPERATOR, active_at=PERIOD.end)
    positions += [(p.lat, p.lon) for p in posts]
    assert positions
    for lat, lon in positions:
        for value in (lat, lon):
            assert str(value) not in flat
            assert f"{value:.3f}" not in flat
    for post in posts:
        assert post.name not in flat
