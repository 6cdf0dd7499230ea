"""Agreement register use cases: load files (versioned, idempotent), read, record statuses.

Every state change goes through one small function that writes its row *and* its ledger
entry in the caller's unit of work: ``_record_version``, ``_record_provision_retired``,
``_record_amendment`` and ``_record_status_change``. Their ledger payloads carry what is
needed to re-derive the tables (agreement, provision, status, instant, evidence...), so the
ledger verifier can compare ``provision_status_changes`` and ``deadline_amendments`` rows
with the entries whose ``ledger_seq`` they keep.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy.exc
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.agreements.events import (
    AgreementTag,
    DeadlineAmended,
    DecidedAt,
    EvidenceRef,
    ProvisionRetired,
    ProvisionStatusChanged,
    VersionLoaded,
)
from ceasefire.agreements.loader import CheckedDocument, check_data, check_file, check_text
from ceasefire.agreements.model import (
    MAX_EVIDENCE,
    MAX_EVIDENCE_FIELD,
    MAX_NOTE,
    Agreement,
    AgreementKind,
    Deadline,
    DeadlineAmendment,
    Evidence,
    Provision,
    ProvisionStatus,
    SourceInstant,
    StatusChange,
    TimePrecision,
    ZoneKind,
    iso,
    zone_info,
)
from ceasefire.agreements.schemas import (
    AgreementSummaryPublic,
    AgreementVersionPublic,
    AgreementVersionsPublic,
    EffectiveLocalPublic,
    ProvisionStatusRecorded,
    SourceInstantPublic,
    StatusChangeRecordPublic,
    ZoneCollectionPublic,
    ZoneFeaturePublic,
    ZonePropertiesPublic,
)
from ceasefire.agreements.tables import (
    AgreementRow,
    AgreementVersionRow,
    DeadlineAmendmentRow,
    ProvisionRow,
    ProvisionStatusChangeRow,
    ZoneRow,
)
from ceasefire.agreements.versions import diff_documents, flat_provisions
from ceasefire.areas import hook_implementations
from ceasefire.config import Settings
from ceasefire.db.base import shape_of
from ceasefire.db.context import SESSION_CONTEXT_KEY, ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound, coded_words, problem
from ceasefire.i18n.markers import N_
from ceasefire.incidents.service import check_cited_records
from ceasefire.ledger import service as ledger
from ceasefire.members.scope import ReadScope
from ceasefire.members.service import actor_of, is_monitor
from ceasefire.reports.service import masked_text, unreadable_ids
from ceasefire.timeutil import ensure_utc, utcnow

AGREEMENT_CHANGED = "agreement_changed"
"""Hook announced inside the unit of work that stores a new version of an agreement or records
a provision's status (a fulfilment...), once its rows are written. Each implementation
(``Area.hooks``) is called as ``f(session, agreement_id, cause)`` with ``cause`` one of
``AGREEMENT_LOADED`` and ``PROVISION_STATUS_RECORDED``, and writes in the same transaction:
its work commits or rolls back with the change."""
AGREEMENT_LOADED = "agreement_loaded"
PROVISION_STATUS_RECORDED = "provision_status_recorded"

SHIPPED_FILES = ("nk-2020-trilateral.yaml", "tr-ru-2020-memorandum.yaml")
"""Agreement files shipped in ``ceasefire/agreements/data`` and loaded by ``init --demo``."""


@dataclass
class LoadResult:
    """What loading one agreement file did."""

    agreement_id: str
    version: int
    new_version: bool
    content_sha256: str
    source_name: str
    changes: dict[str, Any] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    amendments_recorded: int = 0
    status_changes_recorded: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredAgreement:
    """An agreement version as stored, with the status history recorded so far."""

    agreement: Agreement
    version: int
    current_version: int
    content_sha256: str
    source_name: str
    loaded_at: datetime
    loaded_by: str
    changes: dict[str, Any]

    def version_info(self) -> dict[str, Any]:
        return {
            "number": self.version,
            "current": self.current_version,
            "is_current": self.version == self.current_version,
            "content_sha256": self.content_sha256,
            "source_name": self.source_name,
            "loaded_at": iso(self.loaded_at),
            "loaded_by": self.loaded_by,
            "changes": self.changes,
        }

    @classmethod
    def of(
        cls, agreement: Agreement, row: AgreementVersionRow, current_version: int
    ) -> StoredAgreement:
        """``agreement`` (parsed from ``row``'s document) as ``row`` stores it."""
        return cls(
            agreement=agreement,
            version=row.version,
            current_version=current_version,
            content_sha256=row.content_sha256,
            source_name=row.source_name,
            loaded_at=row.loaded_at,
            loaded_by=row.loaded_by,
            changes=row.changes,
        )

    def provision(self, provision_id: str) -> Provision:
        """The provision ``provision_id`` of this version; ``NotFound`` naming
        ``provision_id`` if it has none."""
        provision = self.agreement.provision(provision_id)
        if provision is None:
            raise NotFound.worded(
                N_("agreement %(agreement_id)s has no provision %(provision_id)s"),
                details=[problem("provision_id", N_("unknown in the current version"))],
                agreement_id=repr(self.agreement.id),
                provision_id=repr(provision_id),
            )
        return provision


# -- files ------------------------------------------------------------------------------------


def shipped_agreement_paths() -> list[Path]:
    """The agreement files shipped with the package."""
    data = resources.files("ceasefire.agreements").joinpath("data")
    return [Path(str(data.joinpath(name))) for name in SHIPPED_FILES]


def validate_file(path: str | Path) -> CheckedDocument:
    """Check an agreement file; ``InvalidInput`` lists every problem with file and line."""
    checked = check_file(path)
    checked.raise_if_invalid()
    return checked


def load_file(ctx: ServiceContext, path: str | Path, *, actor: Actor) -> LoadResult:
    """Load (or reload) the agreement file at ``path``; see :func:`load_checked`."""
    return load_checked(ctx, check_file(path), actor=actor, source_name=Path(path).name)


def load_text(ctx: ServiceContext, text: str, *, source_name: str, actor: Actor) -> LoadResult:
    """Load agreement file content (e.g. an upload); see :func:`load_checked`."""
    return load_checked(ctx, check_text(text, source_name), actor=actor, source_name=source_name)


def load_checked(
    ctx: ServiceContext, checked: CheckedDocument, *, actor: Actor, source_name: str
) -> LoadResult:
    """Store a checked agreement document in one unit of work.

    Same content as the current version: nothing changes. Changed content: a new version,
    provisions missing from it retired, new deadline amendments and status changes recorded,
    each with its ledger entry. Any problem raises ``InvalidInput`` and writes nothing.
    """
    agreement = checked.raise_if_invalid()
    # Two loads of the same new agreement may race, the other one committing first (its
    # version row or agreement row): against what it wrote, the same content is then a
    # no-op, different content a next version.
    return _once_more_if_raced(
        ctx, lambda session: _store(session, ctx.settings, checked, agreement, actor, source_name)
    )


_Result = TypeVar("_Result")


def _once_more_if_raced(ctx: ServiceContext, store: Callable[[Session], _Result]) -> _Result:
    """``store`` in a unit of work; once more in a new one when a unique key turned it down
    because a concurrent writer committed the same thing first (the second try finds it)."""
    try:
        with ctx.unit_of_work() as session:
            return store(session)
    except sqlalchemy.exc.IntegrityError:
        with ctx.unit_of_work() as session:
            return store(session)


def _store(
    session: Session,
    settings: Settings,
    checked: CheckedDocument,
    agreement: Agreement,
    actor: Actor,
    source_name: str,
) -> LoadResult:
    content_sha = checked.content_sha256
    row = session.execute(
        select(AgreementRow).where(AgreementRow.id == agreement.id).with_for_update()
    ).scalar_one_or_none()
    previous = (
        session.get(AgreementVersionRow, (agreement.id, row.current_version)) if row else None
    )
    if previous is not None and previous.content_sha256 == content_sha:
        return LoadResult(agreement.id, previous.version, False, content_sha, source_name)

    provision_rows = {
        r.provision_id: r
        for r in session.scalars(
            select(ProvisionRow).where(ProvisionRow.agreement_id == agreement.id)
        )
    }
    recorded_amendments = _recorded_amendments(session, agreement.id)
    _check_against_record(checked, agreement, provision_rows, recorded_amendments)

    version = previous.version + 1 if previous else 1
    now = utcnow()
    changes = diff_documents(previous.document if previous else None, checked.data)
    if row is None:
        row = AgreementRow(id=agreement.id, created_at=now)
        session.add(row)
    row.title, row.kind = agreement.title, agreement.kind.value
    row.current_version, row.updated_at = version, now
    _forget_current(session, agreement.id)
    session.flush()
    _record_version(
        session,
        settings,
        agreement,
        version,
        content_sha,
        checked.data,
        changes,
        source_name,
        actor,
        now,
    )
    retired = _update_provisions(session, settings, agreement, version, provision_rows, actor)
    _update_zones(session, agreement, version)
    result = LoadResult(agreement.id, version, True, content_sha, source_name, changes, retired)
    for provision in agreement.all_provisions():
        if provision.deadline is not None:
            known = len(recorded_amendments.get(provision.id, []))
            for seq, amendment in enumerate(provision.deadline.amendments, start=1):
                if seq > known:
                    _record_amendment(
                        session, settings, agreement.id, provision, seq, amendment, version, actor
                    )
                    result.amendments_recorded += 1
        recorded = _recorded_status_keys(session, agreement.id, provision.id)
        for change in provision.status_history:
            if (change.at.at, change.status.value) not in recorded:
                _record_status_change(
                    session,
                    settings,
                    agreement.id,
                    provision.id,
                    change,
                    actor,
                    origin="file",
                    version=version,
                )
                result.status_changes_recorded += 1
    _announce(session, agreement.id, AGREEMENT_LOADED)
    return result


def _announce(session: Session, agreement_id: str, cause: str) -> None:
    """Tell the areas registered for ``AGREEMENT_CHANGED`` that ``agreement_id`` changed."""
    hooks = hook_implementations(AGREEMENT_CHANGED)
    if not hooks:
        return
    session.flush()
    for hook in hooks:
        hook(session, agreement_id, cause)


def _check_against_record(
    checked: CheckedDocument,
    agreement: Agreement,
    provision_rows: dict[str, ProvisionRow],
    recorded_amendments: dict[str, list[DeadlineAmendmentRow]],
) -> None:
    """Rules that need the stored record: ids never reused, amendment history append-only."""
    problems = []
    locations = dict(_provision_paths(checked.data))
    for provision in agreement.all_provisions():
        where = f"{checked.file} {locations.get(provision.id, provision.id)}"
        stored = provision_rows.get(provision.id)
        if stored is not None and stored.retired_in_version is not None:
            problems.append(
                problem(
                    f"{where}.id",
                    N_(
                        "provision id %(id)s was retired in version %(retired_in_version)s;"
                        " ids are never reused, give it a new id"
                    ),
                    id=repr(provision.id),
                    retired_in_version=stored.retired_in_version,
                    extra={"field": "id"},
                )
            )
        recorded = recorded_amendments.get(provision.id, [])
        amendments = provision.deadline.amendments if provision.deadline else ()
        for seq, row in enumerate(recorded, start=1):
            current = amendments[seq - 1] if seq <= len(amendments) else None
            if current is None or (
                current.previous,
                current.due,
                current.decided.at,
            ) != (row.previous_due, row.due, row.decided_at):
                problems.append(
                    problem(
                        f"{where}.deadline.amendments[{seq - 1}]",
                        N_(
                            "amendment %(seq)s differs from the recorded one"
                            " (%(previous_due)s → %(due)s); the amendment history is append-only"
                        ),
                        seq=seq,
                        previous_due=row.previous_due,
                        due=row.due,
                        extra={"field": "amendments"},
                    )
                )
    if problems:
        raise InvalidInput.worded(
            N_("%(file)s: %(count)s conflict(s) with the recorded history"),
            details=problems,
            file=checked.file,
            count=len(problems),
        )


def _provision_paths(document: dict[str, Any]) -> Iterable[tuple[str, str]]:
    def walk(items: list[Any], prefix: str) -> Iterable[tuple[str, str]]:
        for index, raw in enumerate(items):
            path = f"{prefix}[{index}]"
            yield raw["id"], path
            yield from walk(raw.get("parts") or [], f"{path}.parts")

    return walk(document.get("provisions") or [], "provisions")


def _recorded_amendments(
    session: Session, agreement_id: str
) -> dict[str, list[DeadlineAmendmentRow]]:
    rows = session.scalars(
        select(DeadlineAmendmentRow)
        .where(DeadlineAmendmentRow.agreement_id == agreement_id)
        .order_by(DeadlineAmendmentRow.provision_id, DeadlineAmendmentRow.seq)
    )
    result: dict[str, list[DeadlineAmendmentRow]] = {}
    for row in rows:
        result.setdefault(row.provision_id, []).append(row)
    return result


def _recorded_status_keys(
    session: Session, agreement_id: str, provision_id: str
) -> set[tuple[datetime, str]]:
    rows = session.execute(
        select(ProvisionStatusChangeRow.at, ProvisionStatusChangeRow.status).where(
            ProvisionStatusChangeRow.agreement_id == agreement_id,
            ProvisionStatusChangeRow.provision_id == provision_id,
        )
    )
    return {(at, status) for at, status in rows}


def _update_provisions(
    session: Session,
    settings: Settings,
    agreement: Agreement,
    version: int,
    rows: dict[str, ProvisionRow],
    actor: Actor,
) -> list[str]:
    present = set()
    for provision in agreement.all_provisions():
        present.add(provision.id)
        row = rows.get(provision.id)
        if row is None:
            row = ProvisionRow(
                agreement_id=agreement.id, provision_id=provision.id, first_version=version
            )
            session.add(row)
        row.number, row.title, row.kind = provision.number, provision.title, provision.kind.value
        row.parent_id, row.last_version = provision.parent, version
    session.flush()
    retired = []
    for provision_id, row in rows.items():
        if provision_id not in present and row.retired_in_version is None:
            _record_provision_retired(session, settings, row, version, actor)
            retired.append(provision_id)
    return retired


def _update_zones(session: Session, agreement: Agreement, version: int) -> None:
    rows = {
        r.zone_id: r
        for r in session.scalars(select(ZoneRow).where(ZoneRow.agreement_id == agreement.id))
    }
    for zone in agreement.zones:
        row = rows.get(zone.id)
        if row is None:
            row = ZoneRow(agreement_id=agreement.id, zone_id=zone.id)
            session.add(row)
        row.name, row.kind, row.precision = zone.name, zone.kind.value, zone.precision
        row.geometry = dict(zone.geometry)
        row.valid_from = zone.valid_from.at if zone.valid_from else None
        row.valid_until = zone.valid_until.at if zone.valid_until else None
        row.agreement_version, row.retired_in_version = version, None
    present = {z.id for z in agreement.zones}
    for zone_id, row in rows.items():
        if zone_id not in present and row.retired_in_version is None:
            row.retired_in_version = version
    session.flush()


# -- the state changes, each with its ledger entry --------------------------------------------


def _record_version(
    session: Session,
    settings: Settings,
    agreement: Agreement,
    version: int,
    content_sha: str,
    document: dict[str, Any],
    changes: dict[str, Any],
    source_name: str,
    actor: Actor,
    now: datetime,
) -> AgreementVersionRow:
    row = AgreementVersionRow(
        agreement_id=agreement.id,
        version=version,
        content_sha256=content_sha,
        document=document,
        changes=changes,
        source_name=source_name,
        loaded_at=now,
        loaded_by=actor.member_id,
    )
    row.ledger_seq = ledger.add_ledgered(
        session,
        settings,
        row,
        tag=AgreementTag.VERSION_LOADED,
        subject=agreement.id,
        payload=VersionLoaded(
            {
                "agreement_id": agreement.id,
                "version": version,
                "content_sha256": content_sha,
                "source_name": source_name,
                "title": agreement.title,
                "kind": agreement.kind.value,
                "provisions": list(flat_provisions(document)),
                "zones": [z.id for z in agreement.zones],
                "changes": changes,
            }
        ),
        actor=actor,
    )
    return row


def _record_provision_retired(
    session: Session, settings: Settings, row: ProvisionRow, version: int, actor: Actor
) -> None:
    row.retired_in_version = version
    session.flush()
    payload = ProvisionRetired(
        {
            "agreement_id": row.agreement_id,
            "provision_id": row.provision_id,
            "retired_in_version": version,
            "last_version": row.last_version,
        }
    )
    _append_provision_entry(session, settings, AgreementTag.PROVISION_RETIRED, payload, actor)


def _evidence_list(evidence: Iterable[Evidence]) -> list[dict[str, Any]]:
    return [e.to_dict() for e in evidence]


def _record_amendment(
    session: Session,
    settings: Settings,
    agreement_id: str,
    provision: Provision,
    seq: int,
    amendment: DeadlineAmendment,
    version: int,
    actor: Actor,
) -> DeadlineAmendmentRow:
    assert provision.deadline is not None
    evidence = _evidence_list(amendment.evidence)
    payload = DeadlineAmended(
        {
            "agreement_id": agreement_id,
            "provision_id": provision.id,
            "seq": seq,
            "previous": amendment.previous.isoformat(),
            "due": amendment.due.isoformat(),
            "time_zone": provision.deadline.time_zone,
            "decided": cast(DecidedAt, amendment.decided.to_dict()),
            "requested_by": amendment.requested_by,
            "decided_by": list(amendment.decided_by),
            "reason": amendment.reason,
            "instrument": amendment.instrument,
            "evidence": cast(list[EvidenceRef], evidence),
            "agreement_version": version,
        }
    )
    seq_no = _append_provision_entry(
        session, settings, AgreementTag.DEADLINE_AMENDED, payload, actor
    )
    row = DeadlineAmendmentRow(
        agreement_id=agreement_id,
        provision_id=provision.id,
        seq=seq,
        previous_due=amendment.previous,
        due=amendment.due,
        time_zone=provision.deadline.time_zone,
        decided_at=amendment.decided.at,
        decided_local=amendment.decided.local,
        decided_time_zone=amendment.decided.time_zone,
        requested_by=amendment.requested_by,
        decided_by=list(amendment.decided_by),
        reason=amendment.reason,
        instrument=amendment.instrument,
        evidence=evidence,
        **_recorded(version, actor, seq_no),
    )
    return _added(session, row)


def _append_provision_entry(
    session: Session,
    settings: Settings,
    tag: AgreementTag,
    payload: DeadlineAmended | ProvisionStatusChanged | ProvisionRetired,
    actor: Actor,
) -> int:
    """The ledger entry of a change to one provision (its subject: agreement/provision)."""
    subject = f"{payload['agreement_id']}/{payload['provision_id']}"
    return ledger.append(session, settings, tag=tag, subject=subject, payload=payload, actor=actor)


def _recorded(version: int | None, actor: Actor, seq: int) -> dict[str, Any]:
    """The columns of every recorded change: the agreement version it was made under, when
    and by whom it was recorded, and its ledger entry."""
    return {
        "agreement_version": version,
        "recorded_at": utcnow(),
        "recorded_by": actor.member_id,
        "ledger_seq": seq,
    }


_Row = TypeVar("_Row")


def _added(session: Session, row: _Row) -> _Row:
    session.add(row)
    session.flush()
    return row


def status_change_payload(
    agreement_id: str, provision_id: str, change: StatusChange, *, origin: str, version: int | None
) -> ProvisionStatusChanged:
    """The ledger payload of a status change: everything its table row holds."""
    return ProvisionStatusChanged(
        {
            "agreement_id": agreement_id,
            "provision_id": provision_id,
            "status": change.status.value,
            "at": iso(change.at.at),
            "at_local": change.at.local,
            "time_zone": change.at.time_zone,
            "precision": change.at.precision.value,
            "evidence": cast(list[EvidenceRef], _evidence_list(change.evidence)),
            "note": change.note,
            "origin": origin,
            "agreement_version": version,
        }
    )


def _record_status_change(
    session: Session,
    settings: Settings,
    agreement_id: str,
    provision_id: str,
    change: StatusChange,
    actor: Actor,
    *,
    origin: str,
    version: int | None,
) -> ProvisionStatusChangeRow:
    payload = status_change_payload(
        agreement_id, provision_id, change, origin=origin, version=version
    )
    seq = _append_provision_entry(
        session, settings, AgreementTag.PROVISION_STATUS_CHANGED, payload, actor
    )
    _forget_current(session, agreement_id)
    row = ProvisionStatusChangeRow(
        agreement_id=agreement_id,
        provision_id=provision_id,
        status=change.status.value,
        at=change.at.at,
        at_local=change.at.local,
        at_time_zone=change.at.time_zone,
        at_precision=change.at.precision.value,
        evidence=cast(list[dict[str, Any]], payload["evidence"]),
        note=change.note,
        origin=origin,
        **_recorded(version, actor, seq),
    )
    return _added(session, row)


def record_provision_status(
    ctx: ServiceContext,
    viewer: Viewer,
    agreement_id: str,
    provision_id: str,
    *,
    status: ProvisionStatus | str,
    at: datetime | None = None,
    local: str | None = None,
    time_zone: str | None = None,
    evidence: Iterable[Evidence] = (),
    note: str | None = None,
) -> ProvisionStatusRecorded:
    """Record a provision's status from ``at`` on, as ``viewer`` (an operator or a monitor).

    Only an operator or a member holding a current monitor role in the agreement may record
    outcomes (``Forbidden`` otherwise; the public is ``Unauthorized``). The instant is
    ``at`` (UTC), or ``local`` in ``time_zone`` as the source gives it, or both when they
    agree; ``time_zone`` alone keeps ``at``'s local time there. At least one evidence
    reference is needed; a ``source`` must be one of the agreement's sources.

    Idempotent: the same status at the same instant again records nothing and returns the
    stored change with ``recorded: false``; the same status and instant with other
    evidence, note or local time is a ``Conflict`` (the record is append-only). Any problem
    writes nothing.
    """
    actor = actor_of(viewer)
    change = status_change_input(
        status=status, at=at, local=local, time_zone=time_zone, evidence=evidence, note=note
    )
    return _record_change(ctx, agreement_id, provision_id, change, actor, viewer=viewer)


def status_change_input(
    *,
    status: ProvisionStatus | str,
    at: datetime | None = None,
    local: str | None = None,
    time_zone: str | None = None,
    evidence: Iterable[Evidence] = (),
    note: str | None = None,
) -> StatusChange:
    """Check the parts of a status change given through an interface; ``InvalidInput``
    lists every problem (``status``, ``at``, ``local``, ``time_zone``, ``evidence[i]``, ``note``).
    """
    problems: list[dict[str, Any]] = []
    new_status: ProvisionStatus | None = None
    try:
        new_status = ProvisionStatus(status)
    except ValueError:
        problems.append(
            problem(
                "status",
                N_("unknown status %(status)s; one of: %(choices)s"),
                status=repr(status),
                choices=coded_words("provision_status", ProvisionStatus),
            )
        )
    instant = _instant_input(at, _clean(local), _clean(time_zone), problems)
    references = _evidence_input(evidence, problems)
    note = _clean(note)
    if note is not None and len(note) > MAX_NOTE:
        problems.append(
            problem("note", N_("longer than %(max_note)s characters"), max_note=MAX_NOTE)
        )
    if problems or new_status is None or instant is None:
        raise InvalidInput.worded(
            N_("invalid status change: %(names)s"),
            details=problems,
            names=", ".join(p["loc"] for p in problems),
        )
    return StatusChange(status=new_status, at=instant, evidence=references, note=note)


def _clean(value: str | None) -> str | None:
    value = value.strip() if value is not None else None
    return value or None


def _instant_input(
    at: datetime | None,
    local: str | None,
    time_zone: str | None,
    problems: list[dict[str, Any]],
) -> SourceInstant | None:
    """The instant of a status change; see :func:`record_provision_status`."""
    before = len(problems)
    if at is not None and (at.tzinfo is None or at.tzinfo.utcoffset(at) is None):
        problems.append(problem("at", N_("needs a time zone offset (e.g. Z or +04:00)")))
    if time_zone is not None:
        try:
            zone_info(time_zone)
        except ValueError:
            problems.append(
                problem(
                    "time_zone",
                    N_("not an IANA time zone: %(time_zone)s"),
                    time_zone=repr(time_zone),
                )
            )
    if local is not None and time_zone is None:
        problems.append(problem("time_zone", N_("required with local")))
    if at is None and local is None:
        problems.append(problem("at", N_("required (or local with time_zone)")))
    if len(problems) > before:
        return None
    instant: SourceInstant | None = None
    if local is not None:
        assert time_zone is not None
        try:
            instant = SourceInstant.parse(local, time_zone)
        except ValueError as exc:
            problems.append(problem("local", N_("not a local date or time: %(exc)s"), exc=exc))
            return None
        if at is not None and ensure_utc(at) != instant.at:
            problems.append(
                problem(
                    "local",
                    N_("%(local)s %(time_zone)s is %(at)s, not %(at2)s (at)"),
                    local=local,
                    time_zone=time_zone,
                    at=iso(instant.at),
                    at2=iso(ensure_utc(at)),
                )
            )
            return None
    else:
        assert at is not None
        when = ensure_utc(at)
        zone = time_zone or "UTC"
        text = when.astimezone(zone_info(zone)).replace(tzinfo=None).isoformat(timespec="seconds")
        instant = SourceInstant(when, text, zone, TimePrecision.MINUTE)
    if instant.at > utcnow():
        problems.append(problem("at", N_("%(at)s is in the future"), at=iso(instant.at)))
        return None
    return instant


def _evidence_input(
    evidence: Iterable[Evidence], problems: list[dict[str, Any]]
) -> tuple[Evidence, ...]:
    references = []
    items = list(evidence)
    if not items:
        problems.append(problem("evidence", N_("at least one evidence reference is needed")))
    if len(items) > MAX_EVIDENCE:
        problems.append(
            problem(
                "evidence", N_("more than %(max_evidence)s references"), max_evidence=MAX_EVIDENCE
            )
        )
    for index, item in enumerate(items):
        cleaned = Evidence(source=_clean(item.source), ref=_clean(item.ref), note=_clean(item.note))
        if cleaned.source is None and cleaned.ref is None:
            problems.append(problem(f"evidence[{index}]", N_("needs a source or a ref")))
        for name, limit in MAX_EVIDENCE_FIELD.items():
            value = getattr(cleaned, name)
            if value is not None and len(value) > limit:
                problems.append(
                    problem(
                        f"evidence[{index}].{name}",
                        N_("longer than %(limit)s characters"),
                        limit=limit,
                    )
                )
        references.append(cleaned)
    return tuple(references)


def _record_change(
    ctx: ServiceContext,
    agreement_id: str,
    provision_id: str,
    change: StatusChange,
    actor: Actor,
    *,
    viewer: Viewer | None,
) -> ProvisionStatusRecorded:
    """Store ``change`` (checked input) with its ledger entry, unless already recorded.

    With ``viewer``, only an operator or a current monitor of the agreement may.
    """
    # The same change may be recorded concurrently (the unique key on provision, instant
    # and status).
    return _once_more_if_raced(
        ctx,
        lambda session: _store_change(
            session, ctx.settings, agreement_id, provision_id, change, actor, viewer
        ),
    )


def _store_change(
    session: Session,
    settings: Settings,
    agreement_id: str,
    provision_id: str,
    change: StatusChange,
    actor: Actor,
    viewer: Viewer | None,
) -> ProvisionStatusRecorded:
    stored = _load(session, agreement_id, None)
    provision = stored.provision(provision_id)
    if viewer is not None and not viewer.operator and not is_monitor(session, viewer, agreement_id):
        raise Forbidden.worded(
            N_("only an operator or a monitor of %(agreement_id)s may record a provision's status"),
            agreement_id=agreement_id,
        )
    if provision.parts:
        raise InvalidInput.worded(
            N_("provision %(provision_id)s takes its status from its parts"),
            details=[
                problem(
                    "provision_id",
                    N_("record the status on a part: %(items)s"),
                    items=", ".join(p.id for p in provision.parts),
                )
            ],
            provision_id=repr(provision_id),
        )
    known_sources = {s.id for s in stored.agreement.sources}
    unknown = [
        problem(
            f"evidence[{index}].source",
            N_(
                "no source %(source)s in %(agreement_id)s (known: %(items)s);"
                " an outside reference goes in ref"
            ),
            source=repr(item.source),
            agreement_id=agreement_id,
            items=(", ".join(sorted(known_sources)) or "none"),
        )
        for index, item in enumerate(change.evidence)
        if item.source is not None and item.source not in known_sources
    ]
    if unknown:
        raise InvalidInput.worded(N_("evidence names an unknown source"), details=unknown)
    if viewer is not None:
        _check_record_refs(session, viewer, agreement_id, change)
    existing = session.execute(
        select(ProvisionStatusChangeRow).where(
            ProvisionStatusChangeRow.agreement_id == agreement_id,
            ProvisionStatusChangeRow.provision_id == provision_id,
            ProvisionStatusChangeRow.at == change.at.at,
            ProvisionStatusChangeRow.status == change.status.value,
        )
    ).scalar_one_or_none()
    if existing is not None:
        _check_same_change(existing, change)
        return ProvisionStatusRecorded(recorded=False, status_change=_status_record(existing))
    row = _record_status_change(
        session,
        settings,
        agreement_id,
        provision_id,
        change,
        actor,
        origin="service",
        version=stored.version,
    )
    _announce(session, agreement_id, PROVISION_STATUS_RECORDED)
    return ProvisionStatusRecorded(recorded=True, status_change=_status_record(row))


def _check_record_refs(
    session: Session, viewer: Viewer, agreement_id: str, change: StatusChange
) -> None:
    """An id the centre makes in an evidence ``ref`` or ``note``, or in the status's
    ``note`` (``rep-…``, ``report:rep-…``, a URL ending in one), names that record: a status
    is public, so it may cite only a report or incident the recorder may read, of this
    agreement, checked where every reference between records is
    (:func:`ceasefire.incidents.service.check_cited_records`: ``NotFound`` for a record the
    recorder may not read, as for one that does not exist; ``InvalidInput`` otherwise, each
    naming the field). Any other text is free (a URL, a document)."""
    scope = ReadScope.load(session, viewer)
    cited = [
        (f"evidence[{index}].{field}", text or "")
        for index, item in enumerate(change.evidence)
        for field, text in (("ref", item.ref), ("note", item.note))
    ]
    check_cited_records(session, scope, [*cited, ("note", change.note or "")], agreement_id)


def _check_same_change(row: ProvisionStatusChangeRow, change: StatusChange) -> None:
    """A change already recorded may be sent again, but not with other details."""
    differ = [
        name
        for name, recorded, given in (
            ("local", (row.at_local, row.at_precision), (change.at.local, change.at.precision)),
            ("time_zone", row.at_time_zone, change.at.time_zone),
            ("evidence", row.evidence, _evidence_list(change.evidence)),
            ("note", row.note, change.note),
        )
        if recorded != given
    ]
    if differ:
        raise Conflict.worded(
            N_(
                "%(provision_id)s already has status %(status)s recorded at %(at)s (ledger entry "
                "%(ledger_seq)s) with other %(names)s; the record is append-only"
            ),
            details=[problem(name, N_("differs from the recorded change")) for name in differ],
            provision_id=row.provision_id,
            status=repr(row.status),
            at=iso(row.at),
            ledger_seq=row.ledger_seq,
            names=", ".join(differ),
        )


def _status_record(row: ProvisionStatusChangeRow) -> StatusChangeRecordPublic:
    at = SourceInstantPublic(
        at=iso(row.at),
        local=row.at_local,
        time_zone=row.at_time_zone,
        precision=TimePrecision(row.at_precision),
    )
    return shape_of(StatusChangeRecordPublic, row, at=at, recorded_at=iso(row.recorded_at))


# -- reads ------------------------------------------------------------------------------------


def list_agreements(ctx: ServiceContext) -> list[AgreementSummaryPublic]:
    """Every agreement with its current version."""
    with ctx.reader() as session:
        rows = session.execute(
            select(AgreementRow, AgreementVersionRow)
            .join(
                AgreementVersionRow,
                (AgreementVersionRow.agreement_id == AgreementRow.id)
                & (AgreementVersionRow.version == AgreementRow.current_version),
            )
            .order_by(AgreementRow.id)
        ).all()
        counts = {
            agreement_id: len(flat_provisions(version.document))
            for agreement_id, version in ((a.id, v) for a, v in rows)
        }
        return [
            AgreementSummaryPublic(
                id=a.id,
                title=a.title,
                kind=AgreementKind(a.kind),
                version=a.current_version,
                content_sha256=v.content_sha256,
                loaded_at=iso(v.loaded_at),
                provisions=len(v.document.get("provisions") or []),
                provisions_and_parts=counts[a.id],
                effective=_effective(v.document),
            )
            for a, v in rows
        ]


def list_versions(ctx: ServiceContext, agreement_id: str) -> AgreementVersionsPublic:
    """Every stored version of an agreement, oldest first, with what each changed."""
    with ctx.reader() as session:
        _agreement_or_404(session, agreement_id)
        rows = session.scalars(
            select(AgreementVersionRow)
            .where(AgreementVersionRow.agreement_id == agreement_id)
            .order_by(AgreementVersionRow.version)
        )
        return AgreementVersionsPublic(
            agreement=agreement_id,
            versions=[
                shape_of(AgreementVersionPublic, r, loaded_at=iso(r.loaded_at)) for r in rows
            ],
        )


def _effective(document: dict[str, Any]) -> EffectiveLocalPublic:
    raw = document.get("effective")
    if isinstance(raw, str):
        return EffectiveLocalPublic(local=raw, time_zone=document.get("time_zone"))
    assert isinstance(raw, dict)
    return EffectiveLocalPublic(
        local=raw.get("local"), time_zone=raw.get("time_zone", document.get("time_zone"))
    )


def get_agreement(
    ctx: ServiceContext,
    agreement_id: str,
    version: int | None = None,
    *,
    reader: Viewer | None = None,
) -> StoredAgreement:
    """Agreement ``agreement_id`` at ``version`` (default: current); ``NotFound`` if unknown.

    With ``reader`` (whoever the agreement is shown to: the API's and the web's caller, the
    public without a token), its statuses are as :func:`history_as_read` shows them to it."""
    with ctx.reader() as session:
        stored = _load(session, agreement_id, version)
        if reader is None:
            return stored
        return replace(stored, agreement=history_as_read(session, reader, stored.agreement))


def status_texts(
    note: str | None, evidence: Iterable[tuple[str | None, str | None]]
) -> list[str | None]:
    """The free text of a status where its recorder may cite a record by id: its ``note``
    and each evidence's ``(ref, note)``."""
    return [note, *(text for pair in evidence for text in pair)]


def amendment_texts(
    reason: str | None,
    instrument: str | None,
    decided_note: str | None,
    evidence: Iterable[tuple[str | None, str | None]],
) -> list[str | None]:
    """The free text of a deadline amendment where its agreement file may cite a record by
    id: its ``reason``, its ``instrument``, the note on when it was decided and each
    evidence's ``(ref, note)``."""
    return [instrument, decided_note, *status_texts(reason, evidence)]


def unreadable_in_statuses(
    session: Session, reader: Viewer, statuses: Iterable[list[str | None]]
) -> set[str]:
    """The ids cited in ``statuses`` (each :func:`status_texts` or :func:`amendment_texts`)
    that ``reader`` may not read (:func:`ceasefire.reports.service.unreadable_ids`): what
    :func:`history_as_read` masks, and what withholds a status's or an amendment's ledger
    payload from a member (``agreements.check.PAYLOAD_RULE``)."""
    texts = [text for status in statuses for text in status]
    return unreadable_ids(session, ReadScope.load(session, reader), texts)


def _pairs(evidence: Iterable[Evidence]) -> list[tuple[str | None, str | None]]:
    return [(e.ref, e.note) for e in evidence]


def history_as_read(session: Session, reader: Viewer, agreement: Agreement) -> Agreement:
    """``agreement`` with each status's evidence (``ref``, ``note``) and ``note``, and each
    deadline amendment's ``reason``, ``instrument`` and evidence, as ``reader`` may read
    them: the id of a report or incident it may not read shown as ``[…]``
    (:func:`ceasefire.reports.service.unreadable_ids`, the one rule of every text citing
    records). A status and an amendment are public record, and their recorder may cite what
    it reads (an internal incident of the agreement, for a monitor or the operator loading
    the file), or what they cite may be made internal later: its id is not the public's to
    read. Every view of an agreement shown to a reader (the API, the web's tracker, the
    compliance deadlines and histories) passes here."""
    provisions = agreement.all_provisions()
    cited = [status_texts(c.note, _pairs(c.evidence)) for p in provisions for c in p.status_history]
    cited += [
        amendment_texts(a.reason, a.instrument, a.decided.note, _pairs(a.evidence))
        for p in provisions
        if p.deadline is not None
        for a in p.deadline.amendments
    ]
    hidden = unreadable_in_statuses(session, reader, cited)
    if not hidden:
        return agreement

    def masked(text: str | None) -> str | None:
        return None if text is None else masked_text(text, hidden)

    def evidence(items: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
        return tuple(replace(e, ref=masked(e.ref), note=masked(e.note)) for e in items)

    def deadline(found: Deadline | None) -> Deadline | None:
        if found is None:
            return None
        amendments = tuple(
            replace(
                a,
                reason=masked_text(a.reason, hidden),
                instrument=masked(a.instrument),
                decided=replace(a.decided, note=masked(a.decided.note)),
                evidence=evidence(a.evidence),
            )
            for a in found.amendments
        )
        return replace(found, amendments=amendments)

    def as_read(provision: Provision) -> Provision:
        return replace(
            provision,
            status_history=tuple(
                replace(c, note=masked(c.note), evidence=evidence(c.evidence))
                for c in provision.status_history
            ),
            deadline=deadline(provision.deadline),
            parts=tuple(as_read(part) for part in provision.parts),
        )

    return replace(agreement, provisions=tuple(as_read(p) for p in agreement.provisions))


def _agreement_or_404(
    session: Session, agreement_id: str, *, field: str = "agreement_id"
) -> AgreementRow:
    """The agreement's row; ``NotFound`` (on ``field``) if there is none."""
    row = session.get(AgreementRow, agreement_id)
    if row is None:
        raise NotFound.unknown(
            N_("no agreement %(id)s"), agreement_id, field=field, reason=N_("unknown id")
        )
    return row


def _load(session: Session, agreement_id: str, version: int | None) -> StoredAgreement:
    row = _agreement_or_404(session, agreement_id)
    number = version if version is not None else row.current_version
    stored = session.get(AgreementVersionRow, (agreement_id, number))
    if stored is None:
        raise NotFound.worded(
            N_(
                "agreement %(agreement_id)s has no version %(number)s (current: "
                "%(current_version)s)"
            ),
            details=[
                problem(
                    "version", N_("1..%(current_version)s"), current_version=row.current_version
                )
            ],
            agreement_id=repr(agreement_id),
            number=number,
            current_version=row.current_version,
        )
    agreement = _parsed(session, stored).with_history(_history(session, agreement_id))
    return StoredAgreement.of(agreement, stored, row.current_version)


_PARSED_CACHE_KEY = "agreements.parsed"
_PARSED_CACHE_SIZE = 32


def _parsed_cache(session: Session) -> dict[str, Agreement] | None:
    ctx = session.info.get(SESSION_CONTEXT_KEY)
    return ctx.caches.setdefault(_PARSED_CACHE_KEY, {}) if isinstance(ctx, ServiceContext) else None


def _parsed(session: Session, stored: AgreementVersionRow) -> Agreement:
    """A stored version checked and built once per context (keyed by its content hash: a
    version's document never changes); without a context, every time."""
    cache = _parsed_cache(session)
    if cache is not None and stored.content_sha256 in cache:
        return cache[stored.content_sha256]
    checked = check_data(stored.document, file=f"{stored.agreement_id}@v{stored.version}")
    agreement = checked.raise_if_invalid()
    if cache is not None:
        if len(cache) >= _PARSED_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[stored.content_sha256] = agreement
    return agreement


_CURRENT_KEY = "agreements.current"
"""Where a session keeps the current agreements it has read (``session.info``)."""


def _current_memo(session: Session) -> dict[str, StoredAgreement | None]:
    memo: dict[str, StoredAgreement | None] = session.info.setdefault(_CURRENT_KEY, {})
    return memo


def _forget_current(session: Session, agreement_id: str) -> None:
    """Drop what ``current_agreement`` remembered of ``agreement_id`` in this session: called
    by every write that changes it (a new version, a recorded provision status)."""
    _current_memo(session).pop(agreement_id, None)


def current_agreement(session: Session, agreement_id: str) -> StoredAgreement | None:
    """The current version of ``agreement_id`` with its status history, read in the
    caller's session (a unit of work of another area); ``None`` if it was never loaded.

    Read once per session (its unit of work): other areas call this on every change they
    evaluate (fusing a batch of reports, once per incident). The session remembers it
    until it ends or this area changes the agreement in it (``_forget_current``); nothing
    else writes an agreement's version or its status history."""
    memo = _current_memo(session)
    if agreement_id not in memo:
        memo[agreement_id] = _read_current(session, agreement_id)
    return memo[agreement_id]


def _read_current(session: Session, agreement_id: str) -> StoredAgreement | None:
    """``current_agreement`` read from the database: two queries when the version was
    parsed before in this context (its document is read only the first time)."""
    found = session.scalars(
        select(AgreementVersionRow)
        .options(defer(AgreementVersionRow.document))
        .join(
            AgreementRow,
            (AgreementRow.id == AgreementVersionRow.agreement_id)
            & (AgreementRow.current_version == AgreementVersionRow.version),
        )
        .where(AgreementRow.id == agreement_id)
    ).one_or_none()
    if found is None:
        return None
    cache = _parsed_cache(session)
    agreement = cache.get(found.content_sha256) if cache is not None else None
    if agreement is None:
        agreement = _parsed(session, found)
    history = _history(session, agreement_id)
    return StoredAgreement.of(agreement.with_history(history), found, found.version)


def _history(session: Session, agreement_id: str) -> dict[str, tuple[StatusChange, ...]]:
    rows = session.scalars(
        select(ProvisionStatusChangeRow)
        .where(ProvisionStatusChangeRow.agreement_id == agreement_id)
        .order_by(ProvisionStatusChangeRow.at, ProvisionStatusChangeRow.id)
    )
    history: dict[str, list[StatusChange]] = {}
    for row in rows:
        history.setdefault(row.provision_id, []).append(
            StatusChange(
                status=ProvisionStatus(row.status),
                at=SourceInstant(
                    row.at, row.at_local, row.at_time_zone, TimePrecision(row.at_precision)
                ),
                evidence=tuple(
                    Evidence(source=e.get("source"), ref=e.get("ref"), note=e.get("note"))
                    for e in row.evidence
                ),
                note=row.note,
            )
        )
    return {key: tuple(value) for key, value in history.items()}


def list_zones(
    ctx: ServiceContext, *, as_of: datetime | None = None, agreement_id: str | None = None
) -> ZoneCollectionPublic:
    """The zones of the current agreement versions as a GeoJSON FeatureCollection.

    With ``as_of`` only zones valid at that instant are included.
    """
    with ctx.reader() as session:
        query = select(ZoneRow).where(ZoneRow.retired_in_version.is_(None))
        if agreement_id is not None:
            _agreement_or_404(session, agreement_id, field="agreement")
            query = query.where(ZoneRow.agreement_id == agreement_id)
        rows = session.scalars(query.order_by(ZoneRow.agreement_id, ZoneRow.zone_id)).all()
        features = []
        for row in rows:
            if as_of is not None and (
                (row.valid_from is not None and as_of < row.valid_from)
                or (row.valid_until is not None and as_of >= row.valid_until)
            ):
                continue
            features.append(
                ZoneFeaturePublic(
                    type="Feature",
                    id=f"{row.agreement_id}/{row.zone_id}",
                    geometry=row.geometry,
                    properties=ZonePropertiesPublic(
                        agreement=row.agreement_id,
                        agreement_version=row.agreement_version,
                        zone=row.zone_id,
                        name=row.name,
                        kind=ZoneKind(row.kind),
                        precision=row.precision,
                        valid_from=iso(row.valid_from) if row.valid_from else None,
                        valid_until=iso(row.valid_until) if row.valid_until else None,
                    ),
                )
            )
    return ZoneCollectionPublic(type="FeatureCollection", features=features)


# -- demo -------------------------------------------------------------------------------------


def load_shipped(ctx: ServiceContext, *, actor: Actor | None = None) -> list[LoadResult]:
    """Load the shipped agreement files (idempotent: unchanged files add nothing)."""
    who = actor or Actor.centre()
    return [load_file(ctx, path, actor=who) for path in shipped_agreement_paths()]


def setup_agreements(ctx: ServiceContext, *, demo: bool) -> list[str]:
    """The ``init`` step: with ``demo``, load the shipped agreements (idempotently)."""
    if not demo:
        return []
    steps = []
    for result in load_shipped(ctx):
        state = "loaded as version" if result.new_version else "unchanged, version"
        steps.append(f"agreement {result.agreement_id} {state} {result.version}")
    return steps
