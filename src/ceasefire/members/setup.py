"""The members step of ``ceasefire init [--demo]``: the centre as a member, and the demo cast.

Idempotent: every operation it runs is a no-op when its result already exists, so running
init twice adds no ledger entries the second time.

The demo is the Nagorno-Karabakh case of 2020 (see docs/access.md for sources and choices):
Russia and Turkey monitor, Azerbaijan and Armenia each have a party liaison, France, the
United States and the OSCE Minsk Group observe, all in agreement ``nk-2020-trilateral``;
the Turkish–Russian Joint Monitoring Centre near Giyamaddinli is the one post, and a Turkish
UAV the one sensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from ceasefire.access import Classification, Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.members import passwords
from ceasefire.members.auth import add_user, list_users
from ceasefire.members.model import (
    GeoPoint,
    Member,
    MemberKind,
    MemberRole,
    ObservationPost,
    Sensor,
    SensorKind,
)
from ceasefire.members.posts import add_post, add_sensor
from ceasefire.members.service import add_member, ensure_centre_member, grant_role

DEMO_AGREEMENT_ID = "nk-2020-trilateral"

# 00:00 Moscow time (UTC+3) on 10 November 2020: the statement's entry into force.
ENTRY_INTO_FORCE = datetime(2020, 11, 9, 21, 0, tzinfo=UTC)
# The Turkish–Russian memorandum was signed on 11 November 2020 (date only in the sources).
JMC_MEMORANDUM = datetime(2020, 11, 11, tzinfo=UTC)
_BAKU = timezone(timedelta(hours=4))

DEMO_MEMBERS = (
    Member(id="rus", name="Russia", kind=MemberKind.STATE, iso3="RUS"),
    Member(id="tur", name="Turkey", kind=MemberKind.STATE, iso3="TUR"),
    Member(id="aze", name="Azerbaijan", kind=MemberKind.STATE, iso3="AZE"),
    Member(id="arm", name="Armenia", kind=MemberKind.STATE, iso3="ARM"),
    Member(id="fra", name="France", kind=MemberKind.STATE, iso3="FRA"),
    Member(id="usa", name="United States", kind=MemberKind.STATE, iso3="USA"),
    Member(id="osce-mg", name="OSCE Minsk Group", kind=MemberKind.ORGANISATION),
)


JMC_MEMBERSHIP_START = {"tur": JMC_MEMORANDUM}
"""Members whose role starts later than the statement's entry into force."""


def _role(member_id: str, role: Role, party: str | None = None) -> MemberRole:
    start = JMC_MEMBERSHIP_START.get(member_id, ENTRY_INTO_FORCE)
    return MemberRole(
        member_id=member_id,
        agreement_id=DEMO_AGREEMENT_ID,
        role=role,
        party=party,
        valid_from=start,
    )


DEMO_ROLES = (
    _role("rus", Role.MONITOR),
    _role("tur", Role.MONITOR),
    _role("aze", Role.PARTY_LIAISON, "AZE"),
    _role("arm", Role.PARTY_LIAISON, "ARM"),
    _role("fra", Role.OBSERVER),
    _role("usa", Role.OBSERVER),
    _role("osce-mg", Role.OBSERVER),
)

JMC_POST = ObservationPost(
    id="jmc-giyamaddinli",
    name="Turkish–Russian Joint Monitoring Centre",
    owners=("rus", "tur"),
    location=GeoPoint(lon=47.05, lat=39.97),
    location_note="approximate: near Giyamaddinli, Aghdam district",
    # Opened 30 Jan 2021, closed 26 Apr 2024; dates only in the sources, taken in Baku time.
    active_from=datetime(2021, 1, 30, tzinfo=_BAKU),
    active_to=datetime(2024, 4, 27, tzinfo=_BAKU),
    independent=False,
    # Its location was announced publicly by both ministries of defence.
    classification=Classification.PUBLIC,
)

TURKISH_UAV = Sensor(
    id="tur-uav-1",
    kind=SensorKind.UAV,
    name="Turkish UAV (Joint Monitoring Centre)",
    member_id="tur",
    classification=Classification.SHARED,
    notes="The centre verifies the ceasefire 'using UAVs' (Russian MoD). Demo sensor.",
)


def setup_members(ctx: ServiceContext, *, demo: bool) -> list[str]:
    """Ensure the centre member exists; with ``demo``, load the demo members, post, sensor."""
    operator = Viewer.cli_operator()
    ensure_centre_member(ctx)
    steps = ["the centre is a member (operators' users belong to it)"]
    if not demo:
        return steps
    for member in DEMO_MEMBERS:
        add_member(ctx, operator, member)
    for role in DEMO_ROLES:
        grant_role(ctx, operator, role)
    add_post(ctx, operator, JMC_POST)
    add_sensor(ctx, operator, TURKISH_UAV)
    steps.append(
        f"demo members: {len(DEMO_MEMBERS)} members with roles in {DEMO_AGREEMENT_ID},"
        f" post {JMC_POST.id}, sensor {TURKISH_UAV.id}"
    )
    return steps


DEMO_USERS: tuple[tuple[str, str, bool], ...] = (
    ("operator", "centre", True),
    ("rus-monitor", "rus", False),
    ("tur-monitor", "tur", False),
    ("aze-liaison", "aze", False),
    ("arm-liaison", "arm", False),
    ("fra-observer", "fra", False),
    ("usa-observer", "usa", False),
    ("osce-observer", "osce-mg", False),
)
"""(user id, member, operator) of the demo's users: one per demo member, and an operator."""


@dataclass(frozen=True)
class DemoUser:
    """A demo user created now, with the password that is shown this once and never again."""

    user_id: str
    member_id: str
    operator: bool
    password: str


def setup_demo_users(ctx: ServiceContext) -> list[DemoUser]:
    """Create the demo users that do not exist yet, each with a fresh random password.

    Only the argon2 hash is stored: the returned passwords are the only copy, which
    ``ceasefire init --demo`` prints once. Users already there are left alone (a second run
    creates nobody and prints no password); ``ceasefire user password`` sets a new one.
    """
    operator = Viewer.cli_operator()
    existing = {user.id for user in list_users(ctx, operator)}
    created = []
    for user_id, member_id, is_operator in DEMO_USERS:
        if user_id in existing:
            continue
        password = passwords.generated([user_id, member_id])
        add_user(
            ctx,
            operator,
            user_id=user_id,
            member_id=member_id,
            password=password,
            operator=is_operator,
        )
        created.append(DemoUser(user_id, member_id, is_operator, password))
    return created
