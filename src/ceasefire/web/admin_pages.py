"""Administration pages: members and their roles (``/members``: add a member, grant and end
a role), observation posts and sensors (``/posts``: add a post with a point picker, add a
sensor).

Every read and change is the one ``/api/v1/members``, ``/posts`` and ``/sensors`` make
(``ceasefire.members.service`` / ``posts``) with the viewer of the sign-in cookie; those
services decide (operators; monitors add members, grant and end the non-monitor roles of
their agreement, and add the posts and sensors their member alone owns). A form is shown to
operators and monitors only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ceasefire.access import Classification, Role, Viewer
from ceasefire.agreements import service as agreement_service
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError
from ceasefire.members import posts
from ceasefire.members import service as members
from ceasefire.members.model import Member, MemberKind, Sensor, SensorKind
from ceasefire.members.schemas import MemberCreate, PostCreate, RoleGrant, SensorCreate
from ceasefire.timeutil import utcnow
from ceasefire.web import common, forms
from ceasefire.web.csrf import CsrfChecked
from ceasefire.web.pages import render
from ceasefire.web.session import SignedInViewer, WebViewer

router = APIRouter(include_in_schema=False)

MEMBERS = "/members"
POSTS = "/posts"


def may_administer(viewer: Viewer) -> bool:
    """Whether the administration forms are shown: to those the services would accept
    (operators, and monitors within what the services allow them)."""
    return viewer.operator or viewer.role is Role.MONITOR


def _agreements(ctx: ServiceContext) -> list[str]:
    return [a.id for a in agreement_service.list_agreements(ctx)]


def _members_page(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    form: str = "",
    values: dict[str, Any] | None = None,
    error: CeasefireError | None = None,
    done: list[int] | None = None,
) -> Response:
    # A monitor grants and ends the roles the service lets it: never a monitor role.
    roles = [r.value for r in Role if viewer.operator or r is not Role.MONITOR]
    return render(
        "members.html",
        request=request,
        viewer=viewer,
        members=members.list_members(ctx, viewer),
        may_administer=may_administer(viewer),
        form=form,
        v=values or {},
        error=error,
        problems=common.problems_of(error.details if error is not None else None),
        done=done or [],
        kinds=[k.value for k in MemberKind],
        roles=roles,
        agreements=_agreements(ctx),
        default_agreement=viewer.agreement_id,
    )


@router.get(MEMBERS, response_class=HTMLResponse)
def members_page(
    request: Request, ctx: ContextDep, viewer: WebViewer, done: str | None = None
) -> Response:
    """Every member and its roles (membership is public); the forms for those allowed."""
    return _members_page(request, ctx, viewer, done=common.done_entries(done))


@router.post(MEMBERS, dependencies=CsrfChecked)
def add_member(
    request: Request, ctx: ContextDep, viewer: SignedInViewer, form: forms.Posted
) -> Response:
    """Add a member (operators and monitors)."""
    values = forms.fields(form, "id", "name", "kind", "iso3")

    def change() -> Any:
        fields = forms.stripped(values)
        body = forms.validated(MemberCreate, {**fields, "iso3": fields["iso3"].upper()})
        return members.add_member(ctx, viewer, Member(**body.model_dump()))

    return forms.submit(
        request,
        ctx,
        viewer,
        change,
        refused=lambda exc: _members_page(
            request, ctx, viewer, form="add", values=values, error=exc
        ),
        subject=lambda member: f"member/{member.id}",
        back=lambda _: MEMBERS,
    )


@router.post(MEMBERS + "/roles", dependencies=CsrfChecked)
def grant_role(
    request: Request, ctx: ContextDep, viewer: SignedInViewer, form: forms.Posted
) -> Response:
    """Grant a role in an agreement (operators; monitors of the agreement, but not a
    monitor role)."""
    member = forms.text(forms.fields(form, "member")["member"])
    values = forms.fields(form, "agreement_id", "role", "party")
    period = forms.fields(form, "valid_from", "valid_to")

    def change() -> Any:
        fields = forms.stripped(values)
        body = forms.validated(
            RoleGrant, {**fields, "party": fields["party"].upper(), **forms.instants(period)}
        )
        return members.grant_role(ctx, viewer, body.to_role(member))

    return forms.submit(
        request,
        ctx,
        viewer,
        change,
        refused=lambda exc: _members_page(
            request,
            ctx,
            viewer,
            form="grant",
            values={"member": member, **values, **period},
            error=exc,
        ),
        subject=lambda _: f"member/{member}",
        back=lambda _: MEMBERS,
    )


@router.post(MEMBERS + "/{member_id}/roles/end", dependencies=CsrfChecked)
def end_role(
    request: Request,
    ctx: ContextDep,
    viewer: SignedInViewer,
    member_id: str,
    agreement_id: Annotated[str, Form()] = "",
) -> Response:
    """End the member's current role in an agreement (as the service allows granting)."""
    return forms.submit(
        request,
        ctx,
        viewer,
        lambda: members.end_role(
            ctx, viewer, member_id=member_id, agreement_id=agreement_id.strip(), at=None
        ),
        refused=lambda exc: _members_page(request, ctx, viewer, error=exc),
        subject=lambda _: f"member/{member_id}",
        back=lambda _: MEMBERS,
    )


def _posts_page(
    request: Request,
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    form: str = "",
    values: dict[str, Any] | None = None,
    error: CeasefireError | None = None,
    done: list[int] | None = None,
) -> Response:
    if viewer.is_public:
        return common.sign_in_first(request)
    defaults: dict[str, Any] = {
        "owners": "" if viewer.operator else (viewer.member_id or ""),
        "classification": Classification.SHARED.value,
        "active_from": utcnow().date().isoformat(),
    }
    return render(
        "posts.html",
        request=request,
        viewer=viewer,
        posts=posts.list_posts(ctx, viewer),
        sensors=posts.list_sensors(ctx, viewer),
        may_administer=may_administer(viewer),
        form=form,
        v={**defaults, **(values or {})},
        error=error,
        problems=common.problems_of(error.details if error is not None else None),
        done=done or [],
        sensor_kinds=[k.value for k in SensorKind],
        classifications=[c.value for c in Classification],
    )


@router.get(POSTS, response_class=HTMLResponse)
def posts_page(
    request: Request, ctx: ContextDep, viewer: WebViewer, done: str | None = None
) -> Response:
    """The observation posts and sensors the viewer may read (members); the forms for
    those allowed."""
    return _posts_page(request, ctx, viewer, done=common.done_entries(done))


@router.post(POSTS, dependencies=CsrfChecked)
def add_post(
    request: Request, ctx: ContextDep, viewer: SignedInViewer, form: forms.Posted
) -> Response:
    """Register an observation post (operators; a monitor member the posts it alone owns)."""
    values = forms.fields(
        form, "id", "name", "owners", "lat", "lon", "location_note", "independent", "classification"
    )
    period = forms.fields(form, "active_from", "active_to")

    def change() -> Any:
        fields = {
            **forms.stripped(values),
            "owners": [o.lower() for o in forms.words(values["owners"])],
            "independent": bool(values["independent"]),
            **forms.instants(period),
        }
        return posts.add_post(ctx, viewer, forms.validated(PostCreate, fields).to_post())

    return forms.submit(
        request,
        ctx,
        viewer,
        change,
        refused=lambda exc: _posts_page(
            request, ctx, viewer, form="post", values={**values, **period}, error=exc
        ),
        subject=lambda post: f"post/{post.id}",
        back=lambda _: POSTS,
    )


@router.post("/sensors", dependencies=CsrfChecked)
def add_sensor(
    request: Request, ctx: ContextDep, viewer: SignedInViewer, form: forms.Posted
) -> Response:
    """Register a sensor on a post or a member (operators; a monitor member its own)."""
    values = forms.fields(
        form, "id", "kind", "name", "post_id", "member_id", "classification", "notes"
    )

    def change() -> Any:
        body = forms.validated(SensorCreate, forms.stripped(values))
        return posts.add_sensor(ctx, viewer, Sensor(**body.model_dump()))

    return forms.submit(
        request,
        ctx,
        viewer,
        change,
        refused=lambda exc: _posts_page(
            request, ctx, viewer, form="sensor", values=values, error=exc
        ),
        subject=lambda sensor: f"sensor/{sensor.id}",
        back=lambda _: POSTS,
    )
