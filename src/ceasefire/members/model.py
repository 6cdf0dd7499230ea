"""Members of the centre, their roles per agreement, observation posts and sensors.

Pure values with their validation rules; storage lives in ``ceasefire.members.tables`` and
the use cases in ``ceasefire.members.service``.

A *member* is a state (with its ISO 3166-1 alpha-3 code) or an organisation (e.g. the OSCE
Minsk Group). A member takes part in an agreement through a *role* that is valid for an
interval: ``monitor``, ``party_liaison`` (naming the party it speaks for, e.g. ``"ARM"``) or
``observer``. A member holds at most one role per agreement at any instant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ceasefire.access import Classification, Role, Viewer
from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.timeutil import ensure_utc

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
"""Identifiers of members, users, posts and sensors: lower-case, readable, stable."""

ISO3_RE = re.compile(r"^[A-Z]{3}$")


class MemberKind(StrEnum):
    STATE = "state"
    ORGANISATION = "organisation"


class SensorKind(StrEnum):
    CAMERA = "camera"
    UAV = "uav"
    ACOUSTIC = "acoustic"


def check_slug(value: str, *, field_name: str) -> str:
    """Return ``value`` if it is a valid identifier, else raise InvalidInput naming the field."""
    if not SLUG_RE.match(value):
        raise InvalidInput.worded(
            N_("%(field_name)s: %(value)s is not a valid identifier"),
            details=[
                problem(
                    field_name,
                    N_(
                        "2-64 characters: lower-case letters, digits and '-',"
                        " starting with a letter"
                    ),
                )
            ],
            field_name=field_name,
            value=repr(value),
        )
    return value


def check_named(id_: str, name: str) -> None:
    """What every named record of the area (member, post, sensor) needs: a valid ``id`` and a
    name that is not blank; InvalidInput naming the field otherwise."""
    check_slug(id_, field_name="id")
    if not name.strip():
        raise InvalidInput.worded(
            N_("name must not be empty"), details=[problem("name", N_("empty"))]
        )


def check_party_code(value: str, *, field_name: str = "party") -> str:
    """A party is named by its ISO 3166-1 alpha-3 code (upper-cased here)."""
    code = value.strip().upper()
    if not ISO3_RE.match(code):
        raise InvalidInput.worded(
            N_("%(field_name)s: %(value)s is not an ISO 3166-1 alpha-3 code"),
            details=[problem(field_name, N_("expected three letters, e.g. ARM"))],
            field_name=field_name,
            value=repr(value),
        )
    return code


def check_interval(
    start: datetime, end: datetime | None, *, start_field: str, end_field: str
) -> tuple[datetime, datetime | None]:
    """Normalise a half-open interval ``[start, end)`` to UTC; ``end`` must follow ``start``."""
    start = ensure_utc(start, field=start_field)
    if end is None:
        return start, None
    end = ensure_utc(end, field=end_field)
    if end <= start:
        raise InvalidInput.worded(
            N_("%(end_field)s must be after %(start_field)s"),
            details=[
                problem(
                    end_field,
                    N_("%(end)s is not after %(start)s"),
                    end=end.isoformat(),
                    start=start.isoformat(),
                )
            ],
            end_field=end_field,
            start_field=start_field,
        )
    return start, end


def normalise_interval(record: Any, start_field: str, end_field: str) -> None:
    """:func:`check_interval` on the interval a frozen dataclass ``record`` holds in its
    fields ``start_field`` and ``end_field``, set to what it returns (UTC)."""
    start, end = check_interval(
        getattr(record, start_field),
        getattr(record, end_field),
        start_field=start_field,
        end_field=end_field,
    )
    object.__setattr__(record, start_field, start)
    object.__setattr__(record, end_field, end)


def in_interval(at: datetime, start: datetime, end: datetime | None) -> bool:
    """Whether ``at`` falls in the half-open interval ``[start, end)``."""
    return start <= at and (end is None or at < end)


def intervals_overlap(
    a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None
) -> bool:
    """Whether two half-open intervals share an instant (``None`` end = open-ended)."""
    return (a_end is None or b_start < a_end) and (b_end is None or a_start < b_end)


@dataclass(frozen=True, slots=True)
class Member:
    """A state or organisation taking part in the centre."""

    id: str
    name: str
    kind: MemberKind
    iso3: str | None = None

    def __post_init__(self) -> None:
        check_named(self.id, self.name)
        if self.kind is MemberKind.STATE:
            if self.iso3 is None:
                raise InvalidInput.worded(
                    N_("a state member needs its ISO 3166-1 alpha-3 code"),
                    details=[problem("iso3", N_("required when kind is 'state'"))],
                )
            object.__setattr__(self, "iso3", check_party_code(self.iso3, field_name="iso3"))
        elif self.iso3 is not None:
            raise InvalidInput.worded(
                N_("only a state member has an ISO alpha-3 code"),
                details=[problem("iso3", N_("must be empty when kind is 'organisation'"))],
            )


@dataclass(frozen=True, slots=True)
class MemberRole:
    """A member's role in one agreement, valid over ``[valid_from, valid_to)``."""

    member_id: str
    agreement_id: str
    role: Role
    valid_from: datetime
    valid_to: datetime | None = None
    party: str | None = None

    def __post_init__(self) -> None:
        if not self.agreement_id.strip():
            raise InvalidInput.worded(
                N_("agreement must not be empty"), details=[problem("agreement_id", N_("empty"))]
            )
        if self.role is Role.PARTY_LIAISON:
            if self.party is None:
                raise InvalidInput.worded(
                    N_("a party liaison must name the party it represents"),
                    details=[problem("party", N_("required when role is 'party_liaison'"))],
                )
            object.__setattr__(self, "party", check_party_code(self.party))
        elif self.party is not None:
            raise InvalidInput.worded(
                N_("only a party liaison represents a party"),
                details=[
                    problem("party", N_("must be empty when role is '%(role)s'"), role=self.role)
                ],
            )
        normalise_interval(self, "valid_from", "valid_to")

    def is_valid_at(self, at: datetime) -> bool:
        return in_interval(at, self.valid_from, self.valid_to)

    @classmethod
    def stored(cls, member_id: str, row: Any) -> MemberRole:
        """Member ``member_id``'s role as a row of the roles table (or of a query of its
        ``agreement_id``, ``role``, ``party``, ``valid_from`` and ``valid_to``) holds it."""
        return cls(
            member_id=member_id,
            agreement_id=row.agreement_id,
            role=Role(row.role),
            party=row.party,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )


# Least privilege first: when a member's role cannot be tied to one agreement, it reads with
# the narrowest of its current roles rather than the widest.
_ROLE_ORDER = (Role.PARTY_LIAISON, Role.OBSERVER, Role.MONITOR)


def narrowest_role(roles: Iterable[MemberRole]) -> MemberRole | None:
    """The least-privileged of ``roles`` (``None`` when there are none)."""
    ranked = sorted(roles, key=lambda r: (_ROLE_ORDER.index(r.role), r.party or ""))
    return ranked[0] if ranked else None


def viewer_for_roles(
    *,
    member_id: str,
    user_id: str | None,
    roles: Iterable[MemberRole],
    at: datetime,
    agreement_id: str | None = None,
    operator: bool = False,
) -> Viewer:
    """The Viewer of a member user at ``at``.

    With ``agreement_id`` the viewer reads with its role in that agreement (none if it holds
    none there); without, with the narrowest role it currently holds in any agreement.
    """
    current = [r for r in roles if r.member_id == member_id and r.is_valid_at(at)]
    if agreement_id is not None:
        current = [r for r in current if r.agreement_id == agreement_id]
    chosen = narrowest_role(current)
    return Viewer(
        member_id=member_id,
        user_id=user_id,
        role=chosen.role if chosen else None,
        party=chosen.party if chosen else None,
        operator=operator,
        agreement_id=agreement_id,
    )


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """WGS 84 longitude/latitude (GeoJSON order)."""

    lon: float
    lat: float

    def __post_init__(self) -> None:
        problems = []
        if not -180.0 <= self.lon <= 180.0:
            problems.append(problem("lon", N_("%(lon)s is outside -180..180"), lon=self.lon))
        if not -90.0 <= self.lat <= 90.0:
            problems.append(problem("lat", N_("%(lat)s is outside -90..90"), lat=self.lat))
        if problems:
            raise InvalidInput.worded(N_("coordinates out of range"), details=problems)


@dataclass(frozen=True, slots=True)
class ObservationPost:
    """A fixed observation post, owned by one member or jointly by several.

    ``owners`` is ordered: the first is the lead member. ``independent`` marks a post one
    member runs on its own outside the joint centre (Turkey asked for one).
    ``location_note`` says how exact the location is (e.g. "approximate").
    """

    id: str
    name: str
    owners: tuple[str, ...]
    location: GeoPoint
    active_from: datetime
    active_to: datetime | None = None
    independent: bool = False
    location_note: str | None = None
    classification: Classification = Classification.SHARED

    def __post_init__(self) -> None:
        check_named(self.id, self.name)
        if not self.owners:
            raise InvalidInput.worded(
                N_("a post needs at least one owner member"),
                details=[problem("owners", N_("empty"))],
            )
        if len(set(self.owners)) != len(self.owners):
            raise InvalidInput.worded(
                N_("an owner is listed twice"), details=[problem("owners", N_("duplicate member"))]
            )
        if self.independent and len(self.owners) != 1:
            raise InvalidInput.worded(
                N_("an independent post has exactly one owner"),
                details=[problem("owners", N_("independent posts are run by one member"))],
            )
        normalise_interval(self, "active_from", "active_to")


@dataclass(frozen=True, slots=True)
class Sensor:
    """A camera, UAV or acoustic sensor, attached to exactly one post or one member."""

    id: str
    kind: SensorKind
    name: str
    post_id: str | None = None
    member_id: str | None = None
    classification: Classification = Classification.SHARED
    notes: str | None = field(default=None)

    def __post_init__(self) -> None:
        check_named(self.id, self.name)
        if (self.post_id is None) == (self.member_id is None):
            raise InvalidInput.worded(
                N_("a sensor is attached to exactly one post or one member"),
                details=[problem("post_id", N_("give either post_id or member_id, not both"))],
            )
