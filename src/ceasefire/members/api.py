"""Members, roles, sign-in and tokens, observation posts and sensors.

Routes only translate HTTP to service calls; every permission check lives in the services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from pydantic import AwareDatetime

from ceasefire.api.deps import ContextDep, CurrentViewer, RequireMember
from ceasefire.members import auth, posts
from ceasefire.members import service as members
from ceasefire.members.model import (
    Member,
    Sensor,
)
from ceasefire.members.schemas import (
    IssuedToken,
    LoginRequest,
    MemberCreate,
    MemberPublic,
    PasswordChange,
    PasswordChanged,
    PostCreate,
    PostPublic,
    RoleEnd,
    RoleGrant,
    RolePublic,
    SensorCreate,
    SensorPublic,
    TokenCreate,
    TokenPublic,
    UserSummary,
)
from ceasefire.members.sign_in import counted_sign_in

router = APIRouter(prefix="/api/v1", tags=["members"])

DeviceMarker = Annotated[
    str | None,
    Header(
        alias="Ceasefire-Device",
        description="This client's device marker: the `device_cookie` an earlier sign-in, "
        "token minted or password change answered. With it, only this client's own failed "
        "sign-ins lock it out (docs/access.md, sign-in throttling).",
    ),
]
"""The request header an API client sends its device marker in (``members.devices``),
declared so that ``/openapi.json`` lists it on the routes that read it."""


@router.get("/members")
def list_members(
    ctx: ContextDep,
    viewer: CurrentViewer,
    agreement: Annotated[str | None, Query(description="Only members of this agreement")] = None,
) -> list[MemberPublic]:
    """Every member and its roles (membership is public)."""
    return members.list_members(ctx, viewer, agreement_id=agreement)


@router.post("/members", status_code=status.HTTP_201_CREATED)
def add_member(ctx: ContextDep, viewer: RequireMember, body: MemberCreate) -> MemberPublic:
    """Add a member (operators and monitors)."""
    member = Member(**body.model_dump())  # MemberCreate has exactly Member's fields
    return members.add_member(ctx, viewer, member)


@router.get("/members/{member_id}")
def get_member(ctx: ContextDep, viewer: CurrentViewer, member_id: str) -> MemberPublic:
    return members.get_member(ctx, viewer, member_id)


@router.post("/members/{member_id}/roles", status_code=status.HTTP_201_CREATED)
def grant_role(
    ctx: ContextDep, viewer: RequireMember, member_id: str, body: RoleGrant
) -> RolePublic:
    """Grant a role in an agreement (operators and monitors of that agreement)."""
    role = body.to_role(member_id)
    return members.grant_role(ctx, viewer, role)


@router.post("/members/{member_id}/roles/end")
def end_role(ctx: ContextDep, viewer: RequireMember, member_id: str, body: RoleEnd) -> RolePublic:
    """End the member's current role in an agreement."""
    return members.end_role(
        ctx, viewer, member_id=member_id, agreement_id=body.agreement_id, at=body.at
    )


@router.post("/auth/token", tags=["auth"])
def login(
    ctx: ContextDep, request: Request, body: LoginRequest, device: DeviceMarker = None
) -> IssuedToken:
    """Sign in with a password; returns a 12-hour token, shown once.

    Five failed sign-ins for a user name within 15 minutes from clients without a device
    marker of the user lock it for 15 minutes (429) for all such clients. The answer's
    ``device_cookie``, sent back in the ``Ceasefire-Device`` header, makes this client a
    trusted one: only its own five failures lock it out. One address may fail ten times a
    minute (429).
    """
    return counted_sign_in(
        request,
        body.user_id,
        lambda client: auth.login(
            ctx,
            user_id=body.user_id,
            password=body.password,
            client=client,
            device_cookie=device,
        ),
    )


@router.post("/auth/password", tags=["auth"])
def change_password(
    ctx: ContextDep,
    request: Request,
    viewer: RequireMember,
    body: PasswordChange,
    device: DeviceMarker = None,
) -> PasswordChanged:
    """Change your own password, giving the current one.

    Ends your other sign-in sessions (tokens labelled ``login``) and the API tokens you
    created yourself (not the token this request uses); tokens an operator issued stay
    valid. A wrong current password is a 403 and counts as a failed sign-in of your user
    name (and of this address): too many, 429.
    """
    _, _, presented = (request.headers.get("authorization") or "").partition(" ")
    return counted_sign_in(
        request,
        viewer.user_id or "",
        lambda client: auth.change_password(
            ctx,
            viewer,
            current_password=body.current_password,
            new_password=body.new_password,
            current_token=presented.strip() or None,
            client=client,
            device_cookie=device,
        ),
    )


@router.get("/auth/me", tags=["auth"])
def me(ctx: ContextDep, viewer: CurrentViewer) -> UserSummary:
    """Who the token stands for (or the public, without one)."""
    return auth.user_summary(ctx, viewer)


@router.get("/auth/tokens", tags=["auth"])
def list_tokens(
    ctx: ContextDep, viewer: RequireMember, user: str | None = None
) -> list[TokenPublic]:
    return auth.list_tokens(ctx, viewer, user_id=user)


@router.post("/auth/tokens", tags=["auth"], status_code=status.HTTP_201_CREATED)
def create_token(
    ctx: ContextDep,
    request: Request,
    viewer: RequireMember,
    body: TokenCreate,
    device: DeviceMarker = None,
) -> IssuedToken:
    """A new API token for yourself (operators: for anyone); the token is shown once.

    Needs your password: a wrong one is a 403 and counts as a failed sign-in of your name
    and of this address (too many: 429), as for a password change."""
    expires_in = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    return counted_sign_in(
        request,
        viewer.user_id or "",
        lambda client: auth.create_token(
            ctx,
            viewer,
            user_id=body.user_id or viewer.user_id or "",
            label=body.label,
            expires_in=expires_in,
            expires_at=body.expires_at,
            password=body.password,
            client=client,
            device_cookie=device,
        ),
    )


@router.delete("/auth/tokens/{token_id}", tags=["auth"])
def revoke_token(ctx: ContextDep, viewer: RequireMember, token_id: str) -> TokenPublic:
    return auth.revoke_token(ctx, viewer, token_id)


@router.get("/posts", tags=["posts"])
def list_posts(
    ctx: ContextDep, viewer: CurrentViewer, active_at: AwareDatetime | None = None
) -> list[PostPublic]:
    """Observation posts you may see (positions of monitors are not public by default)."""
    return posts.list_posts(ctx, viewer, active_at=active_at)


@router.post("/posts", tags=["posts"], status_code=status.HTTP_201_CREATED)
def add_post(ctx: ContextDep, viewer: RequireMember, body: PostCreate) -> PostPublic:
    post = body.to_post()
    return posts.add_post(ctx, viewer, post)


@router.get("/posts/{post_id}", tags=["posts"])
def get_post(ctx: ContextDep, viewer: CurrentViewer, post_id: str) -> PostPublic:
    return posts.get_post(ctx, viewer, post_id)


@router.get("/sensors", tags=["posts"])
def list_sensors(
    ctx: ContextDep,
    viewer: CurrentViewer,
    post: str | None = None,
    member: str | None = None,
) -> list[SensorPublic]:
    return posts.list_sensors(ctx, viewer, post_id=post, member_id=member)


@router.post("/sensors", tags=["posts"], status_code=status.HTTP_201_CREATED)
def add_sensor(ctx: ContextDep, viewer: RequireMember, body: SensorCreate) -> SensorPublic:
    sensor = Sensor(**body.model_dump())  # SensorCreate has exactly Sensor's fields
    return posts.add_sensor(ctx, viewer, sensor)


@router.get("/sensors/{sensor_id}", tags=["posts"])
def get_sensor(ctx: ContextDep, viewer: CurrentViewer, sensor_id: str) -> SensorPublic:
    return posts.get_sensor(ctx, viewer, sensor_id)
