"""Agreements, their provisions, deadlines, zones and terms: the pure rules.

Everything here is immutable and free of storage or web concerns. The agreement file loader
(``ceasefire.agreements``) builds these objects; services store and query them.

Time rules, stated once:

- Every instant is an aware UTC ``datetime``. Where the source gives a local time and zone
  (the 2020 statement took effect at 00:00 Moscow time), a ``SourceInstant`` keeps the local
  text and the IANA zone beside the UTC value.
- A deadline is a calendar date in a time zone ("by 20 November"): the provision is due by
  the *end* of that day there, and becomes overdue at the next local midnight.
- Term arithmetic is done on calendar dates in the agreement's zone: a 60-month term starting
  10 Nov 2020 expires 10 Nov 2025; a 6-month notice deadline falls on 10 May 2025. Adding months
  to the 29th-31st clamps to the month's last day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_

if TYPE_CHECKING:
    from ceasefire.agreements.rules import Rule


class AgreementKind(StrEnum):
    CEASEFIRE = "ceasefire"
    MEMORANDUM = "memorandum"
    FOLLOW_ON_STATEMENT = "follow_on_statement"
    PROTOCOL = "protocol"
    OTHER = "other"


class PartyRole(StrEnum):
    """What a party is to an agreement; a party may hold several roles."""

    SIGNATORY = "signatory"
    GUARANTOR = "guarantor"
    MEDIATOR = "mediator"
    MONITOR = "monitor"
    OBSERVER = "observer"
    MONITORED = "monitored"
    """A party whose observance is monitored under the agreement without signing it."""


class ProvisionKind(StrEnum):
    CESSATION_OF_HOSTILITIES = "cessation_of_hostilities"
    HANDOVER = "handover"
    WITHDRAWAL = "withdrawal"
    DEPLOYMENT = "deployment"
    CORRIDOR = "corridor"
    EXCHANGE = "exchange"
    RETURN = "return"
    TRANSPORT_LINK = "transport_link"
    MONITORING_BODY = "monitoring_body"
    OTHER = "other"


class ProvisionStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    BREACHED = "breached"
    OVERDUE = "overdue"
    SUPERSEDED = "superseded"


OPEN_STATUSES = frozenset({ProvisionStatus.PENDING, ProvisionStatus.IN_PROGRESS})
"""Statuses under which a passed deadline makes a provision overdue."""


class ZoneKind(StrEnum):
    LINE_OF_CONTACT = "line_of_contact"
    CORRIDOR = "corridor"
    HANDOVER_AREA = "handover_area"
    BUFFER = "buffer"
    WITHDRAWAL_ZONE = "withdrawal_zone"
    OBSERVATION_POST_AREA = "observation_post_area"
    OTHER = "other"


class TimePrecision(StrEnum):
    MINUTE = "minute"
    DAY = "day"


# -- time -------------------------------------------------------------------------------------


def zone_info(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ``ValueError`` if it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_midnight(day: date, time_zone: str) -> datetime:
    """00:00 local time on ``day`` in ``time_zone``, as UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=zone_info(time_zone)).astimezone(UTC)


def local_date(instant: datetime, time_zone: str) -> date:
    """The calendar date of ``instant`` in ``time_zone``."""
    return instant.astimezone(zone_info(time_zone)).date()


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class SourceInstant:
    """An instant as a source states it: local text and zone kept beside the UTC value."""

    at: datetime
    local: str
    time_zone: str
    precision: TimePrecision
    note: str | None = None

    @classmethod
    def parse(cls, local: str, time_zone: str, note: str | None = None) -> SourceInstant:
        """``local`` is ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]`` without an offset.

        A date alone means 00:00 local time that day, with ``day`` precision.
        Raises ``ValueError`` naming what is wrong.
        """
        tz = zone_info(time_zone)
        text = local.strip()
        if len(text) == 10:
            day = date.fromisoformat(text)
            value = datetime.combine(day, time(0, 0), tzinfo=tz)
            precision = TimePrecision.DAY
        else:
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is not None:
                raise ValueError(
                    worded_text(
                        N_(
                            "%(value)s carries an offset; give the local time and the zone "
                            "separately"
                        ),
                        value=repr(local),
                    )
                )
            value = parsed.replace(tzinfo=tz)
            precision = TimePrecision.MINUTE
        return cls(value.astimezone(UTC), text, time_zone, precision, note)

    def to_dict(self) -> dict[str, Any]:
        result = {
            "at": iso(self.at),
            "local": self.local,
            "time_zone": self.time_zone,
            "precision": self.precision.value,
        }
        if self.note:
            result["note"] = self.note
        return result


def iso(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- parties, sources, evidence ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    roles: tuple[PartyRole, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """A document the agreement file's facts come from, referenced by its ``id``."""

    id: str
    citation: str
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A reference supporting a recorded fact: a source of the file, or an outside record."""

    source: str | None = None
    ref: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        pairs = (("source", self.source), ("ref", self.ref), ("note", self.note))
        return {key: value for key, value in pairs if value is not None}


@dataclass(frozen=True, slots=True)
class SourceDisagreement:
    """Sources that disagree about a provision: recorded, never silently resolved."""

    id: str
    about: tuple[str, ...]
    description: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dispute:
    """A provision whose wording or meaning the parties dispute."""

    note: str
    sources: tuple[str, ...] = ()


# -- deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineAmendment:
    """A change of a deadline: who asked, who decided, when, why, and the previous value."""

    previous: date
    due: date
    decided: SourceInstant
    reason: str
    requested_by: str | None = None
    decided_by: tuple[str, ...] = ()
    instrument: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "previous": self.previous.isoformat(),
            "due": self.due.isoformat(),
            "decided": self.decided.to_dict(),
            "reason": self.reason,
            "requested_by": self.requested_by,
            "decided_by": list(self.decided_by),
            "instrument": self.instrument,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due date in a time zone, with the history of its amendments (oldest first)."""

    due: date
    time_zone: str
    amendments: tuple[DeadlineAmendment, ...] = ()

    @property
    def original(self) -> date:
        """The due date as first agreed, before any amendment."""
        return self.amendments[0].previous if self.amendments else self.due

    def chain_problems(self) -> list[str]:
        """What is wrong with the amendment chain (empty when it is consistent).

        Each amendment's ``previous`` must be the due date before it, amendments must be in
        the order they were decided, and the last one must give the current ``due``.
        """
        problems: list[str] = []
        expected = self.original
        last_decided: datetime | None = None
        for index, amendment in enumerate(self.amendments):
            if amendment.previous != expected:
                problems.append(
                    worded_text(
                        N_(
                            "amendment %(number)s: previous is %(previous)s "
                            "but the due date before it was %(expected)s"
                        ),
                        number=index + 1,
                        previous=amendment.previous.isoformat(),
                        expected=expected.isoformat(),
                    )
                )
            if amendment.previous == amendment.due:
                problems.append(
                    worded_text(
                        N_("amendment %(number)s: does not change the due date"), number=index + 1
                    )
                )
            if last_decided is not None and amendment.decided.at < last_decided:
                problems.append(
                    worded_text(
                        N_("amendment %(number)s: decided before the amendment it follows"),
                        number=index + 1,
                    )
                )
            last_decided = amendment.decided.at
            expected = amendment.due
        if self.amendments and expected != self.due:
            problems.append(
                worded_text(
                    N_("due is %(due)s but the last amendment sets %(expected)s"),
                    due=self.due.isoformat(),
                    expected=expected.isoformat(),
                )
            )
        return problems

    def due_as_of(self, instant: datetime) -> date:
        """The due date in force at ``instant``: amendments decided later are not yet known."""
        due = self.original
        for amendment in self.amendments:
            if amendment.decided.at <= instant:
                due = amendment.due
        return due

    def overdue_after(self, due: date | None = None) -> datetime:
        """The instant the due day ends locally (overdue strictly after it)."""
        return local_midnight((due or self.due) + timedelta(days=1), self.time_zone)

    def to_dict(self, as_of: datetime | None = None) -> dict[str, Any]:
        due = self.due if as_of is None else self.due_as_of(as_of)
        amendments = [a for a in self.amendments if as_of is None or a.decided.at <= as_of]
        return {
            "due": due.isoformat(),
            "time_zone": self.time_zone,
            "overdue_after": iso(self.overdue_after(due)),
            "original": self.original.isoformat(),
            "amendments": [a.to_dict() for a in amendments],
        }


# -- status -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A provision's status from ``at`` on, with the evidence it rests on."""

    status: ProvisionStatus
    at: SourceInstant
    evidence: tuple[Evidence, ...] = ()
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "at": self.at.to_dict(),
            "evidence": [e.to_dict() for e in self.evidence],
            "note": self.note,
        }


def recorded_status_as_of(
    history: tuple[StatusChange, ...] | list[StatusChange], instant: datetime
) -> ProvisionStatus:
    """The last status recorded at or before ``instant``; ``pending`` before any."""
    current = ProvisionStatus.PENDING
    latest: datetime | None = None
    for change in history:
        # Ties keep the later entry: history is in recording order.
        if change.at.at <= instant and (latest is None or change.at.at >= latest):
            current = change.status
            latest = change.at.at
    return current


def aggregate_status(statuses: list[ProvisionStatus]) -> ProvisionStatus:
    """The status of a provision made of parts, from the parts' statuses.

    Breached or overdue parts dominate (in that order); all fulfilled (or superseded) is
    fulfilled; all superseded is superseded; any progress is in progress; else pending.
    """
    if not statuses:
        return ProvisionStatus.PENDING
    present = set(statuses)
    if ProvisionStatus.BREACHED in present:
        return ProvisionStatus.BREACHED
    if ProvisionStatus.OVERDUE in present:
        return ProvisionStatus.OVERDUE
    if present == {ProvisionStatus.SUPERSEDED}:
        return ProvisionStatus.SUPERSEDED
    if present <= {ProvisionStatus.FULFILLED, ProvisionStatus.SUPERSEDED}:
        return ProvisionStatus.FULFILLED
    if present & {ProvisionStatus.FULFILLED, ProvisionStatus.IN_PROGRESS}:
        return ProvisionStatus.IN_PROGRESS
    return ProvisionStatus.PENDING


# -- provisions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provision:
    """One obligation of an agreement, or a point made of several (``parts``).

    ``id`` is stable across versions and never reused. A provision with parts carries no
    deadline or status of its own: its status is derived from its parts.
    """

    id: str
    number: str
    title: str
    text: str
    kind: ProvisionKind
    obligated: tuple[str, ...] = ()
    beneficiaries: tuple[str, ...] = ()
    deadline: Deadline | None = None
    zones: tuple[str, ...] = ()
    quantities: Mapping[str, int] = field(default_factory=dict)
    disputed: Dispute | None = None
    notes: tuple[str, ...] = ()
    status_history: tuple[StatusChange, ...] = ()
    parts: tuple[Provision, ...] = ()
    parent: str | None = None

    def walk(self) -> Iterator[Provision]:
        """This provision and its parts, depth first."""
        yield self
        for part in self.parts:
            yield from part.walk()

    def recorded_status_as_of(self, instant: datetime) -> ProvisionStatus:
        if self.parts:
            return aggregate_status([p.recorded_status_as_of(instant) for p in self.parts])
        return recorded_status_as_of(self.status_history, instant)

    def is_overdue_as_of(self, instant: datetime) -> bool:
        """Open (pending or in progress) after the deadline in force at ``instant`` ended."""
        if self.parts or self.deadline is None:
            return False
        if recorded_status_as_of(self.status_history, instant) not in OPEN_STATUSES:
            return False
        due = self.deadline.due_as_of(instant)
        return instant >= self.deadline.overdue_after(due)

    def status_as_of(self, instant: datetime) -> ProvisionStatus:
        """The status at ``instant``: the recorded one, or ``overdue`` if its deadline passed."""
        if self.parts:
            return aggregate_status([p.status_as_of(instant) for p in self.parts])
        if self.is_overdue_as_of(instant):
            return ProvisionStatus.OVERDUE
        return recorded_status_as_of(self.status_history, instant)

    def with_history(self, history: Mapping[str, tuple[StatusChange, ...]]) -> Provision:
        """A copy whose status histories (own and parts') come from ``history`` by id."""
        return replace(
            self,
            status_history=history.get(self.id, ()),
            parts=tuple(p.with_history(history) for p in self.parts),
        )


# -- term -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermNotice:
    """A party's notice that it will not renew the term."""

    party: str
    given: SourceInstant
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TermPeriod:
    """One period of a term: the first (index 0) or a renewal."""

    index: int
    starts: date
    expires: date
    notice_deadline: date
    time_zone: str
    renews: bool
    """Whether it is followed by another period (automatic renewal, no notice in time)."""

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.starts, self.time_zone)

    @property
    def expires_at(self) -> datetime:
        return local_midnight(self.expires, self.time_zone)

    @property
    def notice_closes_at(self) -> datetime:
        """The end of the notice deadline day: notice given by then stops renewal."""
        return local_midnight(self.notice_deadline + timedelta(days=1), self.time_zone)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "starts": self.starts.isoformat(),
            "expires": self.expires.isoformat(),
            "notice_deadline": self.notice_deadline.isoformat(),
            "starts_at": iso(self.starts_at),
            "expires_at": iso(self.expires_at),
            "notice_closes_at": iso(self.notice_closes_at),
            "renews_automatically": self.renews,
        }


MAX_TERM_PERIODS = 1000
"""A bound on renewals walked, so a malformed term cannot loop forever."""


@dataclass(frozen=True, slots=True)
class Term:
    """How long an agreement (or a deployment under it) lasts and how it renews.

    ``notice_months`` before each expiry is the last day a party can stop the next renewal;
    a notice given later counts for the following period.
    """

    starts: date
    time_zone: str
    length_months: int
    automatic_renewal: bool = False
    renewal_months: int | None = None
    notice_months: int = 0
    notices: tuple[TermNotice, ...] = ()
    applies_to: tuple[str, ...] = ()
    """Provision ids the term comes from (e.g. point 4 of the 2020 statement)."""

    def _bounds(self, index: int) -> tuple[date, date]:
        if index == 0:
            return self.starts, add_months(self.starts, self.length_months)
        step = self.renewal_months or self.length_months
        return (
            add_months(self.starts, self.length_months + (index - 1) * step),
            add_months(self.starts, self.length_months + index * step),
        )

    def notice_deadline(self, index: int) -> date:
        """The last day notice stops the renewal that follows period ``index``."""
        return add_months(self._bounds(index)[1], -self.notice_months)

    def period(self, index: int) -> TermPeriod:
        """Period ``index`` (0 is the initial term) and whether a renewal follows it."""
        starts, expires = self._bounds(index)
        deadline = self.notice_deadline(index)
        previous = self.notice_deadline(index - 1) if index > 0 else None
        # A notice counts for the first period whose notice deadline is on or after the day
        # it was given (local date): for an earlier period it came too late.
        stopped = any(
            (previous is None or previous < given) and given <= deadline
            for given in (local_date(n.given.at, self.time_zone) for n in self.notices)
        )
        renews = self.automatic_renewal and not stopped
        return TermPeriod(index, starts, expires, deadline, self.time_zone, renews)

    @property
    def initial(self) -> TermPeriod:
        return self.period(0)

    def periods(self) -> Iterator[TermPeriod]:
        """The periods in order, ending with the first one that does not renew."""
        for index in range(MAX_TERM_PERIODS):
            period = self.period(index)
            yield period
            if not period.renews:
                return

    def period_as_of(self, instant: datetime) -> TermPeriod | None:
        """The period in force at ``instant``; ``None`` before the start or after the end."""
        if instant < local_midnight(self.starts, self.time_zone):
            return None
        for period in self.periods():
            if instant < period.expires_at:
                return period
        return None

    def ends(self) -> date | None:
        """When the term ends for good given the notices recorded; ``None`` if it renews on."""
        last = list(self.periods())[-1]
        return None if last.renews else last.expires

    def to_dict(self, as_of: datetime | None = None) -> dict[str, Any]:
        initial = self.initial
        current = self.period_as_of(as_of) if as_of is not None else None
        return {
            "starts": self.starts.isoformat(),
            "time_zone": self.time_zone,
            "length_months": self.length_months,
            "automatic_renewal": self.automatic_renewal,
            "renewal_months": self.renewal_months,
            "notice_months": self.notice_months,
            "applies_to": list(self.applies_to),
            "expires": initial.expires.isoformat(),
            "notice_deadline": initial.notice_deadline.isoformat(),
            "initial_period": initial.to_dict(),
            "as_of": iso(as_of) if as_of is not None else None,
            "period_as_of": current.to_dict() if current else None,
            "notices": [
                {"party": n.party, "given": n.given.to_dict(), "note": n.note} for n in self.notices
            ],
        }


# -- zones ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Zone:
    """An area or line an agreement refers to, as RFC 7946 GeoJSON (WGS84 lon/lat)."""

    id: str
    name: str
    kind: ZoneKind
    geometry: Mapping[str, Any]
    precision: str
    valid_from: SourceInstant | None = None
    valid_until: SourceInstant | None = None
    construction: Mapping[str, Any] | None = None
    sources: tuple[str, ...] = ()
    """Ids of the file's sources the geometry comes from (a line of contact must cite one)."""


# -- agreement --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A provision's deadline as seen at one instant."""

    provision: Provision
    due: date
    overdue_after: datetime
    status: ProvisionStatus

    @property
    def overdue(self) -> bool:
        return self.status is ProvisionStatus.OVERDUE


@dataclass(frozen=True, slots=True)
class Agreement:
    id: str
    title: str
    kind: AgreementKind
    effective: SourceInstant
    parties: tuple[Party, ...]
    provisions: tuple[Provision, ...]
    signed: SourceInstant | None = None
    ended: SourceInstant | None = None
    aliases: tuple[str, ...] = ()
    term: Term | None = None
    sources: tuple[Source, ...] = ()
    disagreements: tuple[SourceDisagreement, ...] = ()
    zones: tuple[Zone, ...] = ()
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    """Other agreements this one cites, by id (e.g. the memorandum cites point 5)."""
    rules: tuple[Rule, ...] = ()
    """Its compliance rules (``ceasefire.agreements.rules``), in file order."""

    def all_provisions(self) -> list[Provision]:
        """Every provision and part, depth first."""
        return [p for top in self.provisions for p in top.walk()]

    def provision(self, provision_id: str) -> Provision | None:
        return next((p for p in self.all_provisions() if p.id == provision_id), None)

    def party(self, code: str) -> Party | None:
        return next((p for p in self.parties if p.code == code), None)

    def with_history(self, history: Mapping[str, tuple[StatusChange, ...]]) -> Agreement:
        """A copy with the provisions' status histories taken from ``history``."""
        return replace(self, provisions=tuple(p.with_history(history) for p in self.provisions))

    def deadlines_as_of(self, instant: datetime) -> list[DeadlineView]:
        """Every provision with a deadline, as it stood at ``instant``, soonest first."""
        views = []
        for provision in self.all_provisions():
            if provision.deadline is None:
                continue
            due = provision.deadline.due_as_of(instant)
            views.append(
                DeadlineView(
                    provision=provision,
                    due=due,
                    overdue_after=provision.deadline.overdue_after(due),
                    status=provision.status_as_of(instant),
                )
            )
        return sorted(views, key=lambda v: (v.overdue_after, v.provision.id))

    def overdue_as_of(self, instant: datetime) -> list[DeadlineView]:
        """Provisions open after their deadline (as amended by then) ended."""
        return [v for v in self.deadlines_as_of(instant) if v.overdue]

    def upcoming_as_of(self, instant: datetime, within: timedelta) -> list[DeadlineView]:
        """Open provisions whose deadline ends after ``instant`` and at most ``within`` later."""
        return [
            v
            for v in self.deadlines_as_of(instant)
            if v.status in OPEN_STATUSES and instant < v.overdue_after <= instant + within
        ]


# Limits of a recorded status: evidence references per record, and the length of a note
# and of each evidence field.
MAX_EVIDENCE = 50
MAX_NOTE = 4000
MAX_EVIDENCE_FIELD = {"source": 80, "ref": 500, "note": 2000}
