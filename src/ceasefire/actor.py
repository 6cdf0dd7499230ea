"""Who did something: a member organisation and, optionally, one of its users."""

from __future__ import annotations

from dataclasses import dataclass

CENTRE_MEMBER_ID = "centre"
"""The centre itself: the actor of bootstrap operations run from the CLI by an operator."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The member (and user) on whose behalf a change is made; signs its ledger entry."""

    member_id: str
    user_id: str | None = None

    @classmethod
    def centre(cls, user_id: str | None = "operator") -> Actor:
        return cls(member_id=CENTRE_MEMBER_ID, user_id=user_id)
