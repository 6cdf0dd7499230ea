"""Ledger tags of the members area: members, their roles, posts and sensors; users and API tokens.

One payload type per tag, written by ``ceasefire.members.service``, ``.auth``, ``.posts``.
How tags and payloads are used: docs/ledger.md, "Writing entries". Times are ISO 8601
strings. No payload holds a password, a password hash or a token: only whose, and whether.
"""

from enum import StrEnum
from typing import Literal, NotRequired, TypedDict

from ceasefire.ledger.entry import USER_ADDED as LEDGER_USER_ADDED
from ceasefire.ledger.events import Blinded


class MemberTag(StrEnum):
    """Every ledger tag the members area writes."""

    MEMBER_ADDED = "member:member:added"
    ROLE_GRANTED = "member:role:granted"
    ROLE_ENDED = "member:role:ended"
    POST_ADDED = "member:post:added"
    SENSOR_ADDED = "member:sensor:added"
    USER_ADDED = LEDGER_USER_ADDED  # the ledger reads these to check pre-signed users
    USER_DISABLED = "auth:user:disabled"
    USER_ENABLED = "auth:user:enabled"
    USER_PASSWORD_SET = "auth:user:password-set"  # noqa: S105 (a tag, not a password)
    USER_PREFERENCES_SET = "auth:user:preferences-set"
    TOKEN_CREATED = "auth:token:created"  # noqa: S105 (a tag, not a token)
    TOKEN_REVOKED = "auth:token:revoked"  # noqa: S105 (a tag, not a token)


class MemberAdded(TypedDict):
    """``member:member:added``: a state or organisation joins."""

    member_id: str
    name: str
    kind: str
    iso3: str | None


class RoleEntry(TypedDict):
    """What every role entry names first: the role's row, whose it is, in which agreement."""

    role_id: int
    member_id: str
    agreement_id: str
    role: str


class RoleGranted(RoleEntry):
    """``member:role:granted``: a role in one agreement over ``[valid_from, valid_to)``."""

    party: str | None
    valid_from: str
    valid_to: str | None


class RoleEnded(RoleEntry):
    """``member:role:ended``: a role's end set to ``valid_to``."""

    valid_to: str


class GeoPoint(TypedDict):
    """A GeoJSON point: ``[lon, lat]``."""

    type: Literal["Point"]
    coordinates: list[float]


class PostAdded(Blinded):
    """``member:post:added``: an observation post and its owners (the first leads)."""

    post_id: str
    name: str
    owners: list[str]
    location: GeoPoint
    location_note: str | None
    active_from: str
    active_to: str | None
    independent: bool
    classification: str


class SensorAdded(Blinded):
    """``member:sensor:added``: a sensor on a post or of a member."""

    sensor_id: str
    kind: str
    name: str
    post_id: str | None
    member_id: str | None
    classification: str
    notes: str | None


class UserAdded(TypedDict):
    """``auth:user:added``: a user of a member (whether it has a password, not the password)."""

    user_id: str
    member_id: str
    operator: bool
    has_password: bool


class UserDisabled(TypedDict):
    """``auth:user:disabled``: the user can no longer sign in; its tokens are refused."""

    user_id: str
    member_id: str


class UserEnabled(TypedDict):
    """``auth:user:enabled``: a disabled user enabled again."""

    user_id: str
    member_id: str


class UserPasswordSet(TypedDict):
    """``auth:user:password-set``: whose password changed, and whether by the user itself."""

    user_id: str
    member_id: str
    by_self: bool


class UserPreferencesSet(Blinded):
    """``auth:user:preferences-set``: the language and time zone a user chose for its pages
    (``None``: none chosen, the browser's Accept-Language and UTC apply)."""

    user_id: str
    member_id: str
    lang: str | None
    time_zone: str | None


class TokenCreated(TypedDict):
    """``auth:token:created``: an API token or sign-in session (``via`` how it was issued)."""

    token_id: str
    user_id: str
    member_id: str
    label: str
    via: str
    expires_at: str | None


class TokenRevoked(TypedDict):
    """``auth:token:revoked``: a token ended (``via`` e.g. ``password-set``, when not by hand)."""

    token_id: str
    user_id: str
    via: NotRequired[str]


PAYLOADS: dict[MemberTag, type] = {
    MemberTag.MEMBER_ADDED: MemberAdded,
    MemberTag.ROLE_GRANTED: RoleGranted,
    MemberTag.ROLE_ENDED: RoleEnded,
    MemberTag.POST_ADDED: PostAdded,
    MemberTag.SENSOR_ADDED: SensorAdded,
    MemberTag.USER_ADDED: UserAdded,
    MemberTag.USER_DISABLED: UserDisabled,
    MemberTag.USER_ENABLED: UserEnabled,
    MemberTag.USER_PASSWORD_SET: UserPasswordSet,
    MemberTag.USER_PREFERENCES_SET: UserPreferencesSet,
    MemberTag.TOKEN_CREATED: TokenCreated,
    MemberTag.TOKEN_REVOKED: TokenRevoked,
}
"""The payload type of every tag."""
