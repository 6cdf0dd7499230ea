"""The administration pages in the browser (both databases): members and roles, posts and
sensors. Each form calls the service the API calls: the allowed role succeeds and the
record changes, another sees no form and is refused, a form without the session's CSRF
token is refused, and a refused form names the field and keeps the input."""

from __future__ import annotations

import re

import pytest

from ceasefire.access import Role, Viewer
from ceasefire.db.context import ServiceContext
from ceasefire.members import posts
from ceasefire.members import service as members
from ceasefire.members.model import Member, MemberKind
from tests.factories.members import Cast
from tests.web.conftest import Browser

PUBLIC = Viewer.public()


def _done(location: str) -> list[str]:
    found = re.search(r"done=([\d,]*)", location)
    assert found is not None, location
    return [s for s in found.group(1).split(",") if s]


def test_a_monitor_adds_a_member_and_a_liaison_is_refused(
    ctx: ServiceContext, browsers: dict[str, Browser]
) -> None:
    turkey, azerbaijan = browsers["tur"], browsers["aze"]
    page = turkey.client.get("/members")
    assert 'action="/members"' in page.text
    assert 'href="/members"' in page.text  # the header links it for a monitor
    form = {"id": "geo", "name": "Georgia", "kind": "state", "iso3": "GEO"}

    assert turkey.post("/members", form, token=False).status_code == 403
    refused = turkey.post("/members", {**form, "iso3": ""})
    assert refused.status_code == 422
    assert 'id="err-iso3"' in refused.text
    assert 'value="Georgia"' in refused.text  # the input is kept
    assert "geo" not in {m.id for m in members.list_members(ctx, PUBLIC)}

    added = turkey.post("/members", form)
    assert added.status_code == 303, added.text
    assert _done(added.headers["location"])
    assert "geo" in {m.id for m in members.list_members(ctx, PUBLIC)}
    shown = turkey.client.get(added.headers["location"])
    assert re.search(r'href="/ledger/\d+"', shown.text)

    liaison_page = azerbaijan.client.get("/members")
    assert 'action="/members"' not in liaison_page.text
    assert 'href="/members"' in liaison_page.text  # it reads the members, without the forms
    refused = azerbaijan.post("/members", {**form, "id": "mda", "iso3": "MDA"})
    assert refused.status_code == 403
    assert "mda" not in {m.id for m in members.list_members(ctx, PUBLIC)}


def _roles(ctx: ServiceContext, member_id: str) -> list[tuple[str, bool]]:
    return [(r.role.value, r.current) for r in members.get_member(ctx, PUBLIC, member_id).roles]


def test_roles_are_granted_and_ended_as_the_service_allows(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    turkey = browsers["tur"]
    members.add_member(
        ctx, Viewer.cli_operator(), Member("geo", "Georgia", MemberKind.STATE, "GEO")
    )
    grant = {"member": "geo", "agreement_id": cast.agreement_id, "role": "observer"}
    # A monitor does not make monitors (no such choice on its form; refused if posted).
    page = turkey.client.get("/members")
    grant_form = page.text.split('id="grant-form"')[1].split("</form>")[0]
    assert 'value="monitor"' not in grant_form
    assert turkey.post("/members/roles", {**grant, "role": "monitor"}).status_code == 403
    assert browsers["aze"].post("/members/roles", grant).status_code == 403
    assert turkey.post("/members/roles", grant, token=False).status_code == 403
    assert _roles(ctx, "geo") == []
    missing = turkey.post("/members/roles", {**grant, "role": ""})
    assert missing.status_code == 422
    assert 'id="err-role"' in missing.text

    granted = turkey.post("/members/roles", grant)
    assert granted.status_code == 303, granted.text
    assert _done(granted.headers["location"])
    assert _roles(ctx, "geo") == [("observer", True)]
    end = {"agreement_id": cast.agreement_id}
    assert turkey.post("/members/geo/roles/end", end, token=False).status_code == 403
    ended = turkey.post("/members/geo/roles/end", end)
    assert ended.status_code == 303, ended.text
    assert _roles(ctx, "geo") == [("observer", False)]
    # Russia's monitor role is an operator's to end.
    assert turkey.post("/members/rus/roles/end", end).status_code == 403
    assert ("monitor", True) in _roles(ctx, "rus")


def test_posts_and_sensors_are_added_by_their_owner(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    turkey, armenia = browsers["tur"], browsers["arm"]
    page = turkey.client.get("/posts")
    assert 'action="/posts"' in page.text
    assert 'id="map-picker" class="point-map" data-lat="lat" data-lon="lon"' in page.text
    post = {
        "id": "tur-hill-7",
        "name": "Hill 7",
        "owners": "tur",
        "lat": "40.01",
        "lon": "46.93",
        "active_from": "2020-11-20",
        "classification": "shared",
    }
    assert turkey.post("/posts", post, token=False).status_code == 403
    bad = turkey.post("/posts", {**post, "lat": "95"})
    assert bad.status_code == 422
    assert 'id="err-lat"' in bad.text
    assert 'value="Hill 7"' in bad.text
    # Another member as co-owner: the service refuses it, naming the field.
    joint = turkey.post("/posts", {**post, "owners": "tur rus"})
    assert joint.status_code == 403
    assert 'id="err-owners"' in joint.text
    # No owner at all: said in the reader's language, beside the field.
    ownerless = turkey.post("/posts?lang=tr", {**post, "owners": ""})
    assert ownerless.status_code == 422
    assert '<span class="field-error" id="err-owners">en az 1 gerekli</span>' in ownerless.text
    assert "List should have" not in ownerless.text

    added = turkey.post("/posts", post)
    assert added.status_code == 303, added.text
    assert _done(added.headers["location"])
    viewer = cast.viewer(ctx, "tur")
    assert "tur-hill-7" in {p.id for p in posts.list_posts(ctx, viewer)}

    sensor = {"id": "tur-cam-7", "kind": "camera", "name": "Hill 7 camera"}
    neither = turkey.post("/sensors", sensor)
    assert neither.status_code == 422
    assert "Hill 7 camera" in neither.text
    assert 'id="err-post_id"' in neither.text
    made = turkey.post("/sensors", {**sensor, "post_id": "tur-hill-7"})
    assert made.status_code == 303, made.text
    assert "tur-cam-7" in {s.id for s in posts.list_sensors(ctx, viewer)}

    liaison_page = armenia.client.get("/posts")
    assert 'action="/posts"' not in liaison_page.text
    assert 'action="/sensors"' not in liaison_page.text
    refused = armenia.post("/posts", {**post, "id": "arm-1", "owners": "arm"})
    assert refused.status_code == 403
    refused = armenia.post("/sensors", {**sensor, "id": "arm-cam", "member_id": "arm"})
    assert refused.status_code == 403
    assert viewer.role is Role.MONITOR
    assert "arm-cam" not in {s.id for s in posts.list_sensors(ctx, cast.viewer(ctx, "tur"))}
    # The public is sent to sign in.
    assert browsers["public"].client.get("/posts", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("lang", "detail"),
    [
        ("ru", "указывает не того участника, от имени которого сделан запрос"),
        ("tr", "isteği yapanınkinden başka bir üyeyi belirtiyor"),
    ],
)
def test_a_refusal_beside_a_field_is_in_the_readers_language(
    browsers: dict[str, Browser], lang: str, detail: str
) -> None:
    """A service's ``details`` entry (``problem("owners", N_(...))``) is shown beside its
    field translated, where it used to be the service's English."""
    post = {
        "id": "tur-hill-8",
        "name": "Hill 8",
        "owners": "tur rus",
        "lat": "40.01",
        "lon": "46.93",
        "active_from": "2020-11-20",
        "classification": "shared",
    }
    joint = browsers["tur"].post(f"/posts?lang={lang}", post)
    assert joint.status_code == 403
    assert f'<span class="field-error" id="err-owners">{detail}</span>' in joint.text
    assert "names a member other than the caller" not in joint.text
