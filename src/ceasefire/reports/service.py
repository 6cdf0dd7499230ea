"""Reports: receive, read and list raw observations; attach evidence files.

The stable entry points other areas call:

- :func:`submit_report` — the whole use case for one report (permission, validation,
  idempotency, storage, ledger) in its own unit of work. The news pipeline calls it with
  ``body["channel"] == "news"`` and an idempotency key derived from the article and event,
  so re-ingesting an article never duplicates a report.
- :func:`record_report` — the same storage and ledger step *inside a caller's unit of work*
  (for services that write a report together with records of their own).

Idempotency: a report may carry an ``Idempotency-Key`` (HTTP header) or a
``client_report_id`` (in the body). The key is unique per submitting member. The same key
with the same content returns the report already stored (``created=False``); the same key
with different content is a ``Conflict`` (HTTP 409) and changes nothing.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    column,
    func,
    insert,
    null,
    or_,
    select,
    table,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from ceasefire.access import Classification, Viewer
from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.db.health import unavailable_for
from ceasefire.db.paging import id_pages
from ceasefire.errors import (
    CeasefireError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Wording,
    problem,
)
from ceasefire.i18n.markers import N_
from ceasefire.ids import check_cursor, mask_record_ids, new_id, record_ids_in
from ceasefire.ledger.service import NewEntry, add_ledgered, append_many
from ceasefire.members import posts as posts_service
from ceasefire.members.auth import callers_for_tokens
from ceasefire.members.grid import within
from ceasefire.members.posts import KnownSources
from ceasefire.members.schemas import PostPublic, SensorPublic
from ceasefire.members.scope import ReadScope, current_agreements
from ceasefire.members.service import actor_of
from ceasefire.reports import mediatypes
from ceasefire.reports.attachments import AttachmentStore
from ceasefire.reports.events import AttachmentReceived, ReportReceived, ReportTag
from ceasefire.reports.model import (
    MAX_IDEMPOTENCY_KEY,
    Channel,
    ReportContent,
    content_from_dict,
    redact_for_public,
    validate_report,
)
from ceasefire.reports.schemas import AttachmentPublic, ReportPublic, ReportRedacted
from ceasefire.reports.tables import AttachmentRow, FusionQueueRow, IncidentReportRow, ReportRow
from ceasefire.reports.uploads import over_quota
from ceasefire.timeutil import utcnow

log = logging.getLogger(__name__)

MAX_LIST_LIMIT = 500

# Who may file through which channel. Observers watch; they do not file.
MONITOR_CHANNELS = frozenset(
    {
        Channel.MONITOR_OBSERVATION,
        Channel.SENSOR_DETECTION,
        Channel.PUBLIC_HOTLINE,
        Channel.NEWS,
        Channel.CSV_IMPORT,
    }
)


@dataclass(frozen=True)
class SubmittedReport:
    report: ReportPublic
    created: bool


@dataclass(frozen=True)
class ReportPage:
    items: list[ReportPublic | ReportRedacted]
    next_cursor: str | None


def report_row_values(
    content: ReportContent,
    *,
    report_id: str,
    owner_member: str,
    submitted_by: str | None,
    idempotency_key: str | None,
    received_at: datetime,
    canonical: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The column values of a submitted report's row (a CSV import writes its rows through
    ``reports.imports``, with the file's hash). ``canonical`` (``content.canonical()``) is
    passed when the caller has it already.
    """
    text, digest = canonical or content.canonical()
    return {
        "id": report_id,
        "owner_member": owner_member,
        "submitted_by": submitted_by,
        "idempotency_key": idempotency_key,
        "received_at": received_at,
        **content.query_fields(),
        "content": text,
        "content_sha256": digest,
        "import_file_sha256": None,
    }


def report_ledger_payload(row: ReportRow | Mapping[str, Any]) -> ReportReceived:
    """What the ledger records of a received report: enough to detect any later edit."""

    def get(name: str) -> Any:
        return row[name] if isinstance(row, Mapping) else getattr(row, name)

    return ReportReceived(
        {
            "report_id": get("id"),
            "content_sha256": get("content_sha256"),
            "channel": get("channel"),
            "category": get("category"),
            "classification": get("classification"),
            "owner_member": get("owner_member"),
            "idempotency_key": get("idempotency_key"),
            "received_at": get("received_at").isoformat(),
        }
    )


def check_idempotency_key(key: str | None, field_name: str) -> str | None:
    """A client's idempotency key, stripped; 1-200 printable characters or a 422 naming
    ``field_name``."""
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise InvalidInput.worded(
            N_("%(field_name)s must be 1-%(max_idempotency_key)s printable characters"),
            details=[problem(field_name, N_("empty, too long or not printable"))],
            field_name=field_name,
            max_idempotency_key=MAX_IDEMPOTENCY_KEY,
        )
    return key


def check_may_file(scope: ReadScope, content: ReportContent) -> ReportContent:
    """Refuse channels the viewer may not file through; a complaint concerns its own party."""
    if scope.viewer.is_public:
        raise Forbidden.worded(N_("sign in to file reports"))
    party = check_channel(scope, content.channel, content.agreement_id)
    if content.channel is not Channel.PARTY_COMPLAINT or scope.viewer.operator:
        return content
    assert party is not None
    if content.classification is Classification.PUBLIC:
        # Published, the complaint would be in the centre's open data and public lists
        # at once: one party's allegation against the other, in the centre's name,
        # before any monitor read it. What is published the monitors decide (they make
        # an incident public); a complaint is shared or internal.
        raise Forbidden.worded(
            N_("a party complaint is not filed as public: the monitors decide what is published"),
            details=[problem("classification", N_("shared or internal for a party complaint"))],
        )
    if party not in content.concerns:
        # A party's complaint concerns that party: it always sees its own complaints.
        return _with_concerns(content, (*content.concerns, party))
    return content


def check_channel(scope: ReadScope, channel: Channel, agreement_id: str | None) -> str | None:
    """Refuse a channel the viewer may not file through in ``agreement_id``: a party
    complaint is a party liaison's (or an operator's), every other channel a monitor's. The
    complainant's party, for a complaint. One rule for a report filed alone, in a batch, and
    for each row of a CSV import (``reports.imports``)."""
    if channel is Channel.PARTY_COMPLAINT:
        party = scope.liaison_party(agreement_id)
        if party is None and not scope.viewer.operator:
            raise Forbidden.worded(
                N_("only a party liaison files party complaints"),
                details=[problem("channel", N_("party_complaint needs a party liaison"))],
            )
        return party
    if not scope.is_monitor(agreement_id):
        raise Forbidden.worded(
            N_("only monitors file reports of channel %(channel)s"),
            details=[problem("channel", N_("%(channel)s needs a monitor"), channel=channel.value)],
            channel=channel.value,
        )
    return None


def _with_concerns(content: ReportContent, concerns: Iterable[str]) -> ReportContent:
    from dataclasses import replace

    return replace(content, concerns=tuple(sorted(set(concerns))))


# Built once: constructing a statement costs more than running it on an indexed column.
_BY_KEYS = select(ReportRow.id, ReportRow.idempotency_key, ReportRow.content_sha256).where(
    ReportRow.owner_member == bindparam("owner"),
    ReportRow.idempotency_key.in_(bindparam("keys", expanding=True)),
)
REPORTS_TABLE: Table = ReportRow.__table__  # type: ignore[assignment]


def record_report(
    session: Session,
    settings: Settings,
    *,
    content: ReportContent,
    actor: Actor,
    idempotency_key: str | None,
    received_at: datetime | None = None,
) -> tuple[ReportPublic, bool]:
    """Store one validated report and its ledger entry inside the caller's unit of work.

    Returns the report and whether it was created. A known key with the same content
    returns the stored report; with different content it raises ``Conflict``. The caller
    has checked that ``actor`` may file it (see :func:`check_may_file`).
    """
    (outcome,) = _store(
        session,
        settings,
        [_Pending(actor, content, idempotency_key, content.canonical())],
        received_at=received_at,
    )
    if isinstance(outcome, CeasefireError):
        raise outcome
    return outcome.report, outcome.created


@dataclass(frozen=True)
class Submission:
    """One report to file: who files it, the body as received, and its retry key.

    The filer is a ``viewer`` already authenticated, or the API ``token`` it presented:
    :func:`file_reports` then resolves the tokens of a whole batch in one look-up, and a
    token that is unknown, expired or revoked is that submission's Unauthorized.
    """

    body: Mapping[str, Any]
    idempotency_key: str | None = None
    viewer: Viewer | None = None
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.viewer is None) == (self.token is None):
            raise ValueError("a submission has either a viewer or a token")


@dataclass
class _Ready:
    index: int
    viewer: Viewer
    content: ReportContent
    key: str | None
    canonical: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class _Pending:
    """A validated report its filer may file, about to be stored."""

    actor: Actor
    content: ReportContent
    key: str | None
    canonical: tuple[str, str]


def submit_report(
    ctx: ServiceContext,
    viewer: Viewer,
    body: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> SubmittedReport:
    """Validate and file one report for ``viewer``; safe to retry with the same key.

    ``body`` is the JSON form documented in docs/intake.md; it may carry
    ``client_report_id``, which acts as the idempotency key when no header key is given.
    Raises InvalidInput (every bad field named), Forbidden (channel not allowed for the
    viewer's role), Conflict (key reused with a different body).
    """
    (outcome,) = file_reports(ctx, [Submission(body, idempotency_key, viewer=viewer)], now=now)
    if isinstance(outcome, CeasefireError):
        raise outcome
    return outcome


def file_reports(
    ctx: ServiceContext, submissions: Sequence[Submission], *, now: datetime | None = None
) -> list[SubmittedReport | CeasefireError]:
    """File several reports in one unit of work (group commit); one outcome each, in order.

    Each submission is judged alone, exactly as :func:`submit_report` judges one: an invalid
    body, a forbidden channel or a conflicting key is that submission's error and does not
    affect the others. The valid ones are written together: one transaction, one look-up
    of their keys, one multi-row insert and their ledger entries (one each). Two
    submissions with the same key in one batch are a retry of each other (same body) or a
    conflict, as if they had arrived one after the other.
    """
    now = now or utcnow()
    outcomes: list[SubmittedReport | CeasefireError | None] = [None] * len(submissions)
    tolerance = timedelta(seconds=ctx.settings.report_future_tolerance_s)
    tokens = [s.token for s in submissions if s.token is not None]
    callers = callers_for_tokens(ctx, tokens, at=now) if tokens else {}
    scopes: dict[Viewer, ReadScope] = {}
    agreements: frozenset[str] | None = None
    ready: list[_Ready] = []
    for index, submission in enumerate(submissions):
        try:
            if submission.viewer is not None:
                filer = submission.viewer
            else:
                caller = callers[submission.token or ""]
                if isinstance(caller, CeasefireError):
                    raise caller
                filer = caller.viewer
                # The token's look-up read the member's roles: no second look-up of them.
                if filer not in scopes:
                    if agreements is None:
                        with ctx.engine.connect() as conn:
                            agreements = current_agreements(conn, now)
                    scopes[filer] = ReadScope.of(filer, caller.roles, now, agreements=agreements)
            content, key = _validated(submission, now, tolerance)
            ready.append(_Ready(index, filer, content, key))
        except CeasefireError as exc:
            outcomes[index] = exc
    if any(item.viewer not in scopes for item in ready):
        with ctx.reader() as session:
            for item in ready:
                if item.viewer not in scopes:
                    scopes[item.viewer] = ReadScope.load(session, item.viewer, now)
    # Permissions are checked before queueing for the single writer, to keep its turn short.
    allowed = []
    for item in ready:
        try:
            item.content = check_may_file(scopes[item.viewer], item.content)
            item.canonical = _canonical(item.content)
            allowed.append(item)
        except CeasefireError as exc:
            outcomes[item.index] = exc
    ready = _with_known_sources(ctx, allowed, outcomes)
    if ready:
        try:
            with ctx.unit_of_work() as session:
                pending = [
                    _Pending(actor_of(r.viewer), r.content, r.key, r.canonical) for r in ready
                ]
                stored = _store(session, ctx.settings, pending)
                for item, outcome in zip(ready, stored, strict=True):
                    outcomes[item.index] = _as_filer_reads(session, scopes[item.viewer], outcome)
        except sa_exc.DBAPIError as exc:
            # The database refused the batch: a concurrent writer (another process, on
            # PostgreSQL) stored one of these keys meanwhile, or one row is one it cannot
            # take. File them one at a time, so that only the clashing one is judged against
            # what was stored first and only the refused one fails.
            if len(ready) == 1:
                outcomes[ready[0].index] = _alone_refused(ctx, ready[0], exc)
            else:
                for item in ready:
                    sub = submissions[item.index]
                    (outcomes[item.index],) = file_reports(ctx, [sub], now=now)
    assert all(o is not None for o in outcomes)
    return [o for o in outcomes if o is not None]


def _with_known_sources(
    ctx: ServiceContext,
    items: list[_Ready],
    outcomes: list[SubmittedReport | CeasefireError | None],
) -> list[_Ready]:
    """Of ``items``, those whose post and sensor their filer may name (``referenced_source``,
    the posts and sensors of the whole batch read at once); the others get their error."""
    if not any(i.content.post_id or i.content.sensor_id for i in items):
        return items
    with ctx.reader() as session:
        errors = checked_sources(session, [(i.viewer, i.content) for i in items])
    for item, error in zip(items, errors, strict=True):
        if error is not None:
            outcomes[item.index] = error
    return [item for item, error in zip(items, errors, strict=True) if error is None]


def _validated(
    submission: Submission, now: datetime, tolerance: timedelta
) -> tuple[ReportContent, str | None]:
    body = submission.body
    if not isinstance(body, Mapping):
        raise InvalidInput.worded(
            N_("a report must be a JSON object"), details=[problem("body", N_("not an object"))]
        )
    fields = dict(body)
    client_id = fields.pop("client_report_id", None)
    if client_id is not None and not isinstance(client_id, str):
        raise InvalidInput.worded(
            N_("client_report_id must be a string"),
            details=[problem("client_report_id", N_("must be a string"))],
        )
    key = check_idempotency_key(submission.idempotency_key, "Idempotency-Key")
    client_key = check_idempotency_key(client_id, "client_report_id")
    if key is not None and client_key is not None and key != client_key:
        raise InvalidInput.worded(
            N_("Idempotency-Key and client_report_id differ"),
            details=[problem("client_report_id", N_("differs from the Idempotency-Key header"))],
        )
    content = validate_report(fields, now=now, future_tolerance=tolerance)
    return content, key or client_key


def _store(
    session: Session,
    settings: Settings,
    pending: Sequence[_Pending],
    *,
    received_at: datetime | None = None,
) -> list[SubmittedReport | CeasefireError]:
    """Store reports and their ledger entries in the caller's unit of work; one outcome
    each: the report (created, or found under its key with the same content) or a Conflict.
    """
    known: dict[tuple[str, str], tuple[str, str]] = {}  # (owner, key) -> (id, digest)
    by_owner: dict[str, list[str]] = {}
    for item in pending:
        if item.key is not None:
            by_owner.setdefault(item.actor.member_id, []).append(item.key)
    for owner, keys in by_owner.items():
        rows = session.connection().execute(_BY_KEYS, {"owner": owner, "keys": keys})
        for found in rows:
            known[(owner, found.idempotency_key)] = (found.id, found.content_sha256)
    outcomes: list[SubmittedReport | CeasefireError] = []
    values: list[dict[str, Any]] = []
    entries: list[NewEntry] = []
    created: dict[str, ReportPublic] = {}
    received_at = received_at or utcnow()
    for item in pending:
        actor = item.actor
        text, digest = item.canonical
        if item.key is not None and (actor.member_id, item.key) in known:
            report_id, stored_digest = known[(actor.member_id, item.key)]
            if stored_digest != digest:
                outcomes.append(_conflict(item.key, report_id))
            elif report_id in created:  # a retry of a submission earlier in this batch
                outcomes.append(SubmittedReport(created[report_id], False))
            else:
                row = session.get(ReportRow, report_id)
                assert row is not None
                outcomes.append(SubmittedReport(_public(session, row), False))
            continue
        row_values = report_row_values(
            item.content,
            report_id=new_id("rep"),
            owner_member=actor.member_id,
            submitted_by=actor.user_id,
            idempotency_key=item.key,
            received_at=received_at,
            canonical=item.canonical,
        )
        values.append(row_values)
        entries.append(
            NewEntry(
                tag=ReportTag.RECEIVED,
                subject=f"report/{row_values['id']}",
                payload=report_ledger_payload(row_values),
                actor=actor,
            )
        )
        # A report just received has no attachments and belongs to no incident yet.
        report = _public_from(row_values, json.loads(text), [], None)
        created[report.id] = report
        if item.key is not None:
            known[(actor.member_id, item.key)] = (report.id, digest)
        outcomes.append(SubmittedReport(report, True))
    if values:
        session.connection().execute(insert(REPORTS_TABLE), values)
        enqueue_for_fusion(session, [v["id"] for v in values], at=received_at)
        append_many(session, settings, entries)
    return outcomes


def _conflict(key: str, report_id: str) -> Conflict:
    return Conflict.worded(
        N_("idempotency key %(key)s was used for a different report (%(report_id)s)"),
        details=[problem("idempotency_key", N_("already used with a different body"))],
        key=repr(key),
        report_id=report_id,
    )


def _canonical(content: ReportContent) -> tuple[str, str]:
    """The content's canonical form; text the encoder cannot write is this report's 422
    (validation refuses it first; this keeps any that slips through out of the batch)."""
    try:
        return content.canonical()
    except (UnicodeError, ValueError) as exc:
        raise InvalidInput.worded(
            N_("the report holds text that cannot be encoded"),
            details=[problem("body", N_("not valid Unicode text (a lone surrogate?)"))],
        ) from exc


def _alone_refused(
    ctx: ServiceContext, item: _Ready, error: sa_exc.DBAPIError
) -> SubmittedReport | CeasefireError:
    """The outcome of one submission the database refused on its own: the report its key
    already names (a race), or a coded error of this submission alone."""
    if isinstance(error, sa_exc.IntegrityError):
        try:
            return _after_race(ctx, item, error)
        except sa_exc.IntegrityError:
            pass
    if (unavailable := unavailable_for(error)) is not None:
        return unavailable  # the storage, not the report: read-only, full, busy, down
    log.error("the database refused a report: %s", error.orig)
    return CeasefireError.worded(
        N_("the database refused this report; the server log has the details")
    )


def _after_race(
    ctx: ServiceContext, item: _Ready, error: sa_exc.IntegrityError
) -> SubmittedReport | CeasefireError:
    """Two submissions with one key raced past the check: the loser reads the winner."""
    if item.key is None:
        raise error
    owner = actor_of(item.viewer).member_id
    with ctx.reader() as session:
        existing = session.scalars(
            select(ReportRow)
            .where(ReportRow.owner_member == owner)
            .where(ReportRow.idempotency_key == item.key)
        ).first()
        if existing is None:
            raise error
        if existing.content_sha256 != item.canonical[1]:
            return _conflict(item.key, existing.id)
        scope = ReadScope.load(session, item.viewer)
        return _as_filer_reads(session, scope, SubmittedReport(_public(session, existing), False))


def _as_filer_reads(
    session: Session, scope: ReadScope, outcome: SubmittedReport | CeasefireError
) -> SubmittedReport | CeasefireError:
    """A retry's answer -- the report stored under its key, as it stands now -- as its filer
    reads it (``presented``): the monitors may have grouped it into an incident the filer
    may not read since, whose id a party resubmitting its complaint must not be told."""
    if not isinstance(outcome, SubmittedReport) or outcome.created:
        return outcome
    (shown,) = presented(session, scope, [outcome.report])
    if not isinstance(shown, ReportPublic):  # a filer is a member: never redacted
        raise TypeError("a report's filer reads it whole")
    return SubmittedReport(shown, False)


def _attachments(session: Session, report_ids: list[str]) -> dict[str, list[AttachmentPublic]]:
    found: dict[str, list[AttachmentPublic]] = {rid: [] for rid in report_ids}
    if not report_ids:
        return found
    rows = session.scalars(
        select(AttachmentRow)
        .where(AttachmentRow.report_id.in_(report_ids))
        .order_by(AttachmentRow.id)
    )
    for row in rows:
        found[row.report_id].append(_attachment_public(row))
    return found


def _attachment_public(row: AttachmentRow) -> AttachmentPublic:
    return AttachmentPublic.model_validate(row, from_attributes=True)


# -- grouping into incidents: the incidents area's way into the reports' tables ----------


def referenced_reports(
    session: Session,
    scope: ReadScope,
    report_ids: Sequence[str],
    agreement_id: str | None,
    *,
    infer: bool = False,
    loc: str = "report_ids",
) -> tuple[list[ReportRow], str | None]:
    """The reports a record of ``agreement_id`` refers to, checked, and that agreement.

    Each report must exist and be readable by the scope's viewer (``NotFound`` otherwise, as
    if it did not exist), and belong to ``agreement_id`` itself (``InvalidInput`` naming
    ``loc``). With ``infer`` and no ``agreement_id`` the record takes the reports' agreement
    (they must share one). This is the one object-level check for every reference from an
    incident to reports: a member acting in agreement B never reaches a report of A.
    """
    rows: list[ReportRow] = []
    for rid in dict.fromkeys(report_ids):
        row = session.get(ReportRow, rid)
        if row is None or not scope.can_read_record(row):
            raise NotFound.worded(
                N_("no report %(id)s"),
                details=[problem(loc, N_("unknown %(rid)s"), rid=rid)],
                id=repr(rid),
            )
        rows.append(row)
    if infer and agreement_id is None:
        found = {r.agreement_id for r in rows}
        if len(found) > 1:
            names = ", ".join(sorted(a or "no agreement" for a in found))
            raise InvalidInput.worded(
                N_("the reports belong to different agreements; an incident has one"),
                details=[problem(loc, N_("reports of %(names)s"), names=names)],
            )
        agreement_id = found.pop() if found else None
    foreign = [r for r in rows if r.agreement_id != agreement_id]
    if foreign:
        raise InvalidInput.worded(
            N_("reports of another agreement cannot be grouped into a record of %(here)s"),
            details=[
                of_another_agreement(loc, r.id, r.agreement_id, agreement_id) for r in foreign
            ],
            here=agreement_named(agreement_id),
        )
    return rows, agreement_id


def agreement_named(agreement_id: str | None) -> str | Wording:
    """An agreement's id as a message names it; a record under none says so in words."""
    return agreement_id or Wording(N_("no agreement"))


def of_another_agreement(
    loc: str, record_id: str, its: str | None, here: str | None
) -> dict[str, Any]:
    """The detail of a reference to ``record_id`` (under agreement ``its``) from a record of
    agreement ``here``: a record refers only to records of its own agreement."""
    return problem(
        loc,
        N_("%(id)s belongs to %(agreement_id)s, not %(here)s"),
        id=record_id,
        agreement_id=agreement_named(its),
        here=agreement_named(here),
    )


class NamesSources(Protocol):
    """What a report names of where it came from: an observation post, a sensor."""

    @property
    def post_id(self) -> str | None: ...
    @property
    def sensor_id(self) -> str | None: ...


def referenced_source(
    sources: KnownSources, viewer: Viewer, post_id: str | None, sensor_id: str | None
) -> None:
    """The one check of a report's references to an observation post and a sensor, for the
    member filing it, on every intake path (``file_reports``, the news pipeline, CSV import).

    The post must exist and be one the filer may read (``GET /api/v1/posts/{id}``'s rule):
    otherwise ``NotFound`` naming ``post_id`` ("unknown post"), whether it does not exist or
    is hidden from the filer, as a sensor on a hidden post is refused. Reading is the bar:
    a joint centre's monitors file from each other's posts. A sensor must likewise exist
    and be readable (``NotFound`` naming ``sensor_id``); named with a post, it must be that
    post's (``InvalidInput``); and it must belong to the filer's member (attached to it, or
    to a post it owns: those who may add the sensor), or the filer be an operator
    (``Forbidden``): a detection comes from a member's own sensor, not one it can only see.
    """
    if post_id is not None and not sources.post_readable(viewer, post_id):
        raise NotFound.unknown(
            N_("no post %(id)s"), post_id, field="post_id", reason=N_("unknown post")
        )
    if sensor_id is None:
        return
    if not sources.sensor_readable(viewer, sensor_id):
        raise NotFound.unknown(
            N_("no sensor %(id)s"), sensor_id, field="sensor_id", reason=N_("unknown sensor")
        )
    on = sources.sensor_post(sensor_id)
    if post_id is not None and on != post_id:
        where = f"post {on}" if on else "a member, not a post"
        raise InvalidInput.worded(
            N_("sensor %(sensor_id)s is not on post %(post_id)s"),
            details=[
                problem(
                    "sensor_id",
                    N_("%(sensor_id)s is on %(where)s"),
                    sensor_id=sensor_id,
                    where=where,
                )
            ],
            sensor_id=repr(sensor_id),
            post_id=repr(post_id),
        )
    if not viewer.operator and viewer.member_id not in sources.sensor_owners(sensor_id):
        raise Forbidden.worded(
            N_("sensor %(sensor_id)s is not one of your member's"),
            details=[problem("sensor_id", N_("only the members it belongs to file from a sensor"))],
            sensor_id=repr(sensor_id),
        )


def reportable_sources(
    ctx: ServiceContext, viewer: Viewer
) -> tuple[list[PostPublic], list[SensorPublic]]:
    """The posts and the sensors ``viewer`` may name on a report (what the report form offers),
    each passed through ``referenced_source``, the check every intake path applies: the
    posts it may read (a liaison or an observer is never offered a member's internal post;
    monitors read, and so name, each other's), the sensors of its own member (all readable
    ones for an operator)."""
    if viewer.is_public:
        return [], []
    posts = posts_service.list_posts(ctx, viewer)
    sensors = posts_service.list_sensors(ctx, viewer)
    with ctx.reader() as session:
        sources = KnownSources.load(session, (p.id for p in posts), (s.id for s in sensors))

    def allowed(post_id: str | None, sensor_id: str | None) -> bool:
        try:
            referenced_source(sources, viewer, post_id, sensor_id)
        except CeasefireError:
            return False
        return True

    return (
        [p for p in posts if allowed(p.id, None)],
        [s for s in sensors if allowed(None, s.id)],
    )


def checked_sources(
    session: Session, filings: Sequence[tuple[Viewer, NamesSources]]
) -> list[CeasefireError | None]:
    """``referenced_source`` for several reports (filer, content), their posts and sensors
    read at once: ``None`` where the report may be filed, else its error."""
    sources = KnownSources.load(
        session,
        (c.post_id for _, c in filings if c.post_id),
        (c.sensor_id for _, c in filings if c.sensor_id),
    )
    found: list[CeasefireError | None] = []
    for viewer, content in filings:
        try:
            referenced_source(sources, viewer, content.post_id, content.sensor_id)
            found.append(None)
        except CeasefireError as exc:
            found.append(exc)
    return found


def report_row(session: Session, report_id: str) -> ReportRow | None:
    """The stored report ``report_id`` (unchecked: the caller applies the read rule)."""
    return session.get(ReportRow, report_id)


def rows_of_incident(session: Session, incident_id: str) -> list[ReportRow]:
    """The reports an incident groups, oldest first."""
    return list(
        session.scalars(
            select(ReportRow)
            .join(IncidentReportRow, IncidentReportRow.report_id == ReportRow.id)
            .where(IncidentReportRow.incident_id == incident_id)
            .order_by(ReportRow.id)
        )
    )


class GroupedFacts(NamedTuple):
    """The columns of a report its incident derives from, without the report's content."""

    id: str
    observed_start: datetime
    observed_end: datetime
    event_lat: float | None
    event_lon: float | None
    event_place: str | None
    event_precision: int
    concerns: str
    category: str
    classification: str
    alleged_perpetrator: str | None


GroupedReport: TypeAlias = ReportRow | GroupedFacts
"""What an incident derives from each of its reports (span, place, parties, category,
classification, alleged perpetrator): a stored report, or its ``GroupedFacts``."""


def grouped_facts_of(session: Session, incident_id: str) -> list[GroupedFacts]:
    """``GroupedFacts`` of the reports an incident groups, by report id: what fusion needs
    to re-derive an incident it adds a report to (as ``rows_of_incident``, without building
    a report object per member: an incident of a thousand reports took 90 ms a link)."""
    columns = [getattr(ReportRow, name) for name in GroupedFacts._fields]
    return [
        GroupedFacts(*row)
        for row in session.execute(
            select(*columns)
            .join(IncidentReportRow, IncidentReportRow.report_id == ReportRow.id)
            .where(IncidentReportRow.incident_id == incident_id)
            .order_by(ReportRow.id)
        )
    ]


def grouped_reports(session: Session, report_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(report id, incident id) of those of ``report_ids`` already in an incident."""
    if not report_ids:
        return []
    rows = session.execute(
        select(IncidentReportRow.report_id, IncidentReportRow.incident_id).where(
            IncidentReportRow.report_id.in_(list(report_ids))
        )
    ).all()
    return [(r.report_id, r.incident_id) for r in rows]


def link_reports(
    session: Session, incident_id: str, report_ids: Sequence[str], *, at: datetime, by: str
) -> None:
    """Record that the incident groups these reports (inside the caller's unit of work)."""
    for report_id in report_ids:
        session.add(
            IncidentReportRow(
                incident_id=incident_id, report_id=report_id, added_at=at, added_by=by
            )
        )
    session.flush()


def unlink_report(session: Session, incident_id: str, report_id: str) -> bool:
    """Take a report out of an incident; False when it was not in it."""
    link = session.get(IncidentReportRow, (incident_id, report_id))
    if link is None:
        return False
    session.delete(link)
    session.flush()
    return True


# -- the fusion queue: reports stored and not yet fused (see tables.FusionQueueRow) --------

FUSION_QUEUE_TABLE: Table = FusionQueueRow.__table__  # type: ignore[assignment]


def enqueue_for_fusion(session: Session, report_ids: Sequence[str], *, at: datetime) -> None:
    """Queue reports for fusion inside the caller's unit of work (the one storing them)."""
    if report_ids:
        session.connection().execute(
            insert(FUSION_QUEUE_TABLE), [{"report_id": r, "queued_at": at} for r in report_ids]
        )


def queued_for_fusion(session: Session, limit: int) -> list[ReportRow]:
    """The oldest ``limit`` queued reports (by id: the order they were stored in).

    On PostgreSQL their queue rows are locked until the caller's transaction ends, and rows
    another worker holds are skipped (``FOR UPDATE SKIP LOCKED``): two API processes never
    fuse one report twice. SQLite's unit of work already holds the file's write lock."""
    return list(
        session.scalars(
            select(ReportRow)
            .join(FusionQueueRow, FusionQueueRow.report_id == ReportRow.id)
            .order_by(FusionQueueRow.report_id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=FusionQueueRow)
        )
    )


def dequeue_for_fusion(session: Session, report_ids: Sequence[str]) -> None:
    """Take reports off the queue (in the unit of work that records their decisions)."""
    ids = list(report_ids)
    for start in range(0, len(ids), 500):
        session.execute(
            FUSION_QUEUE_TABLE.delete().where(
                FusionQueueRow.report_id.in_(ids[start : start + 500])
            )
        )


def fusion_queue_length(session: Session) -> int:
    """How many reports wait for fusion."""
    return int(session.scalar(select(func.count()).select_from(FusionQueueRow)) or 0)


def enqueue_unfused(session: Session, *, skip: set[str]) -> int:
    """Backfill: queue every report in no incident, not queued, and not in ``skip`` (those
    fusion already decided on); how many were queued."""
    ids = [
        rid
        for rid in session.scalars(
            select(ReportRow.id)
            .where(~ReportRow.id.in_(select(IncidentReportRow.report_id).scalar_subquery()))
            .where(~ReportRow.id.in_(select(FusionQueueRow.report_id).scalar_subquery()))
            .order_by(ReportRow.id)
        )
        if rid not in skip
    ]
    enqueue_for_fusion(session, ids, at=utcnow())
    return len(ids)


def grouped_near_ids(
    session: Session,
    agreement_id: str | None,
    start: datetime,
    end: datetime,
) -> list[tuple[str, str]]:
    """(incident id, report id) of every report in an incident of ``agreement_id`` whose
    window meets ``[start, end]``: the open incidents a new report may join (fusion's
    candidates), by report id. Unchecked: fusion is the system actor and only compares
    within one agreement; it reads the reports it has no view of with ``rows_by_id``."""
    query = (
        select(IncidentReportRow.incident_id, ReportRow.id)
        .join(ReportRow, IncidentReportRow.report_id == ReportRow.id)
        .where(ReportRow.observed_end >= start)
        .where(ReportRow.observed_start <= end)
        .where(
            ReportRow.agreement_id.is_(None)
            if agreement_id is None
            else ReportRow.agreement_id == agreement_id
        )
        .order_by(ReportRow.id)
    )
    return [(incident_id, report_id) for incident_id, report_id in session.execute(query)]


def rows_by_id(session: Session, report_ids: Iterable[str]) -> list[ReportRow]:
    """The stored reports of ``report_ids`` (those that exist), by id (unchecked)."""
    found: list[ReportRow] = []
    for ids in _by_id(report_ids):
        found += session.scalars(
            select(ReportRow).where(ReportRow.id.in_(ids)).order_by(ReportRow.id)
        )
    return found


def incidents_with_channel(channel: str, scope: ReadScope) -> Select[str]:
    """A subquery of the ids of incidents grouping a report of ``channel`` that ``scope``
    may read (an incident's channels are those of its readable reports: a filter on them
    must not tell of the others)."""
    return (
        select(IncidentReportRow.incident_id)
        .join(ReportRow, ReportRow.id == IncidentReportRow.report_id)
        .where(ReportRow.channel == channel, scope.exact_clause(ReportRow))
    )


class ReportFacts(NamedTuple):
    """What a list's summary needs of a report: who may read it, and its channel; and, as an
    export reads it (``report_contents_by_incident``), its content text where the export
    reads the content (``None`` otherwise, see there)."""

    id: str
    channel: str
    classification: str
    concerns: str
    owner_member: str
    agreement_id: str | None
    content: str | None = None


def reports_of_incidents(session: Session, incident_ids: Iterable[str]) -> set[str]:
    """The ids of the reports ``incident_ids`` group: what an incremental export of reports
    sends again when their incident changed (reclassified, say: whether a reader is shown a
    report's ``incident_id`` follows the incident, ``unreadable_incidents``)."""
    ids = sorted(set(incident_ids))
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        found.update(_links_of(session, ids[start : start + 500]))
    return found


def _links_of(session: Session, incident_ids: list[str]) -> dict[str, str]:
    """Report id → incident id of the reports of ``incident_ids`` (a page of a list).

    The lists read a page's reports in two index lookups, links then reports by id, not in
    one join: on PostgreSQL the join of the newest incidents was planned as a merge join
    over the whole reports index whenever the statistics lagged behind the newest ids
    (200 ms a page on 100k reports, in place of 2)."""
    return {
        report_id: incident_id
        for incident_id, report_id in session.execute(
            select(IncidentReportRow.incident_id, IncidentReportRow.report_id).where(
                IncidentReportRow.incident_id.in_(incident_ids)
            )
        )
    }


def _by_id(ids: Iterable[str], chunk: int = 1000) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), chunk):
        yield ordered[start : start + chunk]


_FACT_COLUMNS = (
    ReportRow.id,
    ReportRow.channel,
    ReportRow.classification,
    ReportRow.concerns,
    ReportRow.owner_member,
    ReportRow.agreement_id,
)
"""The columns of ``ReportFacts``, in its order: who may read a report, and its channel."""


def report_facts_by_incident(
    session: Session, incident_ids: list[str]
) -> dict[str, list[ReportFacts]]:
    """The few columns of each incident's reports a member's list needs, by report id (not
    whole ORM rows with their content: half the list's cost)."""
    found: dict[str, list[ReportFacts]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return found
    links = _links_of(session, incident_ids)
    for ids in _by_id(links):
        rows = session.execute(
            select(*_FACT_COLUMNS).where(ReportRow.id.in_(ids)).order_by(ReportRow.id)
        )
        for report_id, channel, classification, concerns, owner, agreement in rows:
            found[links[report_id]].append(
                ReportFacts(report_id, channel, classification, concerns, owner, agreement)
            )
    return found


def reports_by_incident(session: Session, incident_ids: list[str]) -> dict[str, list[ReportRow]]:
    """The reports of each incident (by report id, as ``_report_rows``)."""
    found: dict[str, list[ReportRow]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return found
    links = _links_of(session, incident_ids)
    for report in rows_by_id(session, links):
        found[links[report.id]].append(report)
    return found


@dataclass(frozen=True)
class ReportNames:
    """How many reports an incident groups and the names of their reporters (what the
    public view of an incident needs of its reports, to redact the names)."""

    count: int = 0
    reporters: frozenset[str] = frozenset()


REPORTER_KEY = '"reporter":"'
"""How the canonical content spells a named reporter (sorted keys, no whitespace): a report
without it names none (``"reporter":null``), and its content need not be parsed. A quote
inside a JSON string is escaped, so the key cannot be matched inside another value."""


def reporter_of(content: str | None) -> str:
    """The reporter a report's canonical content names ("" when none), parsed only when
    the text names one."""
    if content is None or REPORTER_KEY not in content:
        return ""
    return str(json.loads(content).get("reporter") or "")


def reporter_names_by_incident(session: Session, incident_ids: list[str]) -> dict[str, ReportNames]:
    """Per incident, its report count and reporters' names, from two columns (no report
    objects: the public incident list reads this for every page)."""
    counts: dict[str, int] = dict.fromkeys(incident_ids, 0)
    names: dict[str, set[str]] = {i: set() for i in incident_ids}
    links = _links_of(session, incident_ids) if incident_ids else {}
    for ids in _by_id(links):
        for report_id, content in session.execute(
            select(ReportRow.id, ReportRow.content).where(ReportRow.id.in_(ids))
        ):
            incident_id = links[report_id]
            counts[incident_id] += 1
            names[incident_id].add(reporter_of(content))
    return {i: ReportNames(counts[i], frozenset(names[i] - {""})) for i in incident_ids}


NO_CASUALTIES = '"casualties":{},'
"""How the canonical content of a report stating no casualties spells them (sorted keys, no
whitespace: ``ReportContent.canonical``), so that SQL can skip such reports."""


def casualties_by_incident(session: Session, incident_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per incident (of those whose reports state any), the largest best estimate of each
    casualty kind its reports give: reports of one event repeat its casualties, they do not
    add up. Reports stating none are skipped in SQL, unparsed."""
    found: dict[str, dict[str, int]] = {}
    for start in range(0, len(incident_ids), 500):
        rows = session.execute(
            select(IncidentReportRow.incident_id, ReportRow.content)
            .join(ReportRow, IncidentReportRow.report_id == ReportRow.id)
            .where(
                IncidentReportRow.incident_id.in_(incident_ids[start : start + 500]),
                ReportRow.content.not_like(f"%{NO_CASUALTIES}%"),
            )
        )
        for incident_id, content in rows:
            stated = json.loads(content).get("casualties") or {}
            figures = found.setdefault(incident_id, {})
            for key, estimate in stated.items():
                figures[key] = max(figures.get(key, 0), int(estimate.get("best") or 0))
    return {i: f for i, f in found.items() if any(f.values())}


def incident_links(session: Session) -> dict[str, list[str]]:
    """Incident id → the ids of the reports it groups (the ledger checker's view)."""
    links: dict[str, list[str]] = {}
    for link in session.scalars(select(IncidentReportRow)):
        links.setdefault(link.incident_id, []).append(link.report_id)
    return links


def _public_from(
    row: ReportRow | Mapping[str, Any],
    content: Mapping[str, Any],
    attachments: list[AttachmentPublic],
    incident_id: str | None,
) -> ReportPublic:
    def get(name: str) -> Any:
        return row[name] if isinstance(row, Mapping) else getattr(row, name)

    return ReportPublic(
        id=get("id"),
        received_at=get("received_at"),
        owner_member=get("owner_member"),
        submitted_by=get("submitted_by"),
        idempotency_key=get("idempotency_key"),
        content_sha256=get("content_sha256"),
        incident_id=incident_id,
        attachments=attachments,
        **content,
    )


def _public(
    session: Session,
    row: ReportRow,
    attachments: list[AttachmentPublic] | None = None,
    incident_id: str | None = None,
    *,
    lookup: bool = True,
) -> ReportPublic:
    if lookup:
        attachments = _attachments(session, [row.id])[row.id]
        incident_id = dict(grouped_reports(session, [row.id])).get(row.id)
    return _public_from(row, json.loads(row.content), attachments or [], incident_id)


def redacted(report: ReportPublic) -> ReportRedacted:
    """The public form of a report (see ``domain.reports.redact_for_public``)."""
    kept = redact_for_public(report.model_dump())
    return ReportRedacted.model_validate({k: kept[k] for k in ReportRedacted.model_fields})


_INCIDENTS = table(
    "incidents",
    column("id"),
    column("classification"),
    column("concerns"),
    column("owner_member"),
    column("agreement_id"),
)
"""The columns of the incidents area's table that its read rule judges, named as the
``incident_reports`` link's foreign key names it: this area may not import that one (it
imports this), and a report names its incident only to a reader of the incident."""


def unreadable_incidents(
    session: Session, scope: ReadScope, incident_ids: Iterable[str]
) -> set[str]:
    """Of ``incident_ids`` (the incidents reports are grouped into), those ``scope``'s viewer
    may not read (``GET /api/v1/incidents/{id}`` answers them 404): a report shows its
    ``incident_id`` only to a reader of the incident, on every surface (``presented``, the
    map's report points), so a public report or a party's own complaint never reveals the
    internal incident the monitors grouped it into."""
    wanted = sorted(set(incident_ids))
    if scope.viewer.operator or not wanted:
        return set()
    hidden: set[str] = set()
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(_INCIDENTS).where(_INCIDENTS.c.id.in_(wanted[start : start + 500]))
        )
        hidden.update(row.id for row in rows if not scope.can_read_record(row))
    return hidden


def in_readable_incident(scope: ReadScope) -> ColumnElement[bool]:
    """A SQL condition on reports: grouped into an incident ``scope``'s viewer may read (the
    ``unassigned`` filter's complement: "in no incident" means in none the caller reads, as
    the reports' ``incident_id`` shows it)."""
    grouped = select(IncidentReportRow.report_id)
    if not scope.viewer.operator:
        grouped = grouped.join(_INCIDENTS, _INCIDENTS.c.id == IncidentReportRow.incident_id).where(
            scope.exact_clause(_INCIDENTS.c)
        )
    return ReportRow.id.in_(grouped.scalar_subquery())


WITHHELD_ID = "[…]"
"""What a free text shows in place of the id of a record its reader may not read."""


def unreadable_ids(session: Session, scope: ReadScope, texts: Iterable[str | None]) -> set[str]:
    """The ids the centre makes that ``texts`` (free text a member wrote: a note, a reply, a
    rationale, an evidence ref, an incident's title or summary, a report's narrative) name
    and the scope's viewer may not read: a report or incident it may not read or that does
    not exist, and any other record's id (an assessment, a finding: not cited by id). Shown
    as :data:`WITHHELD_ID` (:func:`masked_text`), so a text shared with a party names no
    record withheld from it (the id would confirm that the record exists); the web app links
    the ids that remain. The one decision every surface showing such a text applies. An
    operator reads every record: nothing is masked for it (and no text scanned: the
    operator's full exports)."""
    if scope.viewer.operator:
        return set()
    named = {found for text in texts if text for found in record_ids_in(text)}
    if not named:
        return set()
    readable: set[str] = set()
    reports = {record_id for kind, record_id in named if kind == "rep"}
    if reports:
        readable |= {r.id for r in rows_by_id(session, reports) if scope.can_read_record(r)}
    incidents = sorted(record_id for kind, record_id in named if kind == "inc")
    if incidents:
        readable |= {
            row.id
            for row in session.execute(select(_INCIDENTS).where(_INCIDENTS.c.id.in_(incidents)))
            if scope.can_read_record(row)
        }
    return {record_id for _, record_id in named if record_id not in readable}


def masked_text(text: str, hidden: set[str]) -> str:
    """``text`` with each id of ``hidden`` (:func:`unreadable_ids`) shown as
    :data:`WITHHELD_ID`."""
    return mask_record_ids(text, hidden, WITHHELD_ID)


_REPORT_TEXTS = ("narrative", "source_reference", "reporter")
"""The free text of a report's content, where a filer may name another record by id."""
_PLACES = ("event_position", "observer_position")
"""The positions of a report's content, whose ``place_name`` is free text too."""


def report_free_texts(report: ReportPublic) -> Iterator[str | None]:
    """Every free text of ``report`` a filer wrote: the narrative, the source reference, the
    reporter, the place names, the attachments' filenames. What :func:`unreadable_ids`
    judges and :func:`report_texts_masked` masks."""
    for name in _REPORT_TEXTS:
        yield getattr(report, name)
    for name in _PLACES:
        yield (getattr(report, name) or {}).get("place_name")
    for attachment in report.attachments:
        yield attachment.filename


def content_free_texts(content: ReportContent) -> tuple[str | None, ...]:
    """The free text of a report's content (:func:`report_free_texts` less the filenames,
    which its content hash does not cover)."""
    observer = content.observer_position
    return (
        content.narrative,
        content.source_reference,
        content.reporter,
        content.event_position.place_name,
        observer.place_name if observer else None,
    )


def _masked_report(report: ReportPublic, hidden: set[str]) -> ReportPublic:
    update: dict[str, Any] = {}
    for name in _REPORT_TEXTS:
        text = getattr(report, name)
        if text and (masked := masked_text(text, hidden)) != text:
            update[name] = masked
    for name in _PLACES:
        position = getattr(report, name)
        place = (position or {}).get("place_name")
        if place and (masked := masked_text(place, hidden)) != place:
            update[name] = {**position, "place_name": masked}
    if update:
        # The content hash would confirm a guess of the masked ids.
        update["content_sha256"] = None
    files = [
        a.model_copy(update={"filename": masked_text(a.filename, hidden)}) if a.filename else a
        for a in report.attachments
    ]
    if files != report.attachments:
        update["attachments"] = files
    return report.model_copy(update=update) if update else report


def report_texts_masked(
    session: Session, scope: ReadScope, reports: Sequence[ReportPublic]
) -> list[ReportPublic]:
    """``reports`` with the ids their free text (:func:`report_free_texts`) names that the
    reader may not read shown as :data:`WITHHELD_ID`; a report whose content is so masked is
    shown without its content hash, which would confirm a guess of the masked ids (every
    incident and report id is in a ledger header)."""
    hidden = unreadable_ids(session, scope, (t for r in reports for t in report_free_texts(r)))
    if not hidden:
        return list(reports)
    return [_masked_report(report, hidden) for report in reports]


def presented(
    session: Session, scope: ReadScope, reports: Sequence[ReportPublic]
) -> list[ReportPublic | ReportRedacted]:
    """Reports as ``scope``'s viewer sees them, on every report surface (API, web, CLI,
    exports): the public sees them redacted; a member sees them whole, less what
    ``without_unreadable_sources`` withholds; the incident that groups a report is
    named only to a reader of that incident (``unreadable_incidents``); and its free text
    names only records the reader may read (``unreadable_ids``)."""
    hidden = unreadable_incidents(session, scope, (r.incident_id for r in reports if r.incident_id))
    if hidden:
        reports = [
            r.model_copy(update={"incident_id": None}) if r.incident_id in hidden else r
            for r in reports
        ]
    reports = report_texts_masked(session, scope, reports)
    if scope.viewer.is_public:
        return [redacted(r) for r in reports]
    return list(without_unreadable_sources(session, scope.viewer, reports))


def without_unreadable_sources(
    session: Session, viewer: Viewer, reports: Sequence[ReportPublic]
) -> list[ReportPublic]:
    """Reports as a member sees them (``presented``; an incident's reports too): the
    observation post and sensor it may not read (``unreadable_sources``) withheld as
    ``null``, with the content hash (which would confirm a guessed post id)."""
    hidden = unreadable_sources(session, viewer, reports)
    if not hidden:
        return list(reports)
    shown: list[ReportPublic] = []
    for report in reports:
        if report.post_id in hidden or report.sensor_id in hidden:
            report = report.model_copy(
                update={
                    "post_id": None if report.post_id in hidden else report.post_id,
                    "sensor_id": None if report.sensor_id in hidden else report.sensor_id,
                    "content_sha256": None,
                }
            )
        shown.append(report)
    return shown


def unreadable_sources(
    session: Session, viewer: Viewer, contents: Iterable[NamesSources]
) -> set[str]:
    """Of the posts and sensors ``contents`` (reports) name, the ids ``viewer`` may not read
    (``GET /api/v1/posts/{id}`` and ``/sensors/{id}`` answer them 404): what every surface
    showing a report, its ledger entries or the sources of its incident withholds."""
    named = [c for c in contents if c.post_id or c.sensor_id]
    if viewer.operator or not named:
        return set()
    posts = {c.post_id for c in named if c.post_id}
    sensors = {c.sensor_id for c in named if c.sensor_id}
    known = KnownSources.load(session, posts, sensors)
    return {p for p in posts if not known.post_readable(viewer, p)} | {
        s for s in sensors if not known.sensor_readable(viewer, s)
    }


def readable_row(scope: ReadScope, row: ReportRow) -> bool:
    return scope.can_read_record(row)


def readable_reports(session: Session, viewer: Viewer, report_ids: Iterable[str]) -> set[str]:
    """Of ``report_ids``, those ``viewer`` may read (a report that does not exist is not
    among them): what another area shows of a report (a fusion decision) goes through it."""
    ids = set(report_ids)
    if not ids:
        return set()
    scope = ReadScope.load(session, viewer)
    return {row.id for row in rows_by_id(session, ids) if scope.can_read_record(row)}


_NAMES_NO_SOURCE = ('"post_id":null', '"sensor_id":null')
"""How the canonical content of a report naming no post and no sensor spells them."""


def wholly_readable_reports(
    session: Session, viewer: Viewer, report_ids: Iterable[str]
) -> set[str]:
    """Of ``report_ids``, those ``viewer`` may read together with the post and sensor they
    name (``unreadable_sources``) and every record their free text names by id
    (``unreadable_ids``): what the ledger shows of a report (its payloads hold its content
    hash, which confirms a guessed post id or a guess of an id shown masked) goes through it.
    Content is parsed only where it names a post, a sensor or an id."""
    ids = set(report_ids)
    if not ids:
        return set()
    scope = ReadScope.load(session, viewer)
    named: dict[str, ReportContent] = {}
    found: set[str] = set()
    for row in rows_by_id(session, ids):
        if not scope.can_read_record(row):
            continue
        if viewer.operator or (
            all(text in row.content for text in _NAMES_NO_SOURCE) and not record_ids_in(row.content)
        ):
            found.add(row.id)
        else:
            named[row.id] = content_of(row)
    if named:
        hidden = unreadable_sources(session, viewer, named.values())
        masked = unreadable_ids(
            session, scope, (t for c in named.values() for t in content_free_texts(c))
        )
        found |= {
            rid
            for rid, c in named.items()
            if c.post_id not in hidden
            and c.sensor_id not in hidden
            and not any(
                found_id in masked
                for text in content_free_texts(c)
                if text
                for _, found_id in record_ids_in(text)
            )
        }
    return found


def _readable_report(session: Session, scope: ReadScope, report_id: str) -> ReportRow:
    """The report, if ``scope`` may read it; NotFound otherwise (existence is not leaked)."""
    row = session.get(ReportRow, report_id)
    if row is None or not readable_row(scope, row):
        raise NotFound.worded(N_("no report %(id)s"), id=repr(report_id))
    return row


def get_report(
    ctx: ServiceContext, viewer: Viewer, report_id: str
) -> ReportPublic | ReportRedacted:
    """One report, if the viewer may read it (NotFound otherwise: existence is not leaked)."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        row = _readable_report(session, scope, report_id)
        (shown,) = presented(session, scope, [_public(session, row)])
        return shown


def list_reports(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    channel: Channel | None = None,
    category: str | None = None,
    agreement_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    unassigned: bool = False,
    bbox: tuple[float, float, float, float] | None = None,
    party: str | None = None,
    classification: Classification | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> ReportPage:
    """Reports the viewer may read, newest first; ``cursor`` is the last id of a page.

    ``bbox`` is (min_lon, min_lat, max_lon, max_lat) of the event's position; ``party`` a
    party the report concerns or alleges."""
    limit = max(1, min(limit, MAX_LIST_LIMIT))
    cursor = check_cursor(cursor, "rep")
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        query = select(ReportRow).where(scope.clause(ReportRow)).order_by(ReportRow.id.desc())
        if channel is not None:
            query = query.where(ReportRow.channel == channel.value)
        if category is not None:
            query = query.where(ReportRow.category == category)
        if agreement_id is not None:
            query = query.where(ReportRow.agreement_id == agreement_id)
        if start is not None:
            query = query.where(ReportRow.observed_end >= start)
        if end is not None:
            query = query.where(ReportRow.observed_start <= end)
        if unassigned:
            query = query.where(~in_readable_incident(scope))
        if bbox is not None:
            query = query.where(*within(ReportRow.event_lon, ReportRow.event_lat, bbox))
        if party is not None:
            code = party.strip().upper()
            query = query.where(
                # A code, not a pattern: ``%`` or ``_`` in it match themselves (autoescape).
                or_(
                    ReportRow.concerns.contains(f",{code},", autoescape=True),
                    ReportRow.alleged_perpetrator == code,
                )
            )
        if classification is not None:
            query = query.where(ReportRow.classification == classification.value)
        rows: list[ReportRow] = []
        for row in _scan(session, query, cursor, limit):
            if readable_row(scope, row):
                rows.append(row)
                if len(rows) > limit:
                    break
        more = len(rows) > limit
        rows = rows[:limit]
        ids = [r.id for r in rows]
        files = _attachments(session, ids)
        incidents = dict(grouped_reports(session, ids))
        items = presented(
            session,
            scope,
            [_public(session, r, files[r.id], incidents.get(r.id), lookup=False) for r in rows],
        )
        return ReportPage(items=items, next_cursor=rows[-1].id if more and rows else None)


def _scan(session: Session, query: Any, cursor: str | None, limit: int) -> Iterator[ReportRow]:
    """Rows of ``query`` after ``cursor``, fetched in chunks (the Python check may drop some)."""
    after = cursor
    chunk = limit + 1
    while True:
        page = query if after is None else query.where(ReportRow.id < after)
        rows = list(session.scalars(page.limit(chunk)))
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1].id
        chunk = min(chunk * 2, 5000)


def content_of(row: ReportRow) -> ReportContent:
    return content_from_dict(json.loads(row.content))


# ------------------------------------------------------------------------- attachments


ATTACHMENT_WINDOW = timedelta(hours=24)
"""The window ``attachment_bytes_per_member_per_day`` counts a member's evidence files in."""


def check_may_attach(ctx: ServiceContext, viewer: Viewer, report_id: str) -> None:
    """NotFound unless ``viewer`` reads the report, Forbidden unless it filed it or monitors
    its agreement, TooManyRequests once its member attached its day's bytes: what the routes
    ask on the token alone, before an upload is read."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        row = _readable_report(session, scope, report_id)
        if row.owner_member != viewer.member_id and not scope.is_monitor(row.agreement_id):
            raise Forbidden.worded(N_("only the reporting member or a monitor may attach files"))
        _check_attachment_quota(session, ctx.settings, viewer)


def _check_attachment_quota(session: Session, settings: Settings, viewer: Viewer) -> None:
    """Refuse (429) a member whose files attached in the last 24 hours hold its day's bytes.

    Each file is bounded (``max_attachment_bytes``) but the number of files was not: one
    token (6,000 requests a minute) could fill the centre's disk with 8 MiB files and stop
    every member's intake. Counted before the upload is read, so one file may end past the
    quota by at most its own size; operators are not counted."""
    quota = settings.attachment_bytes_per_member_per_day
    if quota == 0 or viewer.operator or viewer.member_id is None:
        return
    now = utcnow()
    used = (
        session.scalar(
            select(func.sum(AttachmentRow.size_bytes)).where(
                AttachmentRow.received_by == viewer.member_id,
                AttachmentRow.received_at > now - ATTACHMENT_WINDOW,
            )
        )
        or 0
    )
    if used >= quota:
        oldest = session.scalar(
            select(func.min(AttachmentRow.received_at)).where(
                AttachmentRow.received_by == viewer.member_id,
                AttachmentRow.received_at > now - ATTACHMENT_WINDOW,
            )
        )
        wait = (oldest + ATTACHMENT_WINDOW - now) if oldest is not None else ATTACHMENT_WINDOW
        raise over_quota(
            N_(
                "your member attached %(used)s bytes of evidence in the last 24 hours, its "
                "quota is %(quota)s bytes: try again later"
            ),
            used=used,
            quota=quota,
            retry_after_s=max(1, int(wait.total_seconds()) + 1),
        )


def received_filename(filename: str | None) -> str | None:
    """An uploaded file's name as stored, shown to other members' staff and ledgered: its
    last path component (``/`` or ``\\``), without the characters a name must not hold
    there -- control characters (CR/LF, ESC) and the invisible format ones, such as the
    right-to-left override (U+202E) that shows ``invoice<RLO>fdp.exe`` as ``invoiceexe.pdf``
    -- at most 255 characters; None when nothing is left (see docs/security.md)."""
    if filename is None:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable()).strip()[:255] or None


def _peeked(chunks: Iterable[bytes], size: int) -> tuple[bytes, Iterator[bytes]]:
    """The first ``size`` bytes of a stream (fewer if it is shorter), and the whole stream
    again, the bytes read included."""
    stream = iter(chunks)
    read: list[bytes] = []
    length = 0
    for chunk in stream:
        read.append(chunk)
        length += len(chunk)
        if length >= size:
            break
    return b"".join(read)[:size], itertools.chain(read, stream)


def add_attachment(
    ctx: ServiceContext,
    viewer: Viewer,
    report_id: str,
    chunks: Iterable[bytes],
    *,
    media_type: str | None = None,
    filename: str | None = None,
) -> AttachmentPublic:
    """Attach an evidence file to a report, hashed at receipt; the same file again is a no-op.

    Only the member that filed the report (or a monitor, or an operator) may attach. The
    file is checked against ``settings.max_attachment_bytes`` while it streams in; a file
    over the limit is refused (PayloadTooLarge) and leaves nothing behind. The type stored
    is the one its first bytes show (``mediatypes.detected_type``; ``media_type`` is what
    the uploader declared, None for nothing): a declaration the content contradicts is
    refused before anything is stored, and so is a file of no bytes (422 naming ``file``).
    """
    actor = actor_of(viewer)
    check_may_attach(ctx, viewer, report_id)
    filename = received_filename(filename)
    head, chunks = _peeked(chunks, mediatypes.HEAD_BYTES)
    if not head:  # no bytes: nothing to hash as evidence, nor a type to detect
        raise InvalidInput.worded(N_("the file is empty"), details=[problem("file", N_("empty"))])
    try:
        media_type = mediatypes.detected_type(head, media_type)
    except mediatypes.TypeMismatch as exc:
        raise InvalidInput.worded(
            mediatypes.MISMATCH,
            details=[
                problem(
                    "file",
                    N_("content does not match the declared type"),
                    extra={"declared": exc.declared, "detected": exc.detected},
                )
            ],
            detected=exc.detected,
            declared=exc.declared,
        ) from None
    stored = AttachmentStore(ctx.settings.data_dir).receive(
        chunks, max_bytes=ctx.settings.max_attachment_bytes
    )
    with ctx.unit_of_work() as session:
        existing = session.scalars(
            select(AttachmentRow)
            .where(AttachmentRow.report_id == report_id)
            .where(AttachmentRow.sha256 == stored.sha256)
        ).first()
        if existing is not None:
            return _attachment_public(existing)
        attachment = AttachmentRow(
            id=new_id("att"),
            report_id=report_id,
            sha256=stored.sha256,
            size_bytes=stored.size_bytes,
            media_type=media_type[:200],
            filename=filename,
            received_at=utcnow(),
            received_by=actor.member_id,
        )
        add_ledgered(
            session,
            ctx.settings,
            attachment,
            tag=ReportTag.ATTACHMENT_RECEIVED,
            subject=f"report/{report_id}",
            payload=AttachmentReceived(
                {
                    "attachment_id": attachment.id,
                    "report_id": report_id,
                    "sha256": stored.sha256,
                    "size_bytes": stored.size_bytes,
                    "media_type": attachment.media_type,
                    "filename": filename,
                }
            ),
            actor=actor,
        )
        return _attachment_public(attachment)


def read_attachment(
    ctx: ServiceContext, viewer: Viewer, report_id: str, attachment_id: str
) -> tuple[AttachmentPublic, bytes]:
    """The original bytes of an attachment (verified against its hash) for a reader of the
    report. The public never gets attachments: they may show persons."""
    with ctx.reader() as session:
        scope = ReadScope.load(session, viewer)
        row = session.get(ReportRow, report_id)
        attachment = session.get(AttachmentRow, attachment_id)
        if (
            row is None
            or attachment is None
            or attachment.report_id != report_id
            or viewer.is_public
            or not readable_row(scope, row)
        ):
            raise NotFound.worded(
                N_("no attachment %(attachment_id)s on report %(report_id)s"),
                attachment_id=repr(attachment_id),
                report_id=repr(report_id),
            )
        info = _attachment_public(attachment)
        if info.filename:
            hidden = unreadable_ids(session, scope, [info.filename])
            info.filename = masked_text(info.filename, hidden) if hidden else info.filename
    return info, AttachmentStore(ctx.settings.data_dir).read(info.sha256)


# -- for publishing: reports as exported ---------------------------------------------------


def report_records(
    session: Session,
    scope: ReadScope,
    *,
    ids: Iterable[str] | None = None,
    chunk: int = 2000,
) -> Iterator[dict[str, Any]]:
    """Every report ``scope`` may read (only those of ``ids`` when given), oldest first, as
    a JSON-able record: members get it whole, the public redacted (no observer position,
    reporter, post or narrative). Read in chunks by id, so a million reports stream."""
    wanted = sorted(set(ids)) if ids is not None else None
    query = select(ReportRow).where(scope.clause(ReportRow)).order_by(ReportRow.id)
    pages = id_pages(
        query, ReportRow.id, lambda page: session.scalars(page).all(), chunk=chunk, wanted=wanted
    )
    for rows in pages:
        links = dict(grouped_reports(session, [r.id for r in rows]))
        publics = [
            _public_from(row, json.loads(row.content), [], links.get(row.id))
            for row in rows
            if readable_row(scope, row)
        ]
        for shown in presented(session, scope, publics):
            record = shown.model_dump(mode="json")
            record.pop("attachments", None)
            yield record


# An export reads a report's content for two things only: its casualty figures and its
# reporter (a name the public edition withholds). Most reports have neither, and their
# content (~1 KB) is left in the database: in canonical JSON, no figures is exactly
# ``"casualties":{}`` and no reporter is ``"reporter":null`` (a quote inside a string
# value is escaped, so neither pattern can match inside another value).
_CONTENT_AN_EXPORT_READS = case(
    (
        and_(
            ReportRow.content.like('%"casualties":{}%'),
            ReportRow.content.not_like(f"%{REPORTER_KEY}%"),
        ),
        null(),
    ),
    else_=ReportRow.content,
)


def report_contents_by_incident(
    session: Session, incident_ids: list[str]
) -> dict[str, list[ReportFacts]]:
    """Each incident's reports with their content where it has casualty figures or names
    a reporter, in one Core query (no ORM objects: an export of a million incidents reads
    a million of them)."""
    found: dict[str, list[ReportFacts]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return found
    rows = session.connection().execute(
        select(
            IncidentReportRow.incident_id,
            *_FACT_COLUMNS,
            _CONTENT_AN_EXPORT_READS.label("content"),
        )
        .join(ReportRow, IncidentReportRow.report_id == ReportRow.id)
        .where(IncidentReportRow.incident_id.in_(incident_ids))
        .order_by(ReportRow.id)
    )
    make = ReportFacts._make
    # ``all()`` is one ``fetchall``; iterating the result fetches row by row.
    for row in rows.all():
        found[row[0]].append(make(row[1:]))
    return found
