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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from ceasefire.access import Classification, Role, Viewer
from ceasefire.api.deps import ContextDep
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError
from ceasefire.i18n.markers import N_
from ceasefire.members import posts
from ceasefire.members import service as members
from ceasefire.members.model import Member, MemberKind, Sensor, SensorKind
from ceasefire.members.schemas import MemberCreate, PostCreate, RoleGrant, SensorCreate
from ceasefire.timeutil import utcnow
from ceasefire.web import common, forms
from ceasefire.web.pages import render
from ceasefire.web.session import WebViewer

router = APIRouter(include_in_schema=False)

MEMBERS = "/members"
POSTS = "/posts"

MEMBER_FORMS = {
    "add": forms.FormLabels(
        {
            "id": N_("Identifier"),
            "name": N_("Name"),
            "kind": N_("Kind"),
            "iso3": N_("ISO 3166-1 alpha-3 code (states)"),
        },
        places={"member_id": "id"},
    ),
    "grant": forms.FormLabels(
        {
            "member": N_("Member"),
            "agreement_id": N_("Agreement"),
            "role": N_("Role"),
            "party": N_("Party (ISO alpha-3, for party liaisons)"),
            "valid_from": N_("Valid from (default: now)"),
            "valid_to": N_("Valid to"),
        },
        places={"member_id": "member"},
    ),
}
"""The members page's forms by name, each form's fields by their labels (``members.html``
reads them here)."""

POST_FORMS = {
    "post": forms.FormLabels(
        {
            "id": N_("Identifier"),
            "name": N_("Name"),
            "owners": N_("Owner members, separated by spaces"),
            "lat": N_("Latitude"),
            "lon": N_("Longitude"),
            "location_note": N_("Location note"),
            "active_from": N_("Active from"),
            "active_to": N_("Active to"),
            "independent": N_("Independent (one member's own post outside the joint centre)"),
            "classification": N_("Classification"),
        },
        places={"post_id": "id"},
    ),
    "sensor": forms.FormLabels(
        {
            "id": N_("Identifier"),
            "kind": N_("Kind"),
            "name": N_("Name"),
            "post_id": N_("On post"),
            "member_id": N_("Or of member"),
            "classification": N_("Classification"),
            "notes": N_("Notes"),
        },
        places={"sensor_id": "id"},
    ),
}
"""The posts page's forms by name, each form's fields by their labels (``posts.html``)."""


def _labels(named: dict[str, forms.FormLabels]) -> dict[str, Any]:
    """Every form's labels by the form's name, for the page's template."""
    return {name: form.labels for name, form in named.items()}


def may_administer(viewer: Viewer) -> bool:
    """Whether the administration forms are shown: to those the services would accept
    (operators, and monitors within what the services allow them)."""
    return viewer.operator or viewer.role is Role.MONITOR


def _no_defaults(_viewer: Viewer) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class _AdminPage:
    """One administration page, shown as its forms' page (``forms.posted_to``): its
    ``template``, its forms (``named_forms``), what it lists and offers besides
    (``listing``), the forms' first values (``defaults``), and whether the public is sent
    to sign in first (``members_only``)."""

    template: str
    named_forms: dict[str, forms.FormLabels]
    listing: Callable[[ServiceContext, Viewer], dict[str, Any]]
    defaults: Callable[[Viewer], dict[str, Any]] = _no_defaults
    members_only: bool = False

    def __call__(
        self,
        request: Request,
        ctx: ServiceContext,
        viewer: Viewer,
        *,
        form: str = "",
        values: dict[str, Any] | None = None,
        error: CeasefireError | None = None,
        done: list[int] | None = None,
    ) -> Response:
        if self.members_only and viewer.is_public:
            return common.sign_in_first(request)
        return render(
            self.template,
            request=request,
            viewer=viewer,
            may_administer=may_administer(viewer),
            form=form,
            v={**self.defaults(viewer), **(values or {})},
            **forms.shown(error, done, self.named_forms.get(form)),
            labels=_labels(self.named_forms),
            **self.listing(ctx, viewer),
        )


def _members_listing(ctx: ServiceContext, viewer: Viewer) -> dict[str, Any]:
    # A monitor grants and ends the roles the service lets it: never a monitor role.
    roles = [r.value for r in Role if viewer.operator or r is not Role.MONITOR]
    return {
        "members": members.list_members(ctx, viewer),
        "kinds": [k.value for k in MemberKind],
        "roles": roles,
        "agreements": common.agreement_ids(ctx),
        "default_agreement": viewer.agreement_id,
    }


_members_page = _AdminPage("members.html", MEMBER_FORMS, _members_listing)


MembersForm = Annotated[forms.FormPost, Depends(forms.posted_to(_members_page, MEMBERS))]


@router.get(MEMBERS, response_class=HTMLResponse)
def members_page(
    request: Request, ctx: ContextDep, viewer: WebViewer, done: str | None = None
) -> Response:
    """Every member and its roles (membership is public); the forms for those allowed."""
    return _members_page(request, ctx, viewer, done=common.done_entries(done))


@router.post(MEMBERS, dependencies=common.form_of(Role.MONITOR))
def add_member(page: MembersForm, form: forms.Posted) -> Response:
    """Add a member (operators and monitors)."""
    values = forms.fields(form, "id", "name", "kind", "iso3")

    def change() -> Any:
        fields = forms.stripped(values)
        body = forms.validated(MemberCreate, {**fields, "iso3": fields["iso3"].upper()})
        return members.add_member(page.ctx, page.viewer, Member(**body.model_dump()))

    return page.submit(change, lambda member: f"member/{member.id}", form="add", values=values)


@router.post(MEMBERS + "/roles", dependencies=common.form_of(Role.MONITOR))
def grant_role(page: MembersForm, form: forms.Posted) -> Response:
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
        return members.grant_role(page.ctx, page.viewer, body.to_role(member))

    kept = {"member": member, **values, **period}
    return page.submit(change, lambda _: f"member/{member}", form="grant", values=kept)


@router.post(MEMBERS + "/{member_id}/roles/end", dependencies=common.form_of(Role.MONITOR))
def end_role(
    page: MembersForm, member_id: str, agreement_id: Annotated[str, Form()] = ""
) -> Response:
    """End the member's current role in an agreement (as the service allows granting)."""
    return page.submit(
        lambda: members.end_role(
            page.ctx, page.viewer, member_id=member_id, agreement_id=agreement_id.strip(), at=None
        ),
        lambda _: f"member/{member_id}",
    )


def _posts_listing(ctx: ServiceContext, viewer: Viewer) -> dict[str, Any]:
    return {
        "posts": posts.list_posts(ctx, viewer),
        "sensors": posts.list_sensors(ctx, viewer),
        "sensor_kinds": [k.value for k in SensorKind],
        "classifications": [c.value for c in Classification],
    }


def _post_defaults(viewer: Viewer) -> dict[str, Any]:
    return {
        "owners": "" if viewer.operator else (viewer.member_id or ""),
        "classification": Classification.SHARED.value,
        "active_from": utcnow().date().isoformat(),
    }


_posts_page = _AdminPage(
    "posts.html", POST_FORMS, _posts_listing, defaults=_post_defaults, members_only=True
)


PostsForm = Annotated[forms.FormPost, Depends(forms.posted_to(_posts_page, POSTS))]


@router.get(POSTS, response_class=HTMLResponse)
def posts_page(
    request: Request, ctx: ContextDep, viewer: WebViewer, done: str | None = None
) -> Response:
    """The observation posts and sensors the viewer may read (members); the forms for
    those allowed."""
    return _posts_page(request, ctx, viewer, done=common.done_entries(done))


@router.post(POSTS, dependencies=common.form_of(Role.MONITOR))
def add_post(page: PostsForm, form: forms.Posted) -> Response:
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
        return posts.add_post(page.ctx, page.viewer, forms.validated(PostCreate, fields).to_post())

    kept = {**values, **period}
    return page.submit(change, lambda post: f"post/{post.id}", form="post", values=kept)


@router.post("/sensors", dependencies=common.form_of(Role.MONITOR))
def add_sensor(page: PostsForm, form: forms.Posted) -> Response:
    """Register a sensor on a post or a member (operators; a monitor member its own)."""
    values = forms.fields(
        form, "id", "kind", "name", "post_id", "member_id", "classification", "notes"
    )

    def change() -> Any:
        body = forms.validated(SensorCreate, forms.stripped(values))
        return posts.add_sensor(page.ctx, page.viewer, Sensor(**body.model_dump()))

    return page.submit(change, lambda sensor: f"sensor/{sensor.id}", form="sensor", values=values)
