"""The members area's schemas: one family per resource (``XCreate`` what a client sends,
``XPublic`` what it reads back), shared by the use cases, the API and the CLI."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field
from pydantic.config import JsonDict

from ceasefire.access import Classification, Role
from ceasefire.members.model import (
    SLUG_RE,
    GeoPoint,
    MemberKind,
    MemberRole,
    ObservationPost,
    SensorKind,
)
from ceasefire.timeutil import utcnow

ID_SCHEMA: JsonDict = {"pattern": SLUG_RE.pattern}
"""What the document says of a member's, post's or sensor's id (``check_slug`` refuses
the rest with a 422 naming ``id``; the document only states it)."""
NAME_SCHEMA: JsonDict = {"pattern": r"\S"}
"""A name holds something other than spaces (``check_named``)."""


class RolePublic(BaseModel):
    id: int
    member_id: str
    agreement_id: str
    role: Role
    party: str | None
    valid_from: datetime
    valid_to: datetime | None
    current: bool


class MemberPublic(BaseModel):
    id: str
    name: str
    kind: MemberKind
    iso3: str | None
    created_at: datetime
    roles: list[RolePublic]


class UserPublic(BaseModel):
    id: str
    member_id: str
    display_name: str | None
    operator: bool
    has_password: bool
    created_at: datetime
    disabled_at: datetime | None
    locked_until: datetime | None = None  # sign-ins refused until then (too many failures)


class TokenPublic(BaseModel):
    """A token's metadata; the secret itself is never stored and never shown again."""

    id: str
    user_id: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    state: str


class IssuedToken(BaseModel):
    """A newly created token: ``token`` is shown this once and cannot be recovered."""

    token: str
    token_type: str = "bearer"  # noqa: S105  (OAuth 2 token type, not a secret)
    info: TokenPublic
    device_cookie: str | None = Field(
        default=None,
        description="A new device marker of the user, when its password was checked: send it "
        "back in the Ceasefire-Device header of later sign-ins, so that a lock of the name "
        "caused by others' failures does not refuse this client (a year; void once the "
        "password changes). Keep it like a credential.",
    )


class PasswordChanged(BaseModel):
    """A user's own password change: the user, and the sign-in sessions and self-minted API
    tokens it ended."""

    user: UserPublic
    # token ids; the current session and the API tokens an operator issued are kept
    sessions_revoked: list[str]
    device_cookie: str | None = Field(
        default=None,
        description="A new device marker for this client (the old ones are void with the old "
        "password); see IssuedToken.",
    )


class PostPublic(BaseModel):
    id: str
    name: str
    owners: list[str]
    lon: float
    lat: float
    location_note: str | None
    active_from: datetime
    active_to: datetime | None
    independent: bool
    classification: Classification
    active: bool


class SensorPublic(BaseModel):
    id: str
    kind: SensorKind
    name: str
    post_id: str | None
    member_id: str | None
    classification: Classification
    notes: str | None


class MemberCreate(BaseModel):
    id: str = Field(examples=["fra"], json_schema_extra=ID_SCHEMA)
    name: str = Field(examples=["France"], json_schema_extra=NAME_SCHEMA)
    kind: MemberKind
    iso3: str | None = Field(default=None, examples=["FRA"])


class RoleGrant(BaseModel):
    agreement_id: str = Field(examples=["nk-2020-trilateral"])
    role: Role
    party: str | None = Field(default=None, description="ISO alpha-3 code, for party liaisons")
    valid_from: AwareDatetime | None = Field(default=None, description="Default: now.")
    valid_to: AwareDatetime | None = None

    def to_role(self, member_id: str) -> MemberRole:
        """The role this grants ``member_id`` (valid from now unless said)."""
        return MemberRole(
            member_id=member_id,
            agreement_id=self.agreement_id,
            role=self.role,
            party=self.party,
            valid_from=self.valid_from or utcnow(),
            valid_to=self.valid_to,
        )


class RoleEnd(BaseModel):
    agreement_id: str
    at: AwareDatetime | None = Field(default=None, description="Default: now.")


class LoginRequest(BaseModel):
    user_id: str
    password: str


class PasswordChange(BaseModel):
    current_password: str
    new_password: str = Field(
        description="At least 10 characters, and not easy to guess (zxcvbn score 3 of 4 at "
        "least; the user's and member's names count as known words)."
    )


class TokenCreate(BaseModel):
    password: str = Field(
        description="Your own password: a token alone cannot mint tokens, so a leaked token "
        "cannot outlive its revocation."
    )
    user_id: str | None = Field(default=None, description="Default: yourself.")
    label: str = "api"
    expires_in_days: float | None = Field(default=30, gt=0, le=366)
    expires_at: AwareDatetime | None = None


class PostCreate(BaseModel):
    id: str = Field(examples=["jmc-giyamaddinli"], json_schema_extra=ID_SCHEMA)
    name: str = Field(json_schema_extra=NAME_SCHEMA)
    owners: list[str] = Field(min_length=1, examples=[["rus", "tur"]])
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    location_note: str | None = Field(default=None, examples=["approximate"])
    active_from: AwareDatetime
    active_to: AwareDatetime | None = None
    independent: bool = False
    classification: Classification = Classification.SHARED

    def to_post(self) -> ObservationPost:
        """The post this describes."""
        return ObservationPost(
            id=self.id,
            name=self.name,
            owners=tuple(self.owners),
            location=GeoPoint(lon=self.lon, lat=self.lat),
            location_note=self.location_note,
            active_from=self.active_from,
            active_to=self.active_to,
            independent=self.independent,
            classification=self.classification,
        )


class SensorCreate(BaseModel):
    id: str = Field(examples=["tur-uav-1"], json_schema_extra=ID_SCHEMA)
    kind: SensorKind
    name: str = Field(json_schema_extra=NAME_SCHEMA)
    post_id: str | None = None
    member_id: str | None = None
    classification: Classification = Classification.SHARED
    notes: str | None = None


class UserRolePublic(BaseModel):
    """One of the signed-in member's roles, as ``/auth/me`` lists them."""

    agreement_id: str
    role: str
    party: str | None
    valid_from: str
    valid_to: str | None
    current: bool


class UserSummary(BaseModel):
    """Who a token stands for: the viewer and, for a user, its member's roles."""

    member_id: str | None
    user_id: str | None
    role: str | None
    party: str | None
    operator: bool
    agreement_id: str | None
    public: bool
    roles: list[UserRolePublic]
