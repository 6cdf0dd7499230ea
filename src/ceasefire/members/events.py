"""Ledger tags of the members area: members, their roles, posts and sensors; users and API tokens.

Tags have the form ``source:subject:action`` (warehouse's audit events). The writer and
the state checker both use these members, so a misspelt tag is an error, not a check
that silently never runs. A tag, once written to a ledger, never changes."""

from enum import StrEnum


class MemberTag(StrEnum):
    """Every ledger tag the members area writes."""

    MEMBER_ADDED = "member:member:added"
    ROLE_GRANTED = "member:role:granted"
    ROLE_ENDED = "member:role:ended"
    POST_ADDED = "member:post:added"
    SENSOR_ADDED = "member:sensor:added"
    USER_ADDED = "auth:user:added"
    USER_DISABLED = "auth:user:disabled"
    USER_ENABLED = "auth:user:enabled"
    USER_PASSWORD_SET = "auth:user:password-set"  # noqa: S105 (a tag, not a password)
    TOKEN_CREATED = "auth:token:created"  # noqa: S105 (a tag, not a token)
    TOKEN_REVOKED = "auth:token:revoked"  # noqa: S105 (a tag, not a token)
