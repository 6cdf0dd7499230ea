"""Published reports on both backends: figures against the database, what each edition
leaves out, the PDF's text and pages, storage and the ledger, the schedule.

PDF rendering is slow: one test per backend renders the two PDF editions and checks them;
the others work on the HTML (the PDF is rendered from it).
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pypdfium2
import pytest
from sqlalchemy import func, select

from ceasefire.access import Classification, Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, NotFound, Unauthorized
from ceasefire.incidents import service as incidents
from ceasefire.incidents.tables import IncidentRow
from ceasefire.ledger.service import verify
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import posts
from ceasefire.members.model import GeoPoint, MemberRole, ObservationPost
from ceasefire.members.service import grant_role
from ceasefire.publish import service as publishing
from ceasefire.publish.compose import compose
from ceasefire.publish.model import VIOLATION_CATEGORIES, Edition, Kind, OutputFormat, daily_period
from ceasefire.publish.tables import PublicationRow
from tests.factories.members import Cast, grant_monitor
from tests.factories.publish import OBSERVER, Day, make_day

OPERATOR = Viewer.cli_operator()
AGREEMENT = "nk-2020-trilateral"
MEMORANDUM = "tr-ru-2020-memorandum"
DAY = date(2020, 11, 26)


@pytest.fixture
def day(ctx: ServiceContext, cast: Cast) -> Day:
    return make_day(ctx, cast)


def request(
    edition: Edition, fmt: OutputFormat = OutputFormat.HTML, lang: str = "en"
) -> publishing.Request:
    return publishing.Request(Kind.DAILY, edition, lang, fmt, AGREEMENT, day=DAY)


def counted(
    ctx: ServiceContext, start: datetime, end: datetime, *, public: bool
) -> tuple[int, int]:
    """Incidents and violations of the period, straight from the table."""
    with ctx.reader() as session:
        query = select(IncidentRow.category, func.count()).where(
            IncidentRow.agreement_id == AGREEMENT,
            IncidentRow.observed_start > start,
            IncidentRow.observed_start <= end,
        )
        if public:
            query = query.where(IncidentRow.classification == "public")
        rows = session.execute(query.group_by(IncidentRow.category)).all()
    return sum(n for _, n in rows), sum(n for c, n in rows if c in VIOLATION_CATEGORIES)


def test_the_figures_are_the_databases(ctx: ServiceContext, day: Day) -> None:
    period = daily_period(DAY, "Europe/Moscow")
    assert period.end == datetime(2020, 11, 26, 16, 30, tzinfo=UTC)
    for edition, viewer, public in (
        (Edition.PUBLIC, Viewer.public(), True),
        (Edition.INTERNAL, OPERATOR, False),
    ):
        digest = compose(ctx, viewer, agreement_id=AGREEMENT, period=period, edition=edition)
        assert (digest.totals.current, digest.violations.current) == counted(
            ctx, period.start, period.end, public=public
        )
        before = period.previous()
        assert (digest.totals.previous, digest.violations.previous) == counted(
            ctx, before.start, before.end, public=public
        )
        assert sum(r.current for r in digest.by_category) == digest.totals.current
        assert sum(r.current for r in digest.by_area) == digest.totals.current
    # The internal edition has what the public one leaves out, and the members' views.
    internal = compose(
        ctx, OPERATOR, agreement_id=AGREEMENT, period=period, edition=Edition.INTERNAL
    )
    assert [i.id for i in internal.movement] == [day.ids["checkpoint"]]
    clash = next(i for i in internal.notable if i.id == day.ids["clash"])
    assert clash.decision_state == "disputed"
    # Breaches are compliance's findings: small-arms fire in the Lachin corridor before the
    # district's handover (1 Dec) breaches no zone rule; shelling inside the Aghdam
    # district after its handover is a possible breach (its attribution is only alleged).
    assert clash.breach is None
    assert clash.possible_breach is None
    shelling = next(i for i in internal.notable if i.id == day.ids["shelling"])
    assert shelling.possible_breach == "Aghdam district (handover area)"
    assert [f["rule"] for f in shelling.findings] == ["compliance.zone_breach.v1"]
    # Fusion's corroboration: one monitor's report each.
    assert (clash.sources, clash.source_kinds) == (1, {"monitor": 1})
    public_digest = compose(
        ctx, Viewer.public(), agreement_id=AGREEMENT, period=period, edition=Edition.PUBLIC
    )
    public_shelling = next(i for i in public_digest.notable if i.id == day.ids["shelling"])
    assert public_shelling.findings == shelling.findings
    assert day.ids["clash"] not in {i.id for i in public_digest.notable}
    assert {(v["member"], v["party"]) for v in clash.views} == {("rus", "AZE"), ("tur", "ARM")}
    assert internal.civilian == {"killed_civilian": 2, "injured_civilian": 4}
    assert [i.id for i in internal.humanitarian] == [day.ids["exchange"]]
    assert internal.ledger_head["seq"] > 0
    # Provisions due and overdue are compliance's deadline states: Lachin's handover is due
    # within the week; on 20 Nov Kalbajar's was due on the date its amendment set.
    assert [(p["id"], p["due"]) for p in internal.provisions_due] == [
        ("p6-lachin", date(2020, 12, 1))
    ]
    earlier = compose(
        ctx,
        OPERATOR,
        agreement_id=AGREEMENT,
        period=daily_period(date(2020, 11, 20), "Europe/Moscow"),
        edition=Edition.INTERNAL,
    )
    kalbajar = next(p for p in earlier.provisions_due if p["id"] == "p6-kalbajar")
    assert (kalbajar["due"], kalbajar["original_due"]) == (date(2020, 11, 25), date(2020, 11, 15))


def test_the_pdf_editions(ctx: ServiceContext, day: Day) -> None:
    public = publishing.generate(ctx, OPERATOR, request(Edition.PUBLIC, OutputFormat.PDF))
    internal = publishing.generate(ctx, OPERATOR, request(Edition.INTERNAL, OutputFormat.PDF))
    public_text = "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(public.content)).pages
    )
    internal_text = "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(internal.content)).pages
    )
    total, violations = counted(ctx, *_bounds(), public=True)
    assert f"Incidents: {total}" in public_text
    assert f"violations: {violations}" in public_text
    # No internal or shared record, no observer position, no name, no member's view.
    for secret in (
        "checkpoint",
        "Small-arms fire near Lachin",
        "Demir",
        "Petrov",
        "rus ",
        "AZE side",
    ):
        assert secret not in public_text, secret
    assert str(OBSERVER["lat"]) not in public_text
    assert str(OBSERVER["lon"]) not in public_text
    assert "Public edition" in public_text
    # The internal edition has them.
    for shown in ("checkpoint", "Small-arms fire near Lachin", "Fire came from the AZE side"):
        assert shown in internal_text, shown
    # The PDF renders: the first page as an image that is not blank.
    page = pypdfium2.PdfDocument(public.content)[0].render(scale=0.5).to_pil()
    darkest, lightest = page.convert("L").getextrema()
    assert page.size[0] > 200
    assert lightest == 255
    assert darkest < 100
    # Regenerating the same cut-off from the same data gives the same bytes: nothing new.
    again = publishing.generate(ctx, OPERATOR, request(Edition.PUBLIC, OutputFormat.PDF))
    assert again.content == public.content
    assert again.publication.created is False
    assert again.publication.id == public.publication.id


def _bounds() -> tuple[datetime, datetime]:
    period = daily_period(DAY, "Europe/Moscow")
    return period.start, period.end


def test_stored_hashed_and_ledgered(ctx: ServiceContext, cast: Cast, day: Day) -> None:
    first = publishing.generate(ctx, OPERATOR, request(Edition.PUBLIC))
    item = first.publication
    assert item.created
    assert item.revision == 1
    assert item.sha256 == hashlib.sha256(first.content).hexdigest()
    with ctx.reader() as session:
        entry = session.get(LedgerEntryRow, item.ledger_seq)
        assert entry is not None
        assert entry.tag == "publish:report:generated"
        assert item.sha256 in entry.payload
    # New data for the period: the next revision, the first one kept.
    incidents.edit_incident(
        ctx, cast.viewer(ctx, "tur"), day.ids["shelling"], title="Heavy shelling near Aghdam"
    )
    second = publishing.generate(ctx, OPERATOR, request(Edition.PUBLIC))
    assert second.publication.revision == 2
    assert second.publication.sha256 != item.sha256
    assert b"Heavy shelling" in second.content
    assert verify(ctx).ok
    # An altered stored file no longer matches its entry.
    with ctx.unit_of_work() as session:
        row = session.get(PublicationRow, item.id)
        assert row is not None
        row.content = row.content.replace(b"Shelling", b"Shellin9")
    assert any("publications" in f.message for f in verify(ctx).findings)


def test_readers_of_the_editions(ctx: ServiceContext, cast: Cast, day: Day) -> None:
    with pytest.raises(Unauthorized):
        publishing.generate(ctx, Viewer.public(), request(Edition.INTERNAL))
    armenia = cast.viewer(ctx, "arm")
    liaison = publishing.generate(ctx, armenia, request(Edition.INTERNAL))
    assert liaison.publication.audience == "member:arm"
    text = liaison.content.decode()
    assert "Small-arms fire near Lachin" in text  # shared with Armenia
    assert "checkpoint" not in text  # internal
    monitors = publishing.generate(ctx, cast.viewer(ctx, "rus"), request(Edition.INTERNAL))
    assert monitors.publication.audience == "monitors"
    public_list = publishing.list_publications(ctx, Viewer.public())
    assert public_list == []
    assert {p.audience for p in publishing.list_publications(ctx, armenia)} == {"member:arm"}


def test_languages_spot_and_summaries(ctx: ServiceContext, day: Day) -> None:
    russian = publishing.generate(
        ctx, OPERATOR, request(Edition.PUBLIC, lang="ru")
    ).content.decode()
    assert 'lang="ru"' in russian
    assert "Ежедневный доклад" in russian
    assert "обстрел" in russian
    turkish = publishing.generate(
        ctx, OPERATOR, request(Edition.PUBLIC, lang="tr")
    ).content.decode()
    assert "Günlük rapor" in turkish
    assert "Daily report" not in turkish
    spot = publishing.generate(
        ctx,
        OPERATOR,
        publishing.Request(
            Kind.SPOT, Edition.PUBLIC, "en", OutputFormat.HTML, incident_id=day.ids["shelling"]
        ),
    )
    assert "Spot report" in spot.content.decode()
    assert spot.publication.period == f"spot:{day.ids['shelling']}"
    with pytest.raises(Exception, match="no incident"):
        publishing.generate(
            ctx,
            OPERATOR,
            publishing.Request(
                Kind.SPOT,
                Edition.PUBLIC,
                "en",
                OutputFormat.HTML,
                incident_id=day.ids["checkpoint"],
            ),
        )
    week = publishing.generate(
        ctx,
        OPERATOR,
        publishing.Request(
            Kind.WEEKLY, Edition.INTERNAL, "en", OutputFormat.HTML, AGREEMENT, day=DAY
        ),
    )
    assert week.publication.period == "weekly:2020-11-26"
    assert "Trend" in week.content.decode()
    month = publishing.generate(
        ctx,
        OPERATOR,
        publishing.Request(
            Kind.MONTHLY, Edition.PUBLIC, "en", OutputFormat.HTML, AGREEMENT, day=DAY
        ),
    )
    assert month.publication.period == "monthly:2020-11-30"


def test_the_schedule_neither_skips_nor_repeats(ctx: ServiceContext, day: Day) -> None:
    schedule = [(Edition.PUBLIC, "en", OutputFormat.HTML)]
    # An operator's own report of an earlier day is not the schedule's: it moves nothing.
    earlier = publishing.Request(
        Kind.DAILY, Edition.PUBLIC, "en", OutputFormat.HTML, AGREEMENT, day=date(2020, 11, 20)
    )
    publishing.generate(ctx, OPERATOR, earlier)
    evening = datetime(2020, 11, 26, 17, 0, tzinfo=UTC)  # 20:00 in Moscow
    first = publishing.publish_due(ctx, evening, schedule)
    assert [p.period for p in first] == ["daily:2020-11-26"]
    assert publishing.publish_due(ctx, evening, schedule) == []  # a restart: nothing again
    # Down for two days and back on the 29th (a Sunday) at 10:00 Moscow: the 27th and 28th
    # are caught up (the 29th's cut-off has not passed).
    later = datetime(2020, 11, 29, 7, 0, tzinfo=UTC)
    caught = publishing.publish_due(ctx, later, schedule)
    assert [p.period for p in caught] == ["daily:2020-11-27", "daily:2020-11-28"]
    sunday = publishing.publish_due(ctx, datetime(2020, 11, 29, 17, 0, tzinfo=UTC), schedule)
    assert [p.period for p in sunday] == ["daily:2020-11-29", "weekly:2020-11-29"]


def test_two_agreements_publish_their_own_report_of_the_same_day(
    ctx: ServiceContext, day: Day
) -> None:
    """A publication's key lacked its agreement: the memorandum's daily report of a day took
    the trilateral's (found stored: the schedule skipped it; generated by hand: revision 2
    of the other's). Each agreement's report of a day is its own, from revision 1."""
    schedule = [(Edition.PUBLIC, "en", OutputFormat.HTML)]
    evening = datetime(2020, 11, 26, 17, 0, tzinfo=UTC)
    (first,) = publishing.publish_due(ctx, evening, schedule)
    assert (first.agreement_id, first.period, first.revision) == (AGREEMENT, "daily:2020-11-26", 1)
    # The centre starts monitoring the memorandum too: its report of the same day is due.
    grant_monitor(ctx, "rus", MEMORANDUM)
    (second,) = publishing.publish_due(ctx, evening, schedule)
    assert (second.agreement_id, second.period, second.revision) == (
        MEMORANDUM,
        "daily:2020-11-26",
        1,
    )
    assert publishing.publish_due(ctx, evening, schedule) == []
    # By hand, each agreement's report of the day is found as stored, neither a revision of
    # the other's.
    for agreement_id, stored in ((AGREEMENT, first), (MEMORANDUM, second)):
        again = publishing.generate(
            ctx,
            OPERATOR,
            publishing.Request(
                Kind.DAILY, Edition.PUBLIC, "en", OutputFormat.HTML, agreement_id, day=DAY
            ),
        ).publication
        assert (again.id, again.revision, again.created) == (stored.id, 1, False)
    assert verify(ctx).ok
    # The agreement is part of what was ledgered: moving a report to the other one in SQL
    # is found.
    with ctx.unit_of_work() as session:
        row = session.get(PublicationRow, second.id)
        assert row is not None
        row.agreement_id = AGREEMENT
        row.revision = 2
    assert any("agreement_id" in f.message for f in verify(ctx).findings)


def test_no_one_publishes_a_period_before_its_cut_off_to_pre_empt_the_schedule(
    ctx: ServiceContext, cast: Cast, day: Day
) -> None:
    """As Azerbaijan's liaison: publishing tomorrow's public daily report today stored an
    edition of a period not over yet (empty, or missing the rest of the day) under the key
    the schedule then finds taken, so the centre never published the real one. A period's
    report is generated once its cut-off has passed, by anyone; the schedule publishes it."""
    zone = "Europe/Moscow"
    ahead = datetime.now(ZoneInfo(zone)).date() + timedelta(days=2)
    early = publishing.Request(
        Kind.DAILY, Edition.PUBLIC, "en", OutputFormat.HTML, AGREEMENT, day=ahead
    )
    for viewer in (cast.viewer(ctx, "aze"), OPERATOR):
        with pytest.raises(InvalidInput) as refused:
            publishing.generate(ctx, viewer, early)
        assert refused.value.details[0]["loc"] == "date"
    week = publishing.Request(
        Kind.WEEKLY, Edition.INTERNAL, "en", OutputFormat.HTML, AGREEMENT, day=ahead
    )
    with pytest.raises(InvalidInput):
        publishing.generate(ctx, cast.viewer(ctx, "tur"), week)
    after_cut_off = daily_period(ahead, zone).end + timedelta(hours=1)
    schedule = [(Edition.PUBLIC, "en", OutputFormat.HTML)]
    published = publishing.publish_due(ctx, after_cut_off, schedule)
    assert [p.period for p in published] == [f"daily:{ahead.isoformat()}"]


def test_a_monitor_that_is_a_liaison_elsewhere_reads_no_monitors_edition(
    ctx: ServiceContext, cast: Cast, day: Day
) -> None:
    """Posts belong to no agreement and are read with a member's narrowest role. Turkey
    monitors this agreement but becomes a party liaison in another: it may no longer read the
    monitors' internal post, so it must not read it through the monitors' stored edition,
    whose map places every post Russia (a monitor alone) reads."""
    hidden = ObservationPost(
        id="rus-ridge",
        name="Ridge post",
        owners=("rus",),
        location=GeoPoint(46.93, 39.99),
        active_from=datetime(2020, 11, 1, tzinfo=UTC),
        classification=Classification.INTERNAL,
    )
    posts.add_post(ctx, OPERATOR, hidden)
    grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id="tur",
            agreement_id="other-agreement",
            role=Role.PARTY_LIAISON,
            party="AZE",
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        ),
    )
    turkey = cast.viewer(ctx, "tur")
    assert "rus-ridge" not in {p.id for p in posts.list_posts(ctx, turkey)}
    monitors = publishing.generate(ctx, cast.viewer(ctx, "rus"), request(Edition.INTERNAL))
    assert monitors.publication.audience == "monitors"
    reader, _ = publishing.reader_of(ctx, cast.viewer(ctx, "rus"), request(Edition.INTERNAL))
    assert "rus-ridge" in {
        p["id"] for p in publishing.digest_of(ctx, reader, request(Edition.INTERNAL)).posts
    }
    with pytest.raises(NotFound):
        publishing.get_publication(ctx, turkey, monitors.publication.id)
    assert monitors.publication.id not in {p.id for p in publishing.list_publications(ctx, turkey)}
    # Its own internal edition is its own, composed with what it reads.
    own = publishing.generate(ctx, turkey, request(Edition.INTERNAL))
    assert own.publication.audience == "member:tur"
    reader, _ = publishing.reader_of(ctx, turkey, request(Edition.INTERNAL))
    assert "rus-ridge" not in {
        p["id"] for p in publishing.digest_of(ctx, reader, request(Edition.INTERNAL)).posts
    }
