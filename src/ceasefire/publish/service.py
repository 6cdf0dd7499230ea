"""Publishing use cases: generate a report, store it, hash it, ledger it; list and serve the
stored ones; generate what the schedule says is due.

A publication's key is its agreement, kind, period, edition, language, audience and format
(two agreements' daily reports of a day are two publications, each from revision 1). The first
generation stores revision 1 and appends a ``publish:report:generated`` entry with its
SHA-256; generating the same key again from the same data finds the same bytes and returns
the stored revision (nothing new is written); from changed data it stores the next
revision. The schedule only generates keys that have no revision yet, so a restart neither
skips nor repeats a report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from ceasefire.access import Role, Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.config import Settings
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, NotFound, Unauthorized, problem
from ceasefire.i18n import LANGUAGES
from ceasefire.i18n.markers import N_
from ceasefire.ids import new_id
from ceasefire.incidents.service import readable_incidents
from ceasefire.ledger.service import append
from ceasefire.members.scope import ReadScope, current_agreements, first_kept
from ceasefire.members.service import actor_of
from ceasefire.publish.compose import Digest, compose, compose_spot, mask_for_monitors
from ceasefire.publish.events import PublishTag, ReportGenerated, ReportWithdrawn
from ceasefire.publish.model import (
    DEFAULT_CUTOFF,
    Edition,
    Kind,
    OutputFormat,
    Period,
    daily_period,
    last_cutoff_day,
    monthly_period,
    weekly_period,
)
from ceasefire.publish.render import GENERATOR, render_html, render_pdf
from ceasefire.publish.schemas import PublicationPublic
from ceasefire.publish.tables import PublicationRow
from ceasefire.timeutil import utcnow

if TYPE_CHECKING:
    from ceasefire.incidents.tables import IncidentRow

PUBLIC_AUDIENCE = "public"
MONITORS_AUDIENCE = "monitors"
SCHEDULE_ACTOR = Actor.centre(user_id="schedule")
"""Who the schedule publishes as: the centre, told apart from an operator's own requests
(a report an operator asks for by hand is not the schedule's, and must not move it)."""


def _generated_by(actor: Actor) -> str:
    return f"{actor.member_id}/{actor.user_id}" if actor.user_id else actor.member_id


@dataclass(frozen=True)
class Request:
    """What to publish: a periodic report of an agreement, or a spot report."""

    kind: Kind
    edition: Edition
    lang: str = "en"
    format: OutputFormat = OutputFormat.PDF
    agreement_id: str | None = None
    day: date | None = None
    incident_id: str | None = None
    cutoff: time = DEFAULT_CUTOFF


@dataclass(frozen=True)
class Generated:
    publication: PublicationPublic
    content: bytes


def _check(request: Request) -> None:
    if request.lang not in LANGUAGES:
        raise InvalidInput.worded(
            N_("language %(lang)s: one of %(names)s"),
            details=[problem("lang", N_("one of %(items)s"), items=", ".join(LANGUAGES))],
            lang=repr(request.lang),
            names=", ".join(LANGUAGES),
        )
    if request.kind is Kind.SPOT:
        if not request.incident_id:
            raise InvalidInput.worded(
                N_("a spot report names its incident"),
                details=[problem("incident_id", N_("required"))],
            )
    elif request.day is None:
        raise InvalidInput.worded(
            N_("the report's date is missing"), details=[problem("date", N_("required"))]
        )


def reader_of(ctx: ServiceContext, viewer: Viewer, request: Request) -> tuple[Viewer, str]:
    """Who the report is read as, and its audience: the public edition as the public
    whoever asks; the internal one as the asking member (monitors of the agreement and
    operators share one audience, since they read the same)."""
    if request.edition is Edition.PUBLIC:
        return Viewer.public(), PUBLIC_AUDIENCE
    if viewer.is_public:
        raise Unauthorized.worded(N_("the internal edition is for members: send an API token"))
    if viewer.operator:
        return viewer, MONITORS_AUDIENCE
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        if request.agreement_id and _of_monitors_audience(scope, request.agreement_id):
            return viewer, MONITORS_AUDIENCE
    return viewer, f"member:{viewer.member_id}"


def _of_monitors_audience(scope: ReadScope, agreement_id: str | None) -> bool:
    """Whether the viewer reads an agreement's internal edition as its monitors' shared
    audience reads it: an operator, or a monitor of the agreement holding no narrower role
    elsewhere. An edition's posts belong to no agreement and are read with the member's
    narrowest role (``members.posts``), so a member that monitors A but is a party liaison in
    B reads fewer posts than A's other monitors: it neither reads their edition (whose map
    places posts it may not read) nor writes one for them (it gets its own)."""
    if scope.viewer.operator:
        return True
    return scope.is_monitor(agreement_id) and all(r.role is Role.MONITOR for r in scope.roles)


def default_agreement(ctx: ServiceContext) -> str:
    """The agreement a report is about when none is named: the one the centre monitors."""
    with ctx.reader() as session:
        held = sorted(current_agreements(session.connection(), utcnow()))
    if len(held) == 1:
        return held[0]
    raise InvalidInput.worded(
        N_("name the agreement (--agreement): the centre monitors %(agreements)s")
        if held
        else N_("name the agreement (--agreement): the centre monitors none yet"),
        details=[problem("agreement", N_("required"))],
        agreements=", ".join(held),
    )


def period_of(ctx: ServiceContext, request: Request) -> Period:
    assert request.agreement_id is not None
    assert request.day is not None
    zone = agreements.get_agreement(ctx, request.agreement_id).agreement.effective.time_zone
    make = {Kind.DAILY: daily_period, Kind.WEEKLY: weekly_period, Kind.MONTHLY: monthly_period}
    return make[request.kind](request.day, zone, request.cutoff)


def check_period_over(ctx: ServiceContext, request: Request, now: datetime) -> None:
    """Refuse a periodic report whose period has not ended at ``now`` (its cut-off is still
    to come), whoever asks: stored, it would take the key the schedule publishes the whole
    period under (``due_requests`` skips a key already stored), so a member could pre-empt
    the centre's report of a day with an empty or partial one."""
    if request.kind is Kind.SPOT:
        return
    period = period_of(ctx, request)
    if period.end > now:
        raise InvalidInput.worded(
            N_("the %(kind)s report of %(day)s is published after its cut-off (%(end)s)"),
            details=[problem("date", N_("its period ends at %(end)s"), end=period.end.isoformat())],
            kind=request.kind.value,
            day=request.day,
            end=period.end.isoformat(),
        )


def digest_of(ctx: ServiceContext, reader: Viewer, request: Request) -> Digest:
    """The digest a request describes, read as ``reader``."""
    if request.kind is Kind.SPOT:
        assert request.incident_id is not None
        return compose_spot(ctx, reader, incident_id=request.incident_id, edition=request.edition)
    assert request.agreement_id is not None
    return compose(
        ctx,
        reader,
        agreement_id=request.agreement_id,
        period=period_of(ctx, request),
        edition=request.edition,
    )


def render(digest: Digest, request: Request) -> tuple[bytes, str]:
    """The content in the requested format, and the SHA-256 of the HTML it came from."""
    html = render_html(digest, request.lang)
    html_sha256 = hashlib.sha256(html.encode("utf-8")).hexdigest()
    if request.format is OutputFormat.HTML:
        return html.encode("utf-8"), html_sha256
    return render_pdf(html), html_sha256


def generate(
    ctx: ServiceContext,
    viewer: Viewer,
    request: Request,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Generated:
    """Generate, store and ledger one report (or return the stored one with the same
    content). Members only: a stored publication is a change of the record. A periodic
    report only once its period is over at ``now`` (default: the present;
    ``check_period_over``)."""
    if request.kind is not Kind.SPOT and request.agreement_id is None:
        request = Request(**{**request.__dict__, "agreement_id": default_agreement(ctx)})
    _check(request)
    check_period_over(ctx, request, now or utcnow())
    actor = actor or actor_of(viewer)
    reader, audience = reader_of(ctx, viewer, request)
    digest = digest_of(ctx, reader, request)
    if audience == MONITORS_AUDIENCE:
        digest = mask_for_monitors(ctx, digest, utcnow())
    content, html_sha256 = render(digest, request)
    return store(ctx, digest, request, audience, content, html_sha256, actor)


def _public(row: PublicationRow, *, created: bool) -> PublicationPublic:
    return shape_of(PublicationPublic, row, created=created)


PublicationKey = dict[str, str | None]
"""The columns that name a publication (``uq_publications_key`` without the revision)."""


def _latest(session: Session, key: PublicationKey) -> PublicationRow | None:
    return session.scalars(
        select(PublicationRow).filter_by(**key).order_by(PublicationRow.revision.desc()).limit(1)
    ).first()


def _key(request: Request, period: str, audience: str, agreement_id: str | None) -> PublicationKey:
    return {
        "agreement_id": agreement_id,
        "kind": request.kind.value,
        "period": period,
        "edition": request.edition.value,
        "lang": request.lang,
        "audience": audience,
        "format": request.format.value,
    }


def store(
    ctx: ServiceContext,
    digest: Digest,
    request: Request,
    audience: str,
    content: bytes,
    html_sha256: str,
    actor: Actor,
) -> Generated:
    sha256 = hashlib.sha256(content).hexdigest()
    period = f"spot:{request.incident_id}" if request.kind is Kind.SPOT else digest.period.key
    key = _key(request, period, audience, digest.agreement_id or None)
    try:
        with ctx.unit_of_work() as session:
            latest = _latest(session, key)
            if latest is not None and latest.sha256 == sha256:
                return Generated(_public(latest, created=False), content)
            row = PublicationRow(
                id=new_id("pub"),
                revision=(latest.revision + 1) if latest else 1,
                period_start=digest.period.start,
                period_end=digest.period.end,
                content=content,
                sha256=sha256,
                html_sha256=html_sha256,
                generator=GENERATOR,
                generated_at=utcnow(),
                generated_by=_generated_by(actor),
                ledger_seq=0,
                incident_ids=json.dumps(sorted({item.id for item in digest.items})),
                **key,
            )
            payload: ReportGenerated = {
                "publication_id": row.id,
                "kind": row.kind,
                "period": row.period,
                "edition": row.edition,
                "lang": row.lang,
                "audience": row.audience,
                "format": row.format,
                "revision": row.revision,
                "agreement_id": row.agreement_id,
                "sha256": sha256,
                "html_sha256": html_sha256,
                "generator": GENERATOR,
            }
            row.ledger_seq = append(
                session,
                ctx.settings,
                tag=PublishTag.GENERATED,
                subject=f"publication/{row.id}",
                payload=payload,
                actor=actor,
            )
            session.add(row)
            session.flush()
            return Generated(_public(row, created=True), content)
    except sa_exc.IntegrityError:
        # Another process stored this revision first (two schedulers): theirs stands.
        with ctx.reader() as session:
            stored = _latest(session, key)
            assert stored is not None
            return Generated(_public(stored, created=False), stored.content)


# ------------------------------------------------------------------------------ reads


def _may_read(session: Session, viewer: Viewer, row: PublicationRow) -> bool:
    if viewer.operator:
        return True
    return _of_audience(session, viewer, row) and not withdrawn_from(session, viewer, row)


def _of_audience(session: Session, viewer: Viewer, row: PublicationRow) -> bool:
    if row.audience == PUBLIC_AUDIENCE:
        return True
    if viewer.is_public:
        return False
    if row.audience == f"member:{viewer.member_id}":
        return _reads_as_when_generated(session, viewer, row)
    if row.audience == MONITORS_AUDIENCE:
        return _of_monitors_audience(ReadScope.load(session, viewer), row.agreement_id)
    return False


def named_incidents(row: PublicationRow) -> set[str]:
    """The incidents a stored publication names (none known for a periodic edition stored
    before they were recorded)."""
    return set(json.loads(row.incident_ids)) if row.incident_ids else set()


def withdrawn_from(session: Session, viewer: Viewer, row: PublicationRow) -> bool:
    """Whether the edition is withdrawn from ``viewer``: it names an incident the viewer no
    longer reads (made internal, or no longer shared with the viewer's party, after it was
    generated). The stored content is what was published and is never altered (its hash is
    in the ledger), so a reader that may no longer read an item does not read the edition;
    who still reads every incident it names (the monitors) still does, and it is read again
    once the incident is."""
    named = named_incidents(row)
    return bool(named) and readable_incidents(session, viewer, named) != named


def _reads_as_when_generated(session: Session, viewer: Viewer, row: PublicationRow) -> bool:
    """Whether the member reads the publication's agreement now with the role (and party)
    it held when its own internal edition was generated: the edition holds what that role
    read. A member whose role ended (removed from the agreement, suspended) or changed no
    longer reads it, as it no longer reads the records themselves; the monitors' edition
    is judged on the role now too (``_of_monitors_audience``)."""
    then = ReadScope.load(session, viewer, row.generated_at).viewer_for(row.agreement_id)
    now = ReadScope.load(session, viewer).viewer_for(row.agreement_id)
    return (then.role, then.party) == (now.role, now.party)


def readable_publications(
    session: Session, viewer: Viewer, publication_ids: Iterable[str]
) -> set[str]:
    """Of ``publication_ids``, those ``viewer`` may read (``GET /api/v1/publications/{id}``'s
    rule): what the ledger shows of a publication's entry (its kind, period, audience and
    digests) goes through it. The content is not loaded."""
    ids = set(publication_ids)
    if not ids:
        return set()
    rows = session.scalars(
        select(PublicationRow)
        .options(
            load_only(
                PublicationRow.id,
                PublicationRow.audience,
                PublicationRow.agreement_id,
                PublicationRow.incident_ids,
            )
        )
        .where(PublicationRow.id.in_(ids))
    )
    return {row.id for row in rows if _may_read(session, viewer, row)}


def list_publications(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    kind: Kind | None = None,
    period: str | None = None,
    limit: int = 100,
) -> list[PublicationPublic]:
    """Stored publications the viewer may read, newest first."""
    limit = max(1, min(limit, 1000))
    with ctx.reader() as session:
        query = select(PublicationRow).order_by(
            PublicationRow.generated_at.desc(), PublicationRow.id.desc()
        )
        if viewer.is_public:
            query = query.where(PublicationRow.audience == PUBLIC_AUDIENCE)
        elif not viewer.operator:
            # Another member's own edition is never the viewer's (``_of_audience``).
            audiences = (PUBLIC_AUDIENCE, MONITORS_AUDIENCE, f"member:{viewer.member_id}")
            query = query.where(PublicationRow.audience.in_(audiences))
        if kind is not None:
            query = query.where(PublicationRow.kind == kind.value)
        if period is not None:
            query = query.where(PublicationRow.period == period)

        def readable(rows: Sequence[PublicationRow]) -> list[PublicationRow]:
            return [row for row in rows if _may_read(session, viewer, row)]

        return [_public(row, created=False) for row in first_kept(session, query, readable, limit)]


def get_publication(ctx: ServiceContext, viewer: Viewer, publication_id: str) -> Generated:
    """One stored publication with its content (NotFound also when not the viewer's)."""
    with ctx.reader() as session:
        row = session.get(PublicationRow, publication_id)
        if row is not None and viewer.operator:
            return Generated(_public(row, created=False), row.content)
        if row is not None and _of_audience(session, viewer, row):
            if withdrawn_from(session, viewer, row):
                raise NotFound.unknown(
                    N_("publication %(id)s withdrawn: it names an incident you no longer read"),
                    publication_id,
                    field="publication_id",
                    reason=N_("withdrawn"),
                )
            return Generated(_public(row, created=False), row.content)
        raise NotFound.unknown(
            N_("no publication %(id)s"),
            publication_id,
            field="publication_id",
            reason=N_("unknown"),
        )


def _audience_scope(session: Session, row: PublicationRow) -> ReadScope | None:
    """How the publication's audience reads now: the public, or the member of a member's
    own edition; ``None`` for the monitors' audience, which reads every classification."""
    if row.audience == PUBLIC_AUDIENCE:
        return ReadScope.load(session, Viewer.public())
    member = row.audience.removeprefix("member:")
    if member == row.audience:
        return None
    return ReadScope.load(session, Viewer(member_id=member))


def on_incident_classified(
    session: Session, settings: Settings, incident: IncidentRow, before: str, actor: Actor
) -> None:
    """The ``incident_classified`` hook: a ``publish:report:withdrawn`` entry for each stored
    publication naming the incident whose audience read it before and no longer does (the
    read rule itself is :func:`withdrawn_from`; this puts the fact on the ledger)."""
    named = session.scalars(
        select(PublicationRow)
        .options(load_only(PublicationRow.id, PublicationRow.audience, PublicationRow.incident_ids))
        .where(PublicationRow.incident_ids.contains(json.dumps(incident.id), autoescape=True))
        .order_by(PublicationRow.generated_at, PublicationRow.id)
    )
    for row in named:
        scope = _audience_scope(session, row)
        if incident.id not in named_incidents(row) or scope is None:
            continue
        read_before = scope.can_read(
            before,
            concerns=incident.concerns,
            owner_member=incident.owner_member,
            agreement_id=incident.agreement_id,
        )
        if read_before and not scope.can_read_record(incident):
            payload: ReportWithdrawn = {
                "publication_id": row.id,
                "audience": row.audience,
                "incident_id": incident.id,
                "classification": incident.classification,
            }
            append(
                session,
                settings,
                tag=PublishTag.WITHDRAWN,
                subject=f"publication/{row.id}",
                payload=payload,
                actor=actor,
            )


# ------------------------------------------------------------------------------ schedule

SCHEDULE: tuple[tuple[Edition, str, OutputFormat], ...] = (
    (Edition.PUBLIC, "en", OutputFormat.PDF),
    (Edition.PUBLIC, "ru", OutputFormat.PDF),
    (Edition.PUBLIC, "tr", OutputFormat.PDF),
    (Edition.INTERNAL, "en", OutputFormat.PDF),
)
"""What the schedule publishes at each cut-off (the internal edition for the monitors)."""


def _last_scheduled(session: Session, agreement_id: str) -> date | None:
    period = session.scalar(
        select(func.max(PublicationRow.period)).where(
            PublicationRow.kind == Kind.DAILY.value,
            PublicationRow.agreement_id == agreement_id,
            PublicationRow.generated_by == _generated_by(SCHEDULE_ACTOR),
        )
    )
    return date.fromisoformat(period.split(":", 1)[1]) if period else None


def _exists(session: Session, key: PublicationKey) -> bool:
    return _latest(session, key) is not None


def due_requests(
    ctx: ServiceContext,
    now: datetime,
    schedule: Sequence[tuple[Edition, str, OutputFormat]] = SCHEDULE,
) -> list[Request]:
    """Every scheduled report whose cut-off has passed and that is not stored yet: from
    the day after the last scheduled daily report (the latest cut-off when there is none)
    to the latest cut-off; weekly summaries on Sundays, monthly on a month's last day."""
    with ctx.reader() as session:
        monitored = sorted(current_agreements(session.connection(), now))
    wanted: list[Request] = []
    for agreement_id in monitored:
        zone = agreements.get_agreement(ctx, agreement_id).agreement.effective.time_zone
        last = last_cutoff_day(now, zone)
        with ctx.reader() as session:
            previous = _last_scheduled(session, agreement_id)
            # The last cut-off is looked at again: an output that failed there is retried.
            day = last if previous is None else min(previous + timedelta(days=1), last)
            while day <= last:
                kinds = [(Kind.DAILY, daily_period(day, zone))]
                if day.weekday() == 6:
                    kinds.append((Kind.WEEKLY, weekly_period(day, zone)))
                if (day + timedelta(days=1)).month != day.month:
                    kinds.append((Kind.MONTHLY, monthly_period(day, zone)))
                for kind, period in kinds:
                    for edition, lang, fmt in schedule:
                        audience = (
                            PUBLIC_AUDIENCE if edition is Edition.PUBLIC else MONITORS_AUDIENCE
                        )
                        due = Request(kind, edition, lang, fmt, agreement_id, day=day)
                        if not _exists(session, _key(due, period.key, audience, agreement_id)):
                            wanted.append(due)
                day += timedelta(days=1)
    return wanted


def publish_due(
    ctx: ServiceContext,
    now: datetime | None = None,
    schedule: Sequence[tuple[Edition, str, OutputFormat]] = SCHEDULE,
) -> list[PublicationPublic]:
    """Generate every scheduled report that is due (``ceasefire publish due`` and the
    server's background task); as the centre, the internal edition for the monitors."""
    centre = Viewer.cli_operator()
    now = now or utcnow()
    return [
        generate(ctx, centre, request, actor=SCHEDULE_ACTOR, now=now).publication
        for request in due_requests(ctx, now, schedule)
    ]
