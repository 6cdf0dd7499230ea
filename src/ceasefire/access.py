"""Who may read what: member roles, record classifications and the read rule.

This is the one place the visibility rule lives; services apply it to every query, so the
API, CLI and web all see the same thing.

- ``internal``: monitors only.
- ``shared``: monitors, observers, and the party liaisons of the parties the record concerns
  (plus the liaison who filed it: a party always sees its own complaints).
- ``public``: everyone, including anonymous callers (with redactions applied elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A member's role in the centre for one agreement."""

    MONITOR = "monitor"
    PARTY_LIAISON = "party_liaison"
    OBSERVER = "observer"


class Classification(StrEnum):
    INTERNAL = "internal"
    SHARED = "shared"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller of a service: an authenticated member user, an operator, or the public.

    ``party`` is the party code a liaison represents (e.g. ``"ARM"``); ``operator`` is a
    local administrator acting through the CLI on the centre's behalf and reads everything.
    ``agreement_id`` is the agreement ``role`` was resolved for (``None``: the narrowest role
    the member holds in any agreement; see ``ceasefire.members.model.viewer_for_roles``).
    """

    member_id: str | None = None
    user_id: str | None = None
    role: Role | None = None
    party: str | None = None
    operator: bool = False
    agreement_id: str | None = None

    @classmethod
    def public(cls) -> Viewer:
        return cls()

    @classmethod
    def cli_operator(cls) -> Viewer:
        return cls(member_id="centre", user_id="operator", role=Role.MONITOR, operator=True)

    @property
    def is_public(self) -> bool:
        return self.member_id is None and not self.operator


def can_read(
    viewer: Viewer,
    classification: Classification,
    *,
    concerns: Iterable[str] = (),
    owner_member: str | None = None,
) -> bool:
    """Whether ``viewer`` may read a record of ``classification``.

    ``concerns`` are the party codes the record is about; ``owner_member`` the member that
    filed it (a liaison always sees what its own member filed).
    """
    if classification is Classification.PUBLIC or viewer.operator:
        return True
    if viewer.is_public:
        return False
    if owner_member is not None and viewer.member_id == owner_member:
        return True
    if viewer.role is Role.MONITOR:
        return True
    if classification is Classification.INTERNAL:
        return False
    if viewer.role is Role.OBSERVER:
        return True
    if viewer.role is Role.PARTY_LIAISON:
        return viewer.party is not None and viewer.party in set(concerns)
    return False


def concerns_key(parties: Iterable[str]) -> str:
    """A set of party codes as stored: ``",ARM,AZE,"`` (``","`` when empty), so that
    "concerns party X" is a portable ``LIKE '%,X,%'``."""
    return ",".join(["", *sorted(set(parties)), ""])
