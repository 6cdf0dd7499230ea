"""Test helpers for members, users and tokens (real services, no mocks).

``demo_cast(ctx)`` loads the demo members of ``init --demo`` and gives each member one user
with a fresh token; the tokens are returned per member id, e.g. ``cast.tokens["arm"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from ceasefire.access import Classification, Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.members import auth, posts
from ceasefire.members.model import GeoPoint, MemberRole, ObservationPost, Sensor, SensorKind
from ceasefire.members.service import grant_role
from ceasefire.members.setup import DEMO_AGREEMENT_ID, DEMO_MEMBERS, setup_members
from ceasefire.web.session import SESSION_COOKIE

OPERATOR = Viewer.cli_operator()
PASSWORD = "correct horse battery staple"


@dataclass
class Cast:
    """The demo members' users: ``users[member]`` is the user id, ``tokens[member]`` a token."""

    agreement_id: str = DEMO_AGREEMENT_ID
    users: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def viewer(self, ctx: ServiceContext, member_id: str) -> Viewer:
        return auth.viewer_for_token(ctx, self.tokens[member_id])

    def bearer(self, member_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[member_id]}"}

    def signed_in(self, client: TestClient, member_id: str | None) -> dict[str, str]:
        """``client`` as ``member_id`` reads: its bearer header (none for the public), the
        web's session cookie set alike."""
        client.cookies.clear()
        if member_id is None:
            return {}
        client.cookies.set(SESSION_COOKIE, self.tokens[member_id])
        return self.bearer(member_id)


def add_user_with_token(
    ctx: ServiceContext,
    member_id: str,
    user_id: str | None = None,
    *,
    password: str | None = None,
    operator: bool = False,
) -> tuple[str, str]:
    """A user of ``member_id`` (default id ``<member>-user``) and a 30-day token for it.

    Token-only by default: an argon2 hash takes about half a second on a small machine.
    """
    user_id = user_id or f"{member_id}-user"
    auth.add_user(
        ctx, OPERATOR, user_id=user_id, member_id=member_id, password=password, operator=operator
    )
    issued = auth.create_token(ctx, OPERATOR, user_id=user_id, label="test")
    return user_id, issued.token


def demo_cast(ctx: ServiceContext) -> Cast:
    """The demo members and roles, plus one user and token per member."""
    setup_members(ctx, demo=True)
    cast = Cast()
    for member in DEMO_MEMBERS:
        user_id, token = add_user_with_token(ctx, member.id)
        cast.users[member.id] = user_id
        cast.tokens[member.id] = token
    return cast


def add_posts(
    ctx: ServiceContext,
    *post_ids: str,
    owners: tuple[str, ...] = ("rus", "tur"),
    classification: Classification = Classification.SHARED,
) -> None:
    """Register observation posts (near Aghdam) that test reports name: a report may name
    only a post its filer may read. Again is a no-op."""
    for post_id in post_ids:
        posts.add_post(
            ctx,
            OPERATOR,
            ObservationPost(
                id=post_id,
                name=post_id.upper(),
                owners=owners,
                location=GeoPoint(lon=46.93, lat=39.99),
                active_from=datetime(2020, 11, 10, tzinfo=UTC),
                classification=classification,
            ),
        )


def add_uav(ctx: ServiceContext, sensor_id: str, member_id: str) -> None:
    """Register a (shared) UAV of ``member_id``: only that member files its detections."""
    posts.add_sensor(
        ctx, OPERATOR, Sensor(sensor_id, SensorKind.UAV, sensor_id.upper(), member_id=member_id)
    )


def grant_monitor(
    ctx: ServiceContext,
    member_id: str,
    agreement_id: str,
    since: datetime = datetime(2020, 1, 1, tzinfo=UTC),
) -> None:
    """Make ``member_id`` a monitor of ``agreement_id`` from ``since`` on (as an operator)."""
    grant_role(
        ctx,
        OPERATOR,
        MemberRole(
            member_id=member_id, agreement_id=agreement_id, role=Role.MONITOR, valid_from=since
        ),
    )
