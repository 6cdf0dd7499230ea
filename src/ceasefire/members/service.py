"""Member organisations and their roles per agreement.

Adding a member ("involving other countries") and granting or ending a role are ordinary
operations: each is one ledger entry, and each checks who asks. Only an operator or a member
currently holding a ``monitor`` role may add members; only an operator or a monitor *of that
agreement* may grant or end observer and party-liaison roles in it; monitor roles themselves
(who decides) are granted and ended by an operator only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Role, Viewer
from ceasefire.actor import CENTRE_MEMBER_ID, Actor
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    id_taken,
    problem,
)
from ceasefire.i18n.markers import N_
from ceasefire.ledger.service import add_ledgered, append
from ceasefire.members.events import MemberAdded, MemberTag, RoleEnded, RoleEntry, RoleGranted
from ceasefire.members.model import (
    Member,
    MemberKind,
    MemberRole,
    check_slug,
    intervals_overlap,
    viewer_for_roles,
)
from ceasefire.members.schemas import MemberPublic, RolePublic
from ceasefire.members.tables import MemberRoleRow, MemberRow, UserRow
from ceasefire.timeutil import ensure_utc, utcnow

CENTRE_MEMBER_NAME = "Joint monitoring centre (operators)"


def actor_of(viewer: Viewer) -> Actor:
    """The actor a viewer's changes are recorded under; the public cannot change anything."""
    if viewer.operator and viewer.member_id is None:
        return Actor.centre()
    if viewer.member_id is None:
        raise Unauthorized.worded(N_("sign in to make changes"))
    return Actor(member_id=viewer.member_id, user_id=viewer.user_id)


def _role_of(row: MemberRoleRow) -> MemberRole:
    return MemberRole.stored(row.member_id, row)


def load_roles(
    session: Session, *, member_id: str | None = None, agreement_id: str | None = None
) -> list[MemberRole]:
    """Every role (past, current, future) of a member and/or in an agreement."""
    query = select(MemberRoleRow).order_by(MemberRoleRow.valid_from, MemberRoleRow.id)
    if member_id is not None:
        query = query.where(MemberRoleRow.member_id == member_id)
    if agreement_id is not None:
        query = query.where(MemberRoleRow.agreement_id == agreement_id)
    return [_role_of(row) for row in session.scalars(query)]


def resolve_viewer(session: Session, viewer: Viewer, agreement_id: str) -> Viewer:
    """``viewer`` with its role in ``agreement_id`` (for records that belong to one agreement).

    Use inside another service's unit of work before applying ``can_read``; the public and
    operators are returned with only the agreement noted.
    """
    if viewer.member_id is None or viewer.operator:
        return replace(viewer, agreement_id=agreement_id)
    return viewer_for_roles(
        member_id=viewer.member_id,
        user_id=viewer.user_id,
        roles=load_roles(session, member_id=viewer.member_id),
        at=utcnow(),
        agreement_id=agreement_id,
        operator=viewer.operator,
    )


def viewer_in_agreement(ctx: ServiceContext, viewer: Viewer, agreement_id: str) -> Viewer:
    """``resolve_viewer`` in its own read session."""
    with ctx.reader() as session:
        return resolve_viewer(session, viewer, agreement_id)


def member_or_404(session: Session, member_id: str) -> MemberRow:
    """The member's row; ``NotFound`` if there is none."""
    row = session.get(MemberRow, member_id)
    if row is None:
        raise NotFound.unknown(
            N_("no member %(id)s"), member_id, field="member_id", reason=N_("unknown member")
        )
    return row


def is_monitor(session: Session, viewer: Viewer, agreement_id: str | None = None) -> bool:
    """Whether the viewer's member holds a current monitor role (in ``agreement_id`` if given).

    Read from the database, not from ``viewer.role``: the viewer may have been resolved for
    another agreement.
    """
    if viewer.member_id is None:
        return False
    now = utcnow()
    return any(
        r.role is Role.MONITOR and r.is_valid_at(now)
        for r in load_roles(session, member_id=viewer.member_id, agreement_id=agreement_id)
    )


def _public(session: Session, row: MemberRow, at: datetime) -> MemberPublic:
    roles = session.scalars(
        select(MemberRoleRow)
        .where(MemberRoleRow.member_id == row.id)
        .order_by(MemberRoleRow.agreement_id, MemberRoleRow.valid_from, MemberRoleRow.id)
    )
    return shape_of(MemberPublic, row, roles=[_role_public(r, at) for r in roles])


def _role_public(row: MemberRoleRow, at: datetime) -> RolePublic:
    return shape_of(RolePublic, row, current=_role_of(row).is_valid_at(at))


def _role_entry(row: MemberRoleRow) -> RoleEntry:
    """The part of a role's ledger entries that names the role (its row once flushed)."""
    return {
        "role_id": row.id,
        "member_id": row.member_id,
        "agreement_id": row.agreement_id,
        "role": row.role,
    }


def add_member(ctx: ServiceContext, viewer: Viewer, member: Member) -> MemberPublic:
    """Add a member organisation. The same member again is a no-op; a different one with
    the same id is a Conflict."""
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        if not viewer.operator and not is_monitor(session, viewer):
            raise Forbidden.worded(N_("only an operator or a monitor member may add members"))
        existing = session.get(MemberRow, member.id)
        now = utcnow()
        if existing is not None:
            same = (existing.name, existing.kind, existing.iso3) == (
                member.name,
                member.kind.value,
                member.iso3,
            )
            if same:
                return _public(session, existing, now)
            raise id_taken("member", member.id)
        row = MemberRow(
            id=member.id, name=member.name, kind=member.kind.value, iso3=member.iso3, created_at=now
        )
        add_ledgered(
            session,
            ctx.settings,
            row,
            tag=MemberTag.MEMBER_ADDED,
            subject=f"member/{member.id}",
            payload=MemberAdded(
                {
                    "member_id": member.id,
                    "name": member.name,
                    "kind": member.kind.value,
                    "iso3": member.iso3,
                }
            ),
            actor=actor,
        )
        return _public(session, row, now)


def ensure_centre_member(ctx: ServiceContext) -> MemberPublic:
    """The centre itself as a member, so its operator users have a member to belong to."""
    centre = Member(
        id=CENTRE_MEMBER_ID, name=CENTRE_MEMBER_NAME, kind=MemberKind.ORGANISATION, iso3=None
    )
    return add_member(ctx, Viewer.cli_operator(), centre)


def list_members(
    ctx: ServiceContext, viewer: Viewer, *, agreement_id: str | None = None
) -> list[MemberPublic]:
    """Every member, with its roles (who takes part is public knowledge).

    With ``agreement_id``, only members that hold or held a role in that agreement.
    """
    del viewer  # membership is public; the parameter keeps every service's signature alike
    with ctx.reader() as session:
        query = select(MemberRow).order_by(MemberRow.id)
        if agreement_id is not None:
            query = query.where(
                MemberRow.id.in_(
                    select(MemberRoleRow.member_id).where(
                        MemberRoleRow.agreement_id == agreement_id
                    )
                )
            )
        now = utcnow()
        return [_public(session, row, now) for row in session.scalars(query)]


def get_member(ctx: ServiceContext, viewer: Viewer, member_id: str) -> MemberPublic:
    """One member with its roles; NotFound if unknown."""
    del viewer
    with ctx.reader() as session:
        return _public(session, member_or_404(session, member_id), utcnow())


def grant_role(ctx: ServiceContext, viewer: Viewer, role: MemberRole) -> RolePublic:
    """Grant ``role``. Granting the identical role again is a no-op; a role overlapping
    another role of the same member in the same agreement is a Conflict (end it first)."""
    actor = actor_of(viewer)
    check_slug(role.agreement_id, field_name="agreement_id")
    with ctx.unit_of_work() as session:
        if not viewer.operator and not is_monitor(session, viewer, role.agreement_id):
            raise Forbidden.worded(
                N_("only an operator or a monitor of this agreement may grant roles")
            )
        if role.role is Role.MONITOR and not viewer.operator:
            # Monitors decide (e.g. by unanimity): who is one is for the centre's operator to
            # record after the members agree, not for one monitor alone.
            raise Forbidden.worded(N_("only an operator may grant a monitor role"))
        member = member_or_404(session, role.member_id)
        if (
            role.role is Role.PARTY_LIAISON
            and not viewer.operator
            and role.party != (member.iso3 if member.kind == MemberKind.STATE.value else None)
        ):
            # A liaison reads what concerns its party, files its complaints and replies for
            # it: a monitor records only a state speaking for itself. Another member speaking
            # for a party is the operator's to record once the members agree.
            raise Forbidden.worded(
                N_("a monitor grants a party liaison role only to the party's own state"),
                details=[
                    problem(
                        "party",
                        N_("not the ISO 3166 code of %(member_id)s"),
                        member_id=role.member_id,
                    )
                ],
            )
        rows = session.scalars(
            select(MemberRoleRow).where(
                MemberRoleRow.member_id == role.member_id,
                MemberRoleRow.agreement_id == role.agreement_id,
            )
        ).all()
        now = utcnow()
        for row in rows:
            if _role_of(row) == role:
                return _role_public(row, now)
        for row in rows:
            if intervals_overlap(row.valid_from, row.valid_to, role.valid_from, role.valid_to):
                raise Conflict.worded(
                    N_(
                        "%(member_id)s already holds the role %(role)s in %(agreement_id)s from "
                        "%(valid_from)s"
                    ),
                    details=[problem("valid_from", N_("overlaps an existing role; end it first"))],
                    member_id=role.member_id,
                    role=repr(row.role),
                    agreement_id=role.agreement_id,
                    valid_from=row.valid_from.isoformat(),
                )
        new = MemberRoleRow(
            member_id=role.member_id,
            agreement_id=role.agreement_id,
            role=role.role.value,
            party=role.party,
            valid_from=role.valid_from,
            valid_to=role.valid_to,
            granted_at=now,
            granted_by=actor.member_id,
        )
        session.add(new)
        session.flush()
        append(
            session,
            ctx.settings,
            tag=MemberTag.ROLE_GRANTED,
            subject=f"member/{role.member_id}",
            payload=RoleGranted(
                {
                    **_role_entry(new),
                    "party": role.party,
                    "valid_from": role.valid_from.isoformat(),
                    "valid_to": role.valid_to.isoformat() if role.valid_to else None,
                }
            ),
            actor=actor,
        )
        return _role_public(new, now)


def end_role(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    member_id: str,
    agreement_id: str,
    at: datetime | None = None,
) -> RolePublic:
    """End the role ``member_id`` holds in ``agreement_id`` at ``at`` (default now)."""
    actor = actor_of(viewer)
    at = ensure_utc(at, field="at") if at is not None else utcnow()
    with ctx.unit_of_work() as session:
        if not viewer.operator and not is_monitor(session, viewer, agreement_id):
            raise Forbidden.worded(
                N_("only an operator or a monitor of this agreement may end roles")
            )
        rows = session.scalars(
            select(MemberRoleRow).where(
                MemberRoleRow.member_id == member_id,
                MemberRoleRow.agreement_id == agreement_id,
            )
        ).all()
        current = [r for r in rows if _role_of(r).is_valid_at(at)]
        if not current:
            raise NotFound.worded(
                N_("%(member_id)s holds no role in %(agreement_id)s at %(at)s"),
                details=[problem("member_id", N_("no current role"))],
                member_id=member_id,
                agreement_id=agreement_id,
                at=at.isoformat(),
            )
        row = current[0]
        if row.role == Role.MONITOR.value and not viewer.operator:
            raise Forbidden.worded(N_("only an operator may end a monitor role"))
        if at <= row.valid_from:
            raise InvalidInput.worded(
                N_("a role cannot end before it starts"),
                details=[
                    problem(
                        "at", N_("not after %(valid_from)s"), valid_from=row.valid_from.isoformat()
                    )
                ],
            )
        row.valid_to = at
        session.flush()
        append(
            session,
            ctx.settings,
            tag=MemberTag.ROLE_ENDED,
            subject=f"member/{member_id}",
            payload=RoleEnded({**_role_entry(row), "valid_to": at.isoformat()}),
            actor=actor,
        )
        return _role_public(row, utcnow())


def user_display_names(session: Session) -> set[str]:
    """Every user's display name (what a public edition must not show)."""
    return {n for n in session.scalars(select(UserRow.display_name)) if n}
