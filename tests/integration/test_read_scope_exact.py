"""``ReadScope.exact_clause`` in SQL admits exactly what ``ReadScope.can_read_record``
admits, on both databases: every combination of classification, concerns, owner and
agreement, for members holding different roles in different agreements (a subquery that
uses it has no row check after it: "an incident with a report of this channel")."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import NamedTuple

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from ceasefire.access import Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.members.model import MemberRole
from ceasefire.members.scope import ReadScope, concerns_text

A, B, C = "agreement-a", "agreement-b", "agreement-c"
AT = datetime(2020, 11, 26, tzinfo=UTC)
SINCE = datetime(2020, 1, 1, tzinfo=UTC)


class Record(NamedTuple):
    id: int
    classification: str
    concerns: str
    owner_member: str
    agreement_id: str | None


RECORDS = [
    Record(i, *combo)
    for i, combo in enumerate(
        itertools.product(
            ("internal", "shared", "public"),
            (
                concerns_text([]),
                concerns_text(["ARM"]),
                concerns_text(["AZE"]),
                concerns_text(["ARM", "AZE"]),
            ),
            ("arm", "aze", "tur"),
            (A, B, C, None),
        )
    )
]


def role(member: str, agreement: str, kind: Role, party: str | None = None) -> MemberRole:
    return MemberRole(member, agreement, kind, SINCE, party=party)


SCOPES = {
    "liaison in A, monitor in B": (
        Viewer(member_id="arm", user_id="u", role=Role.PARTY_LIAISON, party="ARM"),
        [role("arm", A, Role.PARTY_LIAISON, "ARM"), role("arm", B, Role.MONITOR)],
    ),
    "liaison in A and B (other parties)": (
        Viewer(member_id="arm", user_id="u", role=Role.PARTY_LIAISON, party="ARM"),
        [role("arm", A, Role.PARTY_LIAISON, "ARM"), role("arm", B, Role.PARTY_LIAISON, "AZE")],
    ),
    "observer in A, token resolved for A": (
        Viewer(member_id="tur", user_id="u", role=Role.OBSERVER, agreement_id=A),
        [role("tur", A, Role.OBSERVER)],
    ),
    "monitor in every agreement": (
        Viewer(member_id="tur", user_id="u", role=Role.MONITOR),
        [role("tur", a, Role.MONITOR) for a in (A, B, C)],
    ),
    "no role": (Viewer(member_id="aze", user_id="u"), []),
    "public": (Viewer.public(), []),
    "operator": (Viewer.cli_operator(), []),
}


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_exact_clause_admits_what_the_rule_admits(ctx: ServiceContext, name: str) -> None:
    viewer, roles = SCOPES[name]
    scope = ReadScope.of(viewer, roles, AT, agreements=frozenset({A, B, C}))
    table = Table(
        "scope_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("classification", String(16)),
        Column("concerns", String(64)),
        Column("owner_member", String(32)),
        Column("agreement_id", String(32), nullable=True),
    )
    with ctx.engine.begin() as conn:
        table.create(conn)
        try:
            conn.execute(table.insert(), [r._asdict() for r in RECORDS])
            found = set(conn.scalars(select(table.c.id).where(scope.exact_clause(table.c))))
            wider = set(conn.scalars(select(table.c.id).where(scope.clause(table.c))))
        finally:
            table.drop(conn)
    expected = {r.id for r in RECORDS if scope.can_read_record(r)}
    assert found == expected
    assert wider >= expected  # the lists' pre-filter, checked row by row after it
    if name == "liaison in A, monitor in B":
        assert wider != expected  # why a subquery with no row check needs the exact one
