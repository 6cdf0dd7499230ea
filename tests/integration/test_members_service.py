"""Members and roles through the services, on SQLite and PostgreSQL: who may change what,
idempotent retries, conflicts, and one ledger entry per change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from ceasefire.access import Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members import service as members
from ceasefire.members.model import Member, MemberKind, MemberRole
from ceasefire.members.setup import DEMO_AGREEMENT_ID, setup_members
from ceasefire.members.tables import MemberRoleRow, MemberRow
from tests.factories.members import OPERATOR, demo_cast

AGR = DEMO_AGREEMENT_ID
GEORGIA = Member(id="geo", name="Georgia", kind=MemberKind.STATE, iso3="GEO")


@dataclass(frozen=True)
class Entry:
    seq: int
    tag: str
    subject: str
    member_id: str
    user_id: str | None
    payload: str


def _entries(ctx: ServiceContext, tag_prefix: str = "member:") -> list[Entry]:
    with ctx.reader() as session:
        return [
            Entry(r.seq, r.tag, r.subject, r.member_id, r.user_id, r.payload)
            for r in session.scalars(
                select(LedgerEntryRow)
                .where(LedgerEntryRow.tag.startswith(tag_prefix))
                .order_by(LedgerEntryRow.seq)
            )
        ]


def _count(ctx: ServiceContext, model: type[object]) -> int:
    with ctx.reader() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_demo_setup_is_idempotent_and_ledgered(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    first = _entries(ctx)
    setup_members(ctx, demo=True)
    assert _entries(ctx) == first
    tags = [e.tag for e in first]
    assert tags.count("member:member:added") == 8  # the centre and seven demo members
    assert tags.count("member:role:granted") == 7
    assert tags.count("member:post:added") == 1
    assert tags.count("member:sensor:added") == 1
    listed = {m.id: m for m in members.list_members(ctx, Viewer.public(), agreement_id=AGR)}
    assert set(listed) == {"rus", "tur", "aze", "arm", "fra", "usa", "osce-mg"}
    arm_role = listed["arm"].roles[0]
    assert (arm_role.role, arm_role.party, arm_role.current) == (Role.PARTY_LIAISON, "ARM", True)
    assert listed["osce-mg"].iso3 is None
    assert listed["tur"].roles[0].role is Role.MONITOR


def test_monitor_may_add_a_member_observer_and_liaison_may_not(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    for member_id in ("fra", "arm"):
        with pytest.raises(Forbidden):
            members.add_member(ctx, cast.viewer(ctx, member_id), GEORGIA)
    with pytest.raises(Unauthorized):
        members.add_member(ctx, Viewer.public(), GEORGIA)
    assert members.list_members(ctx, OPERATOR, agreement_id=None)
    with ctx.reader() as session:
        assert session.get(MemberRow, "geo") is None

    added = members.add_member(ctx, cast.viewer(ctx, "tur"), GEORGIA)
    assert added.id == "geo"
    entry = _entries(ctx, "member:member:added")[-1]
    assert (entry.subject, entry.member_id, entry.user_id) == ("member/geo", "tur", "tur-user")
    assert json.loads(entry.payload)["iso3"] == "GEO"


def test_adding_the_same_member_twice_is_one_entry_and_a_different_one_conflicts(
    ctx: ServiceContext,
) -> None:
    setup_members(ctx, demo=False)
    members.add_member(ctx, OPERATOR, GEORGIA)
    members.add_member(ctx, OPERATOR, GEORGIA)
    assert [e.subject for e in _entries(ctx)].count("member/geo") == 1
    with pytest.raises(Conflict):
        members.add_member(
            ctx, OPERATOR, Member(id="geo", name="Georgia!", kind=MemberKind.STATE, iso3="GEO")
        )
    assert members.get_member(ctx, Viewer.public(), "geo").name == "Georgia"
    with pytest.raises(NotFound):
        members.get_member(ctx, Viewer.public(), "nope")


def test_roles_grant_retry_overlap_and_end(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    members.add_member(ctx, OPERATOR, GEORGIA)
    start = datetime(2021, 3, 1, tzinfo=UTC)
    observer = MemberRole("geo", AGR, Role.OBSERVER, start)

    # only a monitor of *this* agreement (or an operator) grants roles in it
    with pytest.raises(Forbidden):
        members.grant_role(ctx, cast.viewer(ctx, "fra"), observer)
    granted = members.grant_role(ctx, cast.viewer(ctx, "rus"), observer)
    again = members.grant_role(ctx, cast.viewer(ctx, "rus"), observer)
    assert granted.id == again.id
    assert [e.subject for e in _entries(ctx, "member:role:granted")].count("member/geo") == 1

    # one role per agreement at a time: a monitor role overlapping it is refused
    with pytest.raises(Conflict) as exc:
        members.grant_role(ctx, OPERATOR, MemberRole("geo", AGR, Role.MONITOR, start))
    assert exc.value.details[0]["loc"] == "valid_from"
    # a monitor may not make another member a monitor, nor end a monitor's role
    with pytest.raises(Forbidden):
        members.grant_role(
            ctx, cast.viewer(ctx, "rus"), MemberRole("geo", "third", Role.MONITOR, start)
        )
    with pytest.raises(Forbidden):
        members.end_role(ctx, cast.viewer(ctx, "rus"), member_id="tur", agreement_id=AGR)
    # ... but another agreement is independent
    members.grant_role(ctx, OPERATOR, MemberRole("geo", "other-agreement", Role.MONITOR, start))

    ended_at = datetime(2022, 1, 1, tzinfo=UTC)
    ended = members.end_role(ctx, OPERATOR, member_id="geo", agreement_id=AGR, at=ended_at)
    assert ended.valid_to == ended_at
    assert not ended.current
    # after the end, a new role may start
    members.grant_role(ctx, OPERATOR, MemberRole("geo", AGR, Role.MONITOR, ended_at))
    with pytest.raises(NotFound):
        members.end_role(
            ctx, OPERATOR, member_id="geo", agreement_id=AGR, at=start - timedelta(days=1)
        )
    with pytest.raises(NotFound):
        members.grant_role(ctx, OPERATOR, MemberRole("nobody", AGR, Role.OBSERVER, start))
    with pytest.raises(InvalidInput):
        members.grant_role(ctx, OPERATOR, MemberRole("geo", "Bad Agreement", Role.OBSERVER, start))
    tags = [e.tag for e in _entries(ctx) if e.subject == "member/geo"]
    assert tags == [
        "member:member:added",
        "member:role:granted",
        "member:role:granted",
        "member:role:ended",
        "member:role:granted",
    ]


def test_a_failed_change_writes_nothing(ctx: ServiceContext) -> None:
    setup_members(ctx, demo=True)
    before = (_count(ctx, MemberRoleRow), len(_entries(ctx, "")))
    with pytest.raises(Conflict):
        members.grant_role(
            ctx, OPERATOR, MemberRole("rus", AGR, Role.OBSERVER, datetime(2022, 1, 1, tzinfo=UTC))
        )
    assert (_count(ctx, MemberRoleRow), len(_entries(ctx, ""))) == before


def test_resolve_viewer_per_agreement(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    members.grant_role(
        ctx,
        OPERATOR,
        MemberRole("arm", "other", Role.MONITOR, datetime(2021, 1, 1, tzinfo=UTC)),
    )
    generic = cast.viewer(ctx, "arm")
    assert (generic.role, generic.party) == (Role.PARTY_LIAISON, "ARM")
    in_other = members.viewer_in_agreement(ctx, generic, "other")
    assert (in_other.role, in_other.agreement_id) == (Role.MONITOR, "other")
    public = members.viewer_in_agreement(ctx, Viewer.public(), AGR)
    assert public.is_public
    assert public.agreement_id == AGR
    in_agr = members.viewer_in_agreement(ctx, cast.viewer(ctx, "tur"), AGR)
    assert (in_agr.role, in_agr.agreement_id) == (Role.MONITOR, AGR)


def test_ledger_verify_catches_member_tables_changed_behind_its_back(ctx: ServiceContext) -> None:
    cast = demo_cast(ctx)
    auth.revoke_token(ctx, OPERATOR, auth.list_tokens(ctx, OPERATOR, user_id="fra-user")[0].id)
    assert ledger.verify(ctx).ok
    with ctx.unit_of_work() as session:
        session.execute(text("UPDATE member_roles SET role = 'monitor' WHERE member_id = 'arm'"))
        session.execute(text("UPDATE api_tokens SET revoked_at = NULL"))
        session.execute(text("UPDATE observation_posts SET lat = 40.5"))
    messages = [f.message for f in ledger.verify(ctx).findings]
    assert any("member_roles" in m and "role" in m for m in messages)
    assert any("api_tokens" in m and "revoked" in m for m in messages)
    assert any("posts row jmc-giyamaddinli: lat" in m for m in messages)
    assert cast.tokens  # the cast's users were ledgered too and still match
    assert not any("users row" in m for m in messages)
